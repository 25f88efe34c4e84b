"""Peer circles: ``/circles`` for everyone; ``/circle ...`` and ``/next`` for facilitators.

Modules by concern: ``commands`` (routing and the record's parts), ``create`` and ``edit`` (the
guided set-up, with ``draft``: its saved state and buttons), ``schedule`` (occurrences,
announcement, reminders, cancelling), ``rsvp``
(RSVPs, the waitlist), ``session`` (running a session), ``summary`` (closing it), ``when``
(dates and times as facilitators type and read them) and ``common``.
"""

from __future__ import annotations

from handlers.circles import commands, common, rsvp
from handlers.circles.commands import notify_circle_crisis
from handlers.context import AfterErase, Capability, Context


async def _free_places(ctx: Context, person_id: int) -> AfterErase:
    """Read the places the person holds before their RSVPs go; offer them on afterwards."""
    held = await rsvp.places_held(ctx, person_id)

    async def fill() -> None:
        await rsvp.fill_freed_places(ctx, held)

    return fill


CAPABILITY = Capability.combine(
    "circles",
    [commands.CAPABILITY, Capability(due_handlers=commands.DUE_HANDLERS)],
    on_erase=_free_places,
    # Scheduled notices wait behind urgent sends; a session's start and timer are live.
    routine_kinds=(common.REMINDER, common.SUMMARY),
)

__all__ = ["CAPABILITY", "notify_circle_crisis"]
