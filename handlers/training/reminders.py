"""Reminders before a training expires: 30 and 7 days before, at 10 am in the mentor's zone.

A training with an expiry gets one row of kind ``training-expiry`` in the due queue (subject:
the training's id), at the next mark still ahead. The handler sends through the delivery
ledger (occurrence ``<expiry>:<days>``, so a restart or a second process never sends one
twice, and an entry id reused after a removal never collides), then moves the row to the next
mark. Nothing is sent for an entry that was removed or renewed (a later entry of the same
course), nor to a mentor who stopped. The rows are routine work: they wait behind urgent sends.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.context import Context
from handlers.messaging import DeliveryError, OutgoingMessage
from handlers.numbers import read_whole
from handlers.outbox import deliver, prompt_ref
from handlers.profile import DateStyle, format_date
from handlers.texts.plurals import DAY, counted
from handlers.timing import is_valid_zone
from handlers.training import texts
from handlers.training.status import latest_by_course
from storage.due_queue import DueWork
from storage.training import Training

log = logging.getLogger(__name__)

TRAINING_EXPIRY = "training-expiry"
"""The due-queue and ledger kind."""
MARKS = (30, 7)
"""Days before the expiry a reminder goes out, first to last."""
REMINDER_TIME = time(10, 0)


def _due_at(expires_on: date, days: int, zone: str | None) -> datetime:
    tz = ZoneInfo(zone if zone is not None and is_valid_zone(zone) else "UTC")
    day = expires_on - timedelta(days=days)
    return datetime.combine(day, REMINDER_TIME, tzinfo=tz).astimezone(UTC)


def reminder_work(training: Training, zone: str | None, after: datetime) -> DueWork | None:
    """The first reminder of ``training`` strictly after ``after``, or None."""
    if training.expires_on is None:
        return None
    for days in MARKS:
        due = _due_at(training.expires_on, days, zone)
        if due > after:
            return DueWork(
                TRAINING_EXPIRY,
                str(training.id),
                due,
                f"{training.expires_on.isoformat()}:{days}",
                person_id=training.person_id,
            )
    return None


async def schedule(ctx: Context, training: Training) -> DueWork | None:
    """Put the training's next reminder in the queue (or take its row out)."""
    zone = (await ctx.storage.get_settings(training.person_id)).timezone
    work = reminder_work(training, zone, ctx.clock())
    if work is None:
        await ctx.storage.clear_due(TRAINING_EXPIRY, str(training.id))
    else:
        await ctx.storage.set_due(work)
    return work


async def reschedule_person(ctx: Context, person_id: int) -> None:
    """The schedule hook: a new zone moves each waiting reminder to 10 am in it. The mark a
    row waits for is kept, even when it is now in the past (then it goes at once): a reminder
    is never skipped by a settings change."""
    zone = (await ctx.storage.get_settings(person_id)).timezone
    for training in await ctx.storage.trainings_of(person_id):
        row = await ctx.storage.get_due(TRAINING_EXPIRY, str(training.id))
        if row is None or training.expires_on is None:
            continue
        mark = read_whole(row.occurrence.rpartition(":")[2], max_digits=2)
        if mark not in MARKS:
            continue
        due = _due_at(training.expires_on, mark, zone)
        await ctx.storage.set_due(replace(row, due_at=due, lease_owner=None, lease_until=None))


async def run_reminder(ctx: Context, work: DueWork, now: datetime) -> DueWork | None:
    """The due handler: remind once for this mark, then wait for the next one."""
    training = await ctx.storage.get_training(int(work.subject))
    if training is None or training.expires_on is None:
        return None
    person = await ctx.storage.get_person(training.person_id)
    if person is None or person.stopped_at is not None:
        return None
    zone = (await ctx.storage.get_settings(training.person_id)).timezone
    after = max(now, work.due_at)
    next_work = reminder_work(training, zone, after)
    latest = latest_by_course(await ctx.storage.trainings_of(training.person_id))
    renewed = any(
        t.id != training.id and t is latest.get(key)
        for key, t in latest.items()
        if key == " ".join(training.course.casefold().split())
    )
    if renewed:
        return None
    ref = await prompt_ref(ctx, training.person_id)
    if ref is None:
        return next_work
    days_left = (training.expires_on - now.astimezone(ZoneInfo(zone or "UTC")).date()).days
    message = OutgoingMessage(
        texts.EXPIRY_REMINDER.format(
            course=training.course,
            date=format_date(training.expires_on, DateStyle.DAY_MONTH_YEAR_LONG),
            days=counted(DAY, max(days_left, 0)),
        )
    )
    try:
        await deliver(
            ctx,
            kind=TRAINING_EXPIRY,
            subject=work.subject,
            occurrence=work.occurrence,
            person_id=training.person_id,
            ref=ref,
            message=message,
        )
    except DeliveryError as err:
        if not err.permanent:
            raise  # the lease runs out and the row is tried again; the ledger keeps what was sent
        log.warning("training reminder %s could not be delivered: %s", work.subject, err.reason)
    return next_work
