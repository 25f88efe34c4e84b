"""A circle's calendar: its next occurrence, the announcement, reminders and the start post.

Each active circle has its next occurrence stored, with two rows in the due queue: one
``circle_start`` row per circle (subject: the circle id; occurrence: the occurrence id) that
posts in the venue at the start and then moves on to the following occurrence, and one
``circle_reminder`` row per occurrence (subject: the occurrence id) that walks through the
phases ``announce`` -> ``24h`` -> ``1h``. Every send goes through the delivery ledger.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from handlers.circles import texts, when
from handlers.circles.common import (
    ANNOUNCE,
    CANCELLED,
    PROMOTED,
    REMINDER,
    RSVP,
    START,
    RsvpPress,
    dm_ref,
    name_of,
    venue_ref,
    zone_of,
)
from handlers.context import Context
from handlers.logsafe import describe_exception
from handlers.messaging import Button, DeliveryError, OutgoingMessage
from handlers.numbers import read_id
from handlers.outbox import deliver
from handlers.profile import speaking_to
from storage.circles import Circle, Occurrence, Rsvp, RsvpStatus
from storage.due_queue import DueWork

log = logging.getLogger(__name__)

PHASES = (("announce", None), ("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))
MAX_SKIPS = 60


async def next_occurrence(ctx: Context, circle: Circle, after: datetime) -> Occurrence | None:
    """The first live occurrence strictly after ``after``, stored; cancelled dates skipped."""
    for skipped, slot in enumerate(when.slots(circle, after)):
        if skipped > MAX_SKIPS:
            return None
        existing = await ctx.storage.occurrence_on(circle.id, slot.local_date)
        if existing is not None and existing.cancelled:
            continue
        return await ctx.storage.save_occurrence(circle.id, slot.local_date, slot.starts_at)
    return None


async def scheduled_occurrence(ctx: Context, circle: Circle) -> Occurrence | None:
    """The occurrence the circle's start row points at (its next one), if any."""
    row = await ctx.storage.get_due(START, str(circle.id))
    occurrence_id = read_id(row.occurrence) if row is not None else None
    if occurrence_id is None:
        return None
    return await ctx.storage.get_occurrence(occurrence_id)


async def schedule(
    ctx: Context, circle: Circle, occurrence: Occurrence, *, announce_at: datetime | None
) -> None:
    """Put the occurrence's start and reminder rows in the due queue (and in calendars)."""
    await ctx.storage.set_due(
        DueWork(START, str(circle.id), occurrence.starts_at, str(occurrence.id))
    )
    await schedule_reminders(ctx, occurrence, announce_at=announce_at)
    await ctx.calendars.scheduled(circle, occurrence)


async def schedule_reminders(
    ctx: Context, occurrence: Occurrence, *, announce_at: datetime | None
) -> None:
    if announce_at is not None:
        first: DueWork | None = DueWork(REMINDER, str(occurrence.id), announce_at, "announce")
    else:
        first = next_phase(occurrence, ctx.clock(), after="announce")
    if first is None:
        await ctx.storage.clear_due(REMINDER, str(occurrence.id))
    else:
        await ctx.storage.set_due(first)


def next_phase(occurrence: Occurrence, now: datetime, *, after: str | None) -> DueWork | None:
    """The first reminder phase after ``after`` that is still ahead of ``now``."""
    names = [name for name, _ in PHASES]
    start = names.index(after) + 1 if after in names else 0
    for name, lead in PHASES[start:]:
        if lead is None:
            continue
        due = occurrence.starts_at - lead
        if due > now:
            return DueWork(REMINDER, str(occurrence.id), due, name)
    return None


def rsvp_buttons(occurrence_id: int) -> list[Button]:
    return [
        RSVP.button(texts.GOING, RsvpPress(occurrence_id, "g")),
        RSVP.button(texts.MAYBE, RsvpPress(occurrence_id, "m")),
        RSVP.button(texts.CANT, RsvpPress(occurrence_id, "c")),
    ]


def count_line(rsvps: list[Rsvp], capacity: int | None) -> str:
    tally = {status: 0 for status in RsvpStatus}
    for rsvp in rsvps:
        tally[rsvp.status] += 1
    going = tally[RsvpStatus.GOING]
    line = texts.COUNTS.format(going=going, maybe=tally[RsvpStatus.MAYBE])
    if tally[RsvpStatus.WAITLIST]:
        line += texts.COUNTS_WAITLIST.format(waitlist=tally[RsvpStatus.WAITLIST])
    if capacity is not None:
        left = capacity - going
        line += (
            texts.COUNTS_FULL
            if left <= 0
            else texts.COUNTS_ONE_LEFT
            if left == 1
            else texts.COUNTS_LEFT.format(left=left)
        )
    return line


async def announcement(ctx: Context, circle: Circle, occurrence: Occurrence) -> OutgoingMessage:
    rsvps = await ctx.storage.rsvps_of(occurrence.id)
    places = (
        texts.PLACES_LIMITED.format(capacity=circle.capacity)
        if circle.capacity is not None
        else texts.PLACES_OPEN
    )
    text = texts.ANNOUNCEMENT.format(
        title=circle.title,
        description=f"{circle.description}\n" if circle.description else "",
        when=when.show_when(occurrence.starts_at, circle.zone),
        duration=when.show_minutes(circle.duration),
        cadence=when.show_cadence(circle),
        facilitator=await name_of(ctx, circle.facilitator_id),
        places=places,
        counts=count_line(rsvps, circle.capacity),
    )
    return OutgoingMessage.with_buttons(text, rsvp_buttons(occurrence.id))


async def announce(ctx: Context, circle: Circle, occurrence: Occurrence) -> bool:
    """Post the occurrence's announcement in the venue, once per venue."""
    if circle.venue is None:
        return False
    await deliver(
        ctx,
        kind=ANNOUNCE,
        subject=str(occurrence.id),
        occurrence=f"post:{circle.venue.chat_id}",
        person_id=None,
        ref=venue_ref(circle.venue),
        message=await announcement(ctx, circle, occurrence),
    )
    return True


async def tell_person(
    ctx: Context,
    circle: Circle,
    person_id: int,
    *,
    kind: str,
    subject: str,
    occurrence: str,
    render: Callable[[], OutgoingMessage],
) -> None:
    """A private message through the ledger, ``render``ed in the person's language; a failure
    is logged, never fatal to the caller."""
    platform = circle.venue.platform if circle.venue else None
    ref = await dm_ref(ctx, person_id, platform)
    if ref is None:
        return
    async with speaking_to(ctx, person_id):
        message = render()
    try:
        await deliver(
            ctx,
            kind=kind,
            subject=subject,
            occurrence=occurrence,
            person_id=person_id,
            ref=ref,
            message=message,
        )
    except DeliveryError as err:
        log.warning("circle %s message to %s failed: %s", kind, person_id, describe_exception(err))


async def tell_promoted(
    ctx: Context, circle: Circle, occurrence: Occurrence, promoted: tuple[int, ...]
) -> None:
    for person_id in promoted:
        zone = await zone_of(ctx, person_id)

        def promoted_message(zone: str | None = zone) -> OutgoingMessage:
            text = texts.PROMOTED.format(
                title=circle.title,
                when=when.show_when(occurrence.starts_at, zone or circle.zone, own_zone=bool(zone)),
            )
            return OutgoingMessage.with_buttons(
                text, [RSVP.button(texts.CANT, RsvpPress(occurrence.id, "c"))]
            )

        await tell_person(
            ctx,
            circle,
            person_id,
            kind=PROMOTED,
            subject=f"{occurrence.id}:{person_id}",
            occurrence=ctx.clock().isoformat(),
            render=promoted_message,
        )


async def reschedule(ctx: Context, circle: Circle) -> Occurrence | None:
    """After the days or time changed: move the next occurrence (keeping its RSVPs when it
    is still on one of the circle's dates), or cancel it and schedule the new next one."""
    now = ctx.clock()
    current = await scheduled_occurrence(ctx, circle)
    if current is not None and not current.cancelled and current.starts_at > now:
        slot = (
            when.starts_at_on(current.local_date, circle.local_time, circle.zone)
            if when.meets_on(circle, current.local_date)
            else None
        )
        if slot is not None and slot.starts_at > now:
            moved = await ctx.storage.save_occurrence(circle.id, slot.local_date, slot.starts_at)
            await schedule(ctx, circle, moved, announce_at=None)
            return moved
        return await cancel_occurrence(ctx, circle, current, after=now)
    following = await next_occurrence(ctx, circle, now)
    if following is None:
        await ctx.storage.clear_due(START, str(circle.id))
        return None
    await schedule(ctx, circle, following, announce_at=None)
    await announce(ctx, circle, following)
    return following


# Due-queue handlers -----------------------------------------------------------------------------


async def run_circle_reminder(ctx: Context, work: DueWork, now: datetime) -> DueWork | None:
    """The announcement, then the 24 h and 1 h reminders by DM to those going."""
    occurrence = await ctx.storage.get_occurrence(int(work.subject))
    if occurrence is None or occurrence.cancelled:
        return None
    circle = await ctx.storage.get_circle(occurrence.circle_id)
    if circle is None or not circle.active or now >= occurrence.starts_at:
        return None
    if work.occurrence == "announce":
        await announce(ctx, circle, occurrence)
    else:
        await _remind(ctx, circle, occurrence, work.occurrence)
    return next_phase(occurrence, now, after=work.occurrence)


async def _remind(ctx: Context, circle: Circle, occurrence: Occurrence, phase: str) -> None:
    failed: DeliveryError | None = None
    for rsvp in await ctx.storage.rsvps_of(occurrence.id):
        if rsvp.status is not RsvpStatus.GOING or rsvp.reminders_off:
            continue
        zone = await zone_of(ctx, rsvp.person_id)
        ref = await dm_ref(ctx, rsvp.person_id, circle.venue.platform if circle.venue else None)
        if ref is None:
            continue
        async with speaking_to(ctx, rsvp.person_id):  # each reminder in its reader's language
            template = texts.REMINDER_24H if phase == "24h" else texts.REMINDER_1H
            text = template.format(
                title=circle.title,
                when=when.show_when(occurrence.starts_at, zone or circle.zone, own_zone=bool(zone)),
            )
            message = OutgoingMessage.with_buttons(
                f"{text}\n{texts.REMINDER_NEXT}",
                [
                    RSVP.button(texts.CANT, RsvpPress(occurrence.id, "c")),
                    RSVP.button(texts.NO_MORE_REMINDERS, RsvpPress(occurrence.id, "x")),
                ],
            )
        try:
            await deliver(
                ctx,
                kind=REMINDER,
                subject=f"{occurrence.id}:{rsvp.person_id}",
                occurrence=phase,
                person_id=rsvp.person_id,
                ref=ref,
                message=message,
            )
        except DeliveryError as err:
            if not err.permanent:
                failed = failed or err  # try the others first; the ledger skips who got it
    if failed is not None:
        raise failed


async def run_circle_start(ctx: Context, work: DueWork, now: datetime) -> DueWork | None:
    """Post in the venue when an occurrence starts, then move on to the next occurrence."""
    circle = await ctx.storage.get_circle(int(work.subject))
    if circle is None or not circle.active:
        return None
    occurrence = await ctx.storage.get_occurrence(int(work.occurrence))
    if occurrence is None:
        return None
    late = now - occurrence.starts_at >= circle.duration
    started = await ctx.storage.sessions_of_occurrence(occurrence.id)
    if circle.venue is not None and not occurrence.cancelled and not late and not started:
        text = texts.STARTING_POST.format(
            title=circle.title, facilitator=await name_of(ctx, circle.facilitator_id)
        )
        await deliver(
            ctx,
            kind=START,
            subject=str(occurrence.id),
            occurrence="start",
            person_id=None,
            ref=venue_ref(circle.venue),
            message=OutgoingMessage(text),
        )
    following = await next_occurrence(ctx, circle, occurrence.starts_at)
    if following is None:
        return None
    ends = occurrence.starts_at + circle.duration
    await schedule_reminders(ctx, following, announce_at=max(ends, now))
    await ctx.calendars.scheduled(circle, following)
    return DueWork(START, str(circle.id), following.starts_at, str(following.id))


# Cancelling ------------------------------------------------------------------------------------


async def tell_cancelled(ctx: Context, circle: Circle, occurrence: Occurrence) -> None:
    """Everyone who answered hears privately; the reminders stop."""
    await ctx.storage.clear_due(REMINDER, str(occurrence.id))
    for rsvp in await ctx.storage.rsvps_of(occurrence.id):
        if rsvp.status is RsvpStatus.CANT:
            continue
        zone = await zone_of(ctx, rsvp.person_id)

        def cancelled_message(zone: str | None = zone) -> OutgoingMessage:
            return OutgoingMessage(
                texts.DM_CANCELLED.format(
                    title=circle.title,
                    when=when.show_when(
                        occurrence.starts_at, zone or circle.zone, own_zone=bool(zone)
                    ),
                )
            )

        await tell_person(
            ctx,
            circle,
            rsvp.person_id,
            kind=CANCELLED,
            subject=f"{occurrence.id}:{rsvp.person_id}",
            occurrence="cancel",
            render=cancelled_message,
        )


async def cancel_occurrence(
    ctx: Context, circle: Circle, occurrence: Occurrence, *, after: datetime | None = None
) -> Occurrence | None:
    """Cancel one date; returns the next live occurrence (rescheduled if this was it)."""
    await ctx.storage.cancel_occurrence(occurrence.id, ctx.clock())
    await ctx.calendars.cancelled(circle, occurrence)
    await tell_cancelled(ctx, circle, occurrence)
    if circle.venue is not None:
        await _venue_note(ctx, circle, occurrence, "one")
    current = await scheduled_occurrence(ctx, circle)
    if current is not None and current.id != occurrence.id and not current.cancelled:
        return current
    following = await next_occurrence(ctx, circle, after or occurrence.starts_at)
    if following is None:
        await ctx.storage.clear_due(START, str(circle.id))
        return None
    await schedule(ctx, circle, following, announce_at=None)
    await announce(ctx, circle, following)
    return following


async def cancel_series(ctx: Context, circle: Circle) -> None:
    cancelled = await ctx.storage.cancel_circle(circle.id, ctx.clock())
    await ctx.storage.clear_due(START, str(circle.id))
    await ctx.calendars.ended(circle, cancelled)
    for occurrence in cancelled:
        await tell_cancelled(ctx, circle, occurrence)
    if circle.venue is not None and cancelled:
        await _venue_note(ctx, circle, cancelled[0], "series")


async def _venue_note(ctx: Context, circle: Circle, occurrence: Occurrence, what: str) -> None:
    assert circle.venue is not None
    template = texts.VENUE_CANCELLED_ONE if what == "one" else texts.VENUE_CANCELLED_SERIES
    text = template.format(title=circle.title, date=when.show_date(occurrence.local_date))
    try:
        await deliver(
            ctx,
            kind=CANCELLED,
            subject=f"{occurrence.id}:venue",
            occurrence=what,
            person_id=None,
            ref=venue_ref(circle.venue),
            message=OutgoingMessage(text),
        )
    except DeliveryError as err:
        log.warning("cancel notice for circle %s failed: %s", circle.id, describe_exception(err))
