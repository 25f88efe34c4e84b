"""The "Send to a mentee" buttons a mentor sees under a ``/resources`` list.

Kept apart from :mod:`handlers.resources.sending` (which formats the entry with
:func:`handlers.resources.browse.resource_text`), so ``/resources`` can offer the buttons without an
import cycle. An entry is named in a button by :func:`resource_key`, a short hash of its name
(names are unique in a directory), so a payload stays well under 64 bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from handlers.context import Context, Replies, Turn
from handlers.messaging import OutgoingMessage
from handlers.program import CATEGORIES, Resource, ResourceDirectory
from handlers.resources import texts
from handlers.routes import Route
from storage.people import Role

FLOW = "rm"
"""Button payloads ``rm:pick:<key>`` and ``rm:to:<key>:<mentee id>``."""
KEY_CHARS = 10
MAX_LABEL_CHARS = 48


@dataclass(frozen=True, slots=True)
class PickPress:
    """Send this entry (by :func:`resource_key`): asks which mentee."""

    key: str


@dataclass(frozen=True, slots=True)
class SendToPress:
    """Send this entry to this mentee."""

    key: str
    mentee: int


PICK = Route(FLOW, "pick:{key}", PickPress)
SEND_TO = Route(FLOW, "to:{key}:{mentee}", SendToPress)


def resource_key(resource: Resource) -> str:
    """A short, stable name for an entry: the same across restarts and processes."""
    digest = hashlib.sha1(resource.name.casefold().encode("utf-8"), usedforsecurity=False)
    return digest.hexdigest()[:KEY_CHARS]


def find_resource(directory: ResourceDirectory, key: str) -> Resource | None:
    return next((r for r in directory.resources if resource_key(r) == key), None)


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…"


async def send_offer(ctx: Context, turn: Turn, category: str) -> Replies:
    """For a mentor with mentees: a button per entry of ``category``; nothing for anyone else."""
    person = turn.person
    if person is None or Role.MENTOR not in turn.roles or category not in CATEGORIES:
        return []
    entries = ctx.program.resources.in_category(category)
    if not entries or not await ctx.storage.mentees_of(person.id):
        return []
    buttons = [
        PICK.button(_label(texts.SEND_BUTTON.format(name=r.name)), PickPress(resource_key(r)))
        for r in entries
    ]
    return [OutgoingMessage.with_buttons(texts.SEND_OFFER, buttons, per_row=1)]
