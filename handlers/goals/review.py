"""The weekly goal review: a short look at one's goals on a day the person picks.

``/goal review`` offers the weekdays as buttons (``/goal review sunday`` and ``/goal review off``
work too). The review is a row of kind ``goal_review`` in the due queue, at ``REVIEW_TIME`` in
the person's zone on their day (DST-correct, through :func:`next_checkin_due`), sent once per
occurrence through the delivery ledger. Nothing is sent while the person is paused or stopped,
nor when they have no open goals, but the row keeps its weekly rhythm so nothing needs
rescheduling when they come back.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from handlers import profile
from handlers.context import Context, Replies, Turn
from handlers.goals import texts
from handlers.goals.cards import REVIEW_DAY, ReviewDayPress, goal_buttons, goal_lines
from handlers.messaging import DeliveryError, OutgoingMessage
from handlers.numbers import read_whole
from handlers.outbox import deliver, pause_unreachable, prompt_ref
from handlers.timing import (
    TimingError,
    is_valid_zone,
    local_date,
    next_checkin_due,
    occurrence_key,
    parse_quiet_hours,
)
from storage.deliveries import DeliveryStatus
from storage.due_queue import DueWork

log = logging.getLogger(__name__)

GOAL_REVIEW = "goal_review"
"""The due-queue and ledger kind."""
REVIEW_TIME = time(10, 0)
"""Local time of the review: mid-morning, away from the evening check-in and quiet hours."""
MAX_LATENESS = timedelta(hours=12)
OFF = "off"


def _weekday(word: str) -> int | None:
    key = word.strip().casefold()
    for number, name in enumerate(texts.WEEKDAYS):
        if key and (key == name.casefold() or (len(key) >= 3 and name.casefold().startswith(key))):
            return number
    return None


def ask_day(text: str = "") -> OutgoingMessage:
    buttons = [
        REVIEW_DAY.button(name, ReviewDayPress(str(n))) for n, name in enumerate(texts.WEEKDAYS)
    ]
    buttons.append(REVIEW_DAY.button(texts.REVIEW_OFF, ReviewDayPress(OFF)))
    question = text or texts.ASK_REVIEW_DAY.format(time=profile.format_time(REVIEW_TIME))
    return OutgoingMessage.with_buttons(question, buttons, per_row=4)


async def review_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/goal review [DAY|off]``."""
    if not args:
        return [ask_day()]
    return await review_day_chosen(ctx, turn, " ".join(args))


async def review_day_chosen(ctx: Context, turn: Turn, value: str) -> Replies:
    assert turn.person is not None
    person_id = turn.person.id
    if value.strip().casefold() in (OFF, "none", "stop", "no"):
        await ctx.storage.set_goal_review_day(person_id, None, ctx.clock())
        await schedule_review(ctx, person_id)
        return [OutgoingMessage(texts.REVIEW_CLEARED)]
    number = read_whole(value, max_digits=1)
    weekday = number if number is not None and number < 7 else _weekday(value)
    if weekday is None:
        return [ask_day(texts.REVIEW_DAY_UNKNOWN)]
    await ctx.storage.set_goal_review_day(person_id, weekday, ctx.clock())
    await schedule_review(ctx, person_id)
    return [
        OutgoingMessage(
            texts.REVIEW_SET.format(
                day=texts.WEEKDAYS[weekday], time=profile.format_time(REVIEW_TIME)
            )
        )
    ]


async def schedule_review(ctx: Context, person_id: int) -> DueWork | None:
    """Put the person's next review in the due queue (or take it out)."""
    work = await next_review_work(ctx, person_id, after=ctx.clock())
    if work is None:
        await ctx.storage.clear_due(GOAL_REVIEW, str(person_id))
    else:
        await ctx.storage.set_due(work)
    return work


async def next_review_work(ctx: Context, person_id: int, after: datetime) -> DueWork | None:
    """The first review strictly after ``after``, or None if the person has none."""
    weekday = await ctx.storage.goal_review_day(person_id)
    if weekday is None or await ctx.storage.get_person(person_id) is None:
        return None
    zone = (await ctx.storage.get_settings(person_id)).timezone
    if zone is None or not is_valid_zone(zone):
        return None
    due = after
    for _ in range(8):
        due = next_checkin_due(REVIEW_TIME, zone, due)
        if local_date(due, zone).weekday() == weekday:
            return DueWork(
                GOAL_REVIEW, str(person_id), due, occurrence_key(due, zone), person_id=person_id
            )
    return None


async def run_goal_review(ctx: Context, work: DueWork, now: datetime) -> DueWork | None:
    """The due handler: send this week's review once, and say when the next one is due."""
    assert work.person_id is not None
    person_id = work.person_id
    next_work = await next_review_work(ctx, person_id, after=work.due_at)
    person = await ctx.storage.get_person(person_id)
    if next_work is None or person is None:
        return None
    settings = await ctx.storage.get_settings(person_id)
    goals = await ctx.storage.goals_of(person_id)
    skip = None
    if person.stopped_at is not None:
        skip = "stopped"
    elif settings.paused_until is not None and settings.paused_until > now:
        skip = "paused"
    elif now - work.due_at > MAX_LATENESS:
        skip = "later than the review's max lateness"
    elif not goals:
        skip = "no open goals"
    if skip is not None:
        status = await ctx.storage.delivery_status(GOAL_REVIEW, work.subject, work.occurrence)
        if status is None or not status.final:
            await ctx.storage.finish_delivery(
                GOAL_REVIEW,
                work.subject,
                work.occurrence,
                DeliveryStatus.SKIPPED,
                now,
                reason=skip,
                person_id=person_id,
            )
        return next_work
    quiet = settings.quiet_hours or ctx.program.checkin.quiet_hours
    try:
        allowed_at = parse_quiet_hours(quiet).end_after(now, settings.timezone or "UTC")
    except TimingError:
        allowed_at = now
    if allowed_at > now:  # their own quiet hours cover the review time: wait, same occurrence
        return DueWork(GOAL_REVIEW, work.subject, allowed_at, work.occurrence, person_id=person_id)
    ref = await prompt_ref(ctx, person_id)
    if ref is None:
        return None
    message = OutgoingMessage.with_buttons(
        texts.REVIEW_PROMPT.format(
            name=person.display_name or "there", lines="\n".join(goal_lines(goals))
        ),
        goal_buttons(goals),
        per_row=1,
    )
    try:
        await deliver(
            ctx,
            kind=GOAL_REVIEW,
            subject=work.subject,
            occurrence=work.occurrence,
            person_id=person_id,
            ref=ref,
            message=message,
        )
    except DeliveryError as err:
        if not err.permanent:
            raise  # the lease runs out and the row is tried again
        await pause_unreachable(ctx, person_id, err)
        return None
    return next_work
