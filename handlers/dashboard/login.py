"""Signing in to the coordinators' web dashboard without a password: a one-time link.

A coordinator asks for a link (``/dashboard`` in a private chat, or ``peerbot dashboard-link``
on the server) and gets one that works once, for :data:`LINK_VALID`. Only the SHA-256 of its
token is stored, so the database holds nothing that signs anyone in. Spending the link checks
again that its owner is a coordinator who has not stopped; so does every page
(:func:`coordinator`), so a role taken away takes the dashboard away at the next click.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.context import CommandSpec, Context, GroupReply, Replies, Turn
from handlers.dashboard import texts
from handlers.messaging import ChatKind, OutgoingMessage
from storage.dashboard import LoginLink, LoginLinkError, LoginLinkProblem
from storage.people import Person, Role

LINK_VALID = timedelta(minutes=10)
COORDINATORS = frozenset({Role.COORDINATOR})
LOGIN_PATH = "/login/"
"""The dashboard's path a link opens, after ``[dashboard] public_url``."""


class Refusal(enum.StrEnum):
    """Why a link does not sign anyone in (the web page says it kindly)."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    NOT_A_COORDINATOR = "not_a_coordinator"


class SignInRefused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


class DashboardOff(Exception):
    """``[dashboard] public_url`` is not set, so there is no address to send."""


class NotACoordinator(Exception):
    """Only coordinators get a link."""


@dataclass(frozen=True, slots=True)
class IssuedLink:
    url: str
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


async def coordinator(ctx: Context, person_id: int) -> Person | None:
    """The person if they are a coordinator now (and have not stopped), else ``None``."""
    person = await ctx.storage.get_person(person_id)
    if person is None or person.stopped_at is not None:
        return None
    if Role.COORDINATOR not in await ctx.storage.roles_of(person_id):
        return None
    return person


async def issue_link(ctx: Context, person_id: int) -> IssuedLink:
    """A new one-time sign-in link for a coordinator. Raises :class:`DashboardOff` or
    :class:`NotACoordinator`."""
    base = ctx.program.dashboard.public_url
    if base is None:
        raise DashboardOff
    if await coordinator(ctx, person_id) is None:
        raise NotACoordinator
    token = secrets.token_urlsafe(32)
    now = ctx.clock()
    link = LoginLink(token_hash(token), person_id, now, now + LINK_VALID)
    await ctx.storage.create_login_link(link)
    return IssuedLink(base.rstrip("/") + LOGIN_PATH + token, link.expires_at)


async def sign_in(ctx: Context, token: str) -> Person:
    """Spend the link's token; the coordinator it signs in. Raises :class:`SignInRefused`."""
    try:
        person_id = await ctx.storage.use_login_link(token_hash(token), ctx.clock())
    except LoginLinkError as err:
        raise SignInRefused(_REFUSALS[err.problem]) from None
    person = await coordinator(ctx, person_id)
    if person is None:
        raise SignInRefused(Refusal.NOT_A_COORDINATOR)
    return person


_REFUSALS = {
    LoginLinkProblem.UNKNOWN: Refusal.UNKNOWN,
    LoginLinkProblem.EXPIRED: Refusal.EXPIRED,
    LoginLinkProblem.USED: Refusal.USED,
}


async def dashboard_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/dashboard``: a coordinator's one-time link, in a private chat only."""
    assert turn.person is not None
    if turn.event.chat_kind is not ChatKind.DIRECT and not turn.event.private_replies:
        return [OutgoingMessage(texts.IN_A_GROUP)]
    try:
        issued = await issue_link(ctx, turn.person.id)
    except DashboardOff:
        return [OutgoingMessage(texts.OFF)]
    minutes = int(LINK_VALID.total_seconds() // 60)
    return [OutgoingMessage(texts.LINK.format(url=issued.url, minutes=minutes))]


COMMANDS = (
    CommandSpec(
        "dashboard",
        "a link to the coordinators' web dashboard",
        dashboard_command,
        COORDINATORS,
        # Answered where it was asked: in a group, to say kindly that the link comes only
        # in a private chat (a link sent there would let anyone in the group sign in).
        in_groups=GroupReply.HERE,
    ),
)
