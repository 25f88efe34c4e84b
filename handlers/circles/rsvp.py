"""RSVPs (Going / Maybe / Can't, and a waitlist once a circle is full) and ``/circles``.

The buttons carry the occurrence id (``cr:<occurrence>:<g|m|c|x>``), so a press on an old
announcement or reminder is answered for what it is: cancelled, past, or still open.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from handlers.circles import texts, when
from handlers.circles.common import LEADERS, RSVP, RSVP_FLOW, zone_of
from handlers.circles.schedule import count_line, rsvp_buttons, tell_promoted
from handlers.context import Context, Replies, Turn
from handlers.dispatcher import stale_button
from handlers.logsafe import describe_exception
from handlers.messaging import OutgoingMessage, RsvpRoles
from storage.circles import Circle, Occurrence, RsvpChange, RsvpStatus

log = logging.getLogger(__name__)

CHOICES = {"g": RsvpStatus.GOING, "m": RsvpStatus.MAYBE, "c": RsvpStatus.CANT}
LISTED = 10
UPCOMING_SCANNED = 1000
"""How many upcoming occurrences :func:`places_held` looks through (every active circle's
next one or few; far more than a program runs)."""


async def places_held(ctx: Context, person_id: int) -> list[Occurrence]:
    """Upcoming occurrences where the person holds a place ("going"): an erasure frees them."""
    held = []
    for occurrence in await ctx.storage.upcoming_occurrences(ctx.clock(), UPCOMING_SCANNED):
        rsvp = await ctx.storage.get_rsvp(occurrence.id, person_id)
        if rsvp is not None and rsvp.status is RsvpStatus.GOING:
            held.append(occurrence)
    return held


async def fill_freed_places(ctx: Context, occurrences: list[Occurrence]) -> None:
    """After someone's RSVPs were erased: move each waitlist up into the freed places and tell
    the people promoted, as when someone answers "Can't". Never raises (logged by type)."""
    for occurrence in occurrences:
        try:
            circle = await ctx.storage.get_circle(occurrence.circle_id)
            if circle is None or not circle.active:
                continue
            promoted = await ctx.storage.fill_places(
                occurrence.id, capacity=circle.capacity, now=ctx.clock()
            )
            await tell_promoted(ctx, circle, occurrence, promoted)
        except Exception as exc:
            log.warning(
                "waitlist of occurrence %s not moved up: %s", occurrence.id, describe_exception(exc)
            )


NEEDS_ROLE = ("g", "m")
"""The answers a platform's RSVP role (``[discord] rsvp_role_id``) is asked for: Going and
Maybe (the waitlist comes through Going). Can't and "no more reminders" stay open to all."""


async def may_answer(ctx: Context, turn: Turn, choice: str) -> bool:
    """False for Going or Maybe from someone without the RSVP role, where the platform has
    one configured (its messenger says so, and who holds it); anyone else may answer."""
    if choice not in NEEDS_ROLE:
        return True
    messenger = ctx.messengers.get(turn.event.ref.platform)
    if not isinstance(messenger, RsvpRoles) or not messenger.rsvp_role_required():
        return True
    return await messenger.holds_rsvp_role(turn.event)


class RsvpFlow:
    name = RSVP_FLOW

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        return [stale_button(texts.STALE_NEXT_STEP)]  # this flow never holds a conversation

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        if not await may_answer(ctx, turn, payload.rpartition(":")[2]):
            return [OutgoingMessage(texts.RSVP_ROLE_ONLY)]
        press = RSVP.decode(payload)
        if press is None or (press.choice not in CHOICES and press.choice != "x"):
            return [stale_button(texts.STALE_NEXT_STEP)]
        choice = press.choice
        if turn.person is None or not turn.person.onboarded:
            return [OutgoingMessage(texts.RSVP_MEMBERS_ONLY)]
        occurrence = await ctx.storage.get_occurrence(press.occurrence)
        circle = await ctx.storage.get_circle(occurrence.circle_id) if occurrence else None
        if occurrence is None or circle is None:
            return [stale_button(texts.STALE_NEXT_STEP)]
        if occurrence.cancelled or not circle.active:
            date = when.show_date(occurrence.local_date)
            return [OutgoingMessage(texts.RSVP_CANCELLED.format(title=circle.title, date=date))]
        now = ctx.clock()
        if now >= occurrence.starts_at + circle.duration:
            return [OutgoingMessage(texts.RSVP_PAST)]
        if choice == "x":
            return await _reminders_off(ctx, turn.person.id, occurrence)
        change = await ctx.storage.set_rsvp(
            occurrence.id, turn.person.id, CHOICES[choice], capacity=circle.capacity, now=now
        )
        await tell_promoted(ctx, circle, occurrence, change.promoted)
        text = await _confirmation(ctx, turn, occurrence, change)
        counts = count_line(await ctx.storage.rsvps_of(occurrence.id), circle.capacity)
        return [OutgoingMessage.with_buttons(f"{text}\n{counts}", rsvp_buttons(occurrence.id))]


async def _reminders_off(ctx: Context, person_id: int, occurrence: Occurrence) -> Replies:
    rsvp = await ctx.storage.get_rsvp(occurrence.id, person_id)
    if rsvp is None or rsvp.status is not RsvpStatus.GOING:
        return [OutgoingMessage.with_buttons(texts.RSVP_NOT_ANSWERED, rsvp_buttons(occurrence.id))]
    await ctx.storage.set_reminders_off(occurrence.id, person_id, True)
    return [OutgoingMessage(texts.RSVP_REMINDERS_OFF)]


async def _confirmation(
    ctx: Context, turn: Turn, occurrence: Occurrence, change: RsvpChange
) -> str:
    assert turn.person is not None
    name = turn.person.display_name or texts.SOMEONE
    if change.status is RsvpStatus.WAITLIST:
        waiting = [
            r.person_id
            for r in await ctx.storage.rsvps_of(occurrence.id)
            if r.status is RsvpStatus.WAITLIST
        ]
        position = waiting.index(turn.person.id) + 1 if turn.person.id in waiting else 1
        return texts.RSVP_WAITLIST.format(name=name, position=position)
    template = {
        RsvpStatus.GOING: texts.RSVP_GOING,
        RsvpStatus.MAYBE: texts.RSVP_MAYBE,
        RsvpStatus.CANT: texts.RSVP_CANT,
    }[change.status]
    return template.format(name=name)


async def list_circles(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/circles``: what's coming up, in the viewer's own zone when we know it."""
    assert turn.person is not None
    now = ctx.clock()
    zone = await zone_of(ctx, turn.person.id)
    leader = bool(turn.roles & LEADERS)
    found = await ctx.storage.upcoming_occurrences(now - timedelta(hours=12), LISTED * 3)
    replies: Replies = []
    for occurrence in found:
        circle = await ctx.storage.get_circle(occurrence.circle_id)
        if circle is None or now >= occurrence.starts_at + circle.duration:
            continue
        replies.append(await _item(ctx, turn, circle, occurrence, zone, leader))
        if len(replies) == LISTED:
            break
    if not replies:
        return [OutgoingMessage(texts.NO_UPCOMING_LEADER if leader else texts.NO_UPCOMING)]
    return [OutgoingMessage(texts.UPCOMING_HEADER), *replies]


async def _item(
    ctx: Context,
    turn: Turn,
    circle: Circle,
    occurrence: Occurrence,
    zone: str | None,
    leader: bool,
) -> OutgoingMessage:
    assert turn.person is not None
    rsvps = await ctx.storage.rsvps_of(occurrence.id)
    mine = next((r for r in rsvps if r.person_id == turn.person.id), None)
    text = texts.UPCOMING_ITEM.format(
        title=circle.title,
        number=f" (#{circle.id})" if leader else "",
        when=when.show_when(occurrence.starts_at, zone or circle.zone, own_zone=bool(zone)),
        duration=when.show_minutes(circle.duration),
        description=f"{circle.description}\n" if circle.description else "",
        counts=count_line(rsvps, circle.capacity),
        mine=texts.YOU_ARE.format(status=texts.STATUS_WORDS[mine.status.value]) if mine else "",
    )
    return OutgoingMessage.with_buttons(text, rsvp_buttons(occurrence.id))
