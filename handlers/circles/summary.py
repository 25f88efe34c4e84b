"""Closing a circle: ``/circle end``, the one-tap check-out pulse, and the facilitator's summary.

The summary goes privately to whoever ran the session at the end and to the circle's
facilitator, once every attendee has answered the pulse or after ``PULSE_WAIT`` (a
``circle_summary`` row in the due queue), whichever comes first; the ledger sends it once.

The pulse average is shown only from ``MIN_PULSES`` answers: with one or two, a facilitator
who knows who was there could tell what a person answered, and the pulse is meant to be safe
to answer honestly.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from statistics import fmean
from zoneinfo import ZoneInfo

from handlers.circles import texts, when
from handlers.circles.common import (
    PULSE,
    PULSE_PICK,
    SUMMARY,
    TIMER,
    PulsePress,
    dm_ref,
    find_session,
    may_run,
    name_of,
    say_in_room,
)
from handlers.circles.schedule import scheduled_occurrence, tell_person
from handlers.context import Context, Replies, Turn
from handlers.dispatcher import stale_button
from handlers.logsafe import describe_exception
from handlers.messaging import DeliveryError, OutgoingMessage
from handlers.outbox import deliver
from storage.circles import Circle, RsvpStatus, Session
from storage.due_queue import DueWork
from storage.people import Role

log = logging.getLogger(__name__)

PULSE_WAIT = timedelta(minutes=10)
MIN_PULSES = 3


async def _taking_part(ctx: Context, session: Session, turn: Turn) -> bool:
    if turn.person is None or Role.FACILITATOR not in turn.roles:
        return False
    attendance = await ctx.storage.attendance_of(session.id)
    return any(a.person_id == turn.person.id and a.attended for a in attendance)


async def end(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/circle end``: the runner, the circle's leaders, a coordinator, or a facilitator taking
    part in the session may close it (say its runner had to leave). A facilitator who is not
    there may not: the summary, with who came, goes to whoever closes it."""
    assert turn.person is not None
    found = await find_session(ctx, turn)
    if found is None:
        return [OutgoingMessage(texts.NO_SESSION_HERE)]
    circle, session = found
    if not may_run(circle, session, turn) and not await _taking_part(ctx, session, turn):
        return [OutgoingMessage(texts.NOT_YOUR_CIRCLE)]
    now = ctx.clock()
    if session.current_speaker_id is not None:
        await ctx.storage.record_share(session.id, session.current_speaker_id, now)
    if session.runner_id != turn.person.id:
        await ctx.storage.set_runner(session.id, turn.person.id)  # the summary goes to them
    if not await ctx.storage.end_session(session.id, now):
        return [OutgoingMessage(texts.SESSION_OVER)]
    await ctx.storage.clear_due(TIMER, str(session.id))
    occurrence = await ctx.storage.get_occurrence(session.occurrence_id)
    if occurrence is not None:
        await ctx.calendars.finished(circle, occurrence)
    attendees = [a.person_id for a in await ctx.storage.attendance_of(session.id) if a.attended]
    for person_id in attendees:
        await tell_person(
            ctx,
            circle,
            person_id,
            kind=PULSE,
            subject=f"{session.id}:{person_id}",
            occurrence="end",
            render=lambda: pulse_question(circle, session),
        )
    if attendees:
        await ctx.storage.set_due(DueWork(SUMMARY, str(session.id), now + PULSE_WAIT, "summary"))
        ack = texts.END_ACK.format(minutes=int(PULSE_WAIT.total_seconds() // 60))
    else:
        await _send_summary_now(ctx, circle, session.id)
        ack = texts.END_ACK_NOW
    following = await scheduled_occurrence(ctx, circle)
    after = (
        texts.CLOSING_NEXT.format(when=when.show_when(following.starts_at, circle.zone))
        if following is not None and following.starts_at > now and not following.cancelled
        else texts.CLOSING_NO_NEXT
    )
    closing = texts.CLOSING_POST.format(title=circle.title, next=after)
    return [*await say_in_room(ctx, circle, OutgoingMessage(closing)), OutgoingMessage(ack)]


def pulse_question(circle: Circle, session: Session) -> OutgoingMessage:
    buttons = [PULSE_PICK.button(str(n), PulsePress(session.id, n)) for n in range(1, 6)]
    return OutgoingMessage.with_buttons(texts.PULSE.format(title=circle.title), buttons, per_row=5)


async def pulse(ctx: Context, turn: Turn, circle: Circle, session: Session, value: int) -> Replies:
    """A press of 1-5 on the check-out."""
    if not 1 <= value <= 5:
        return [stale_button(texts.STALE_NEXT_STEP)]
    if session.open:
        return [OutgoingMessage(texts.PULSE_NOT_YET)]
    attendance = await ctx.storage.attendance_of(session.id)
    here = {a.person_id for a in attendance if a.attended}
    if turn.person is None or turn.person.id not in here:
        return [OutgoingMessage(texts.PULSE_NOT_ATTENDED)]
    before = len(await ctx.storage.pulses_of(session.id))
    changed = await ctx.storage.record_pulse(session.id, turn.person.id, value, ctx.clock())
    answered = len(await ctx.storage.pulses_of(session.id))
    if answered > before and answered >= len(here):
        await _send_summary_now(ctx, circle, session.id)
    if answered > before:
        return [OutgoingMessage(texts.PULSE_THANKS)]
    return [OutgoingMessage(texts.PULSE_CHANGED if changed else texts.PULSE_SAME)]


async def _send_summary_now(ctx: Context, circle: Circle, session_id: int) -> None:
    """Send it now; if that fails, the due row sends it later."""
    try:
        await send_summary(ctx, circle, session_id)
    except DeliveryError as err:
        log.warning("summary of session %s failed: %s", session_id, describe_exception(err))
        return
    await ctx.storage.clear_due(SUMMARY, str(session_id))


async def send_summary(ctx: Context, circle: Circle, session_id: int) -> None:
    session = await ctx.storage.get_session(session_id)
    if session is None:
        return
    message = OutgoingMessage(await summary_text(ctx, circle, session))
    platform = circle.venue.platform if circle.venue else None
    for person_id in dict.fromkeys((session.runner_id, circle.facilitator_id)):
        if person_id is None:
            continue
        ref = await dm_ref(ctx, person_id, platform)
        if ref is None:
            continue
        await deliver(
            ctx,
            kind=SUMMARY,
            subject=f"{session.id}:{person_id}",
            occurrence="summary",
            person_id=person_id,
            ref=ref,
            message=message,
        )


async def summary_text(ctx: Context, circle: Circle, session: Session) -> str:
    """Attendance, shares and passes, the pulse (from ``MIN_PULSES`` answers), time used."""
    attendance = await ctx.storage.attendance_of(session.id)
    here = [a for a in attendance if a.attended]
    going = {
        r.person_id
        for r in await ctx.storage.rsvps_of(session.occurrence_id)
        if r.status is RsvpStatus.GOING
    }
    started = session.started_at.astimezone(ZoneInfo(circle.zone))
    lines = [texts.SUMMARY_HEADER.format(title=circle.title, date=when.show_date(started.date()))]
    if here:
        names = ", ".join([await name_of(ctx, a.person_id) for a in here])
        lines.append(texts.SUMMARY_HERE.format(count=len(here), names=names))
    else:
        lines.append(texts.SUMMARY_NOBODY_HERE)
    came = sum(1 for a in here if a.person_id in going)
    if going:
        lines.append(texts.SUMMARY_GOING.format(going=len(going), came=came))
    elif here:
        lines.append(texts.SUMMARY_NOBODY_GOING.format(count=len(here)))
    lines.append(
        texts.SUMMARY_SHARES.format(
            shares=sum(a.shared for a in here), passes=sum(1 for a in here if a.passed)
        )
    )
    pulses = await ctx.storage.pulses_of(session.id)
    if len(pulses) >= MIN_PULSES:
        lines.append(
            texts.SUMMARY_PULSE.format(average=f"{fmean(pulses):.1f}", answers=len(pulses))
        )
    else:
        lines.append(texts.SUMMARY_PULSE_FEW.format(minimum=MIN_PULSES, answers=len(pulses)))
    used = (session.ended_at or ctx.clock()) - session.started_at
    lines.append(
        texts.SUMMARY_TIME.format(
            used=when.show_minutes(used), planned=when.show_minutes(circle.duration)
        )
    )
    lines.append(texts.SUMMARY_CLOSE)
    return "\n".join(lines)


async def run_circle_summary(ctx: Context, work: DueWork, now: datetime) -> DueWork | None:
    """The summary, if not every attendee answered the pulse within ``PULSE_WAIT``."""
    session = await ctx.storage.get_session(int(work.subject))
    circle = await ctx.storage.get_circle(session.circle_id) if session else None
    if session is None or circle is None:
        return None
    await send_summary(ctx, circle, session.id)
    return None
