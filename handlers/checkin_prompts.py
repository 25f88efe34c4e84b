"""Scheduled check-in prompts and the one reminder after an unanswered prompt.

These are the due-queue handlers for the kinds ``checkin`` and ``reminder``: the scheduling
package claims a due row and calls one of them, and stores the next row it returns.

The default worker hands ``checkin`` rows to :mod:`handlers.checkin_batch` instead, a claimed
batch at a time: the same decisions, in a few storage round trips per batch. The row-by-row
:func:`run_scheduled_checkin` is what a worker given its own handler mapping runs.
"""

from __future__ import annotations

import functools
import logging
from datetime import date, datetime

from handlers import escalation
from handlers.checkin import begin
from handlers.context import Context
from handlers.messaging import DeliveryError, OutgoingMessage
from handlers.outbox import deliver, prompt_ref
from handlers.schedule import CHECKIN, PAUSED_INDEFINITELY, next_checkin_for
from handlers.texts import checkin as texts
from handlers.timing import QuietHours, TimingError, parse_quiet_hours
from storage.models import AccountAddress, DeliveryStatus, DueWork, Settings

log = logging.getLogger(__name__)

REMINDER = "reminder"
MISS = "missed-checkin"
"""Ledger kind that makes counting a missed day idempotent across retries and restarts."""


async def run_scheduled_checkin(ctx: Context, work: DueWork, now: datetime) -> DueWork | None:
    """Send one person's daily prompt (once), and say when the next one is due."""
    assert work.person_id is not None
    person_id = work.person_id
    person = await ctx.storage.get_person(person_id)
    if person is None:
        return None
    settings = await ctx.storage.get_settings(person_id)
    next_work = next_checkin_for(person, settings, after=work.due_at)
    if next_work is None:
        return None  # stopped or paused since this row was written: nothing to send
    day = date.fromisoformat(work.occurrence)
    await _count_unanswered_before(ctx, person_id, day)
    if now - work.due_at > ctx.program.checkin.max_lateness:
        await _record_miss(ctx, work, day, reason="later than max_lateness")
        return next_work
    if await ctx.storage.completed_on(person_id, day):
        await ctx.storage.finish_delivery(
            CHECKIN,
            work.subject,
            work.occurrence,
            DeliveryStatus.SKIPPED,
            now,
            reason="already checked in",
            person_id=person_id,
        )
        return next_work
    if await _settled(ctx, CHECKIN, work):
        return next_work
    ref = await prompt_ref(ctx, person_id, settings)
    if ref is None:
        return None
    opening, question = await begin(
        ctx,
        person_id,
        AccountAddress(ref.platform, ref.user_id),
        source="scheduled",
        local_date=day,
        opening=texts.PROMPT_OPENING.format(name=person.display_name or "there"),
    )
    prompt = OutgoingMessage(f"{opening.text}\n\n{question.text}", rows=question.rows)
    try:
        await deliver(
            ctx,
            kind=CHECKIN,
            subject=work.subject,
            occurrence=work.occurrence,
            person_id=person_id,
            ref=ref,
            message=prompt,
        )
    except DeliveryError as err:
        if not err.permanent:
            raise  # the lease runs out and the row is tried again: never dropped
        await _pause_after_permanent_failure(ctx, person_id, err)
        return None
    reminder_at = outside_quiet_hours(
        ctx, settings, work.due_at + ctx.program.checkin.reminder_after
    )
    await ctx.storage.set_due(
        DueWork(REMINDER, work.subject, reminder_at, work.occurrence, person_id=person_id)
    )
    return next_work


async def run_reminder(ctx: Context, work: DueWork, now: datetime) -> DueWork | None:
    """Nudge once about an unanswered prompt, outside the person's quiet hours."""
    assert work.person_id is not None
    person_id = work.person_id
    if await ctx.storage.completed_on(person_id, date.fromisoformat(work.occurrence)):
        return None
    person = await ctx.storage.get_person(person_id)
    if person is None or person.stopped_at is not None:
        return None
    settings = await ctx.storage.get_settings(person_id)
    if settings.paused_until is not None and settings.paused_until > now:
        return None
    allowed_at = await _outside_quiet_hours(ctx, person_id, now)
    if allowed_at > now:
        return DueWork(REMINDER, work.subject, allowed_at, work.occurrence, person_id=person_id)
    ref = await prompt_ref(ctx, person_id)
    if ref is None:
        return None
    try:
        await deliver(
            ctx,
            kind=REMINDER,
            subject=work.subject,
            occurrence=work.occurrence,
            person_id=person_id,
            ref=ref,
            message=OutgoingMessage(texts.REMINDER),
        )
    except DeliveryError as err:
        if not err.permanent:
            raise
        await _pause_after_permanent_failure(ctx, person_id, err)
    return None


async def _settled(ctx: Context, kind: str, work: DueWork) -> bool:
    status = await ctx.storage.delivery_status(kind, work.subject, work.occurrence)
    return status is not None and status.final


async def _record_miss(ctx: Context, work: DueWork, day: date, *, reason: str) -> None:
    now = ctx.clock()
    if not await _settled(ctx, CHECKIN, work):
        await ctx.storage.finish_delivery(
            CHECKIN,
            work.subject,
            work.occurrence,
            DeliveryStatus.MISSED,
            now,
            reason=reason,
            person_id=work.person_id,
        )
    await _count_miss_once(ctx, work.subject, day, work.person_id)


async def _count_unanswered_before(ctx: Context, person_id: int, day: date) -> None:
    """The last prompted day before ``day`` that was never answered counts as a miss."""
    previous = await ctx.storage.latest_checkin(person_id, source="scheduled", before=day)
    if previous is None or await ctx.storage.completed_on(person_id, previous.local_date):
        return
    await _count_miss_once(ctx, str(person_id), previous.local_date, person_id)


async def _count_miss_once(ctx: Context, subject: str, day: date, person_id: int | None) -> None:
    occurrence = day.isoformat()
    status = await ctx.storage.begin_delivery(MISS, subject, occurrence, person_id, ctx.clock())
    if status.final or person_id is None:
        return
    misses = await ctx.storage.count_miss(person_id)
    await escalation.after_missed_checkins(ctx, person_id, misses)
    await ctx.storage.finish_delivery(
        MISS, subject, occurrence, DeliveryStatus.SKIPPED, ctx.clock(), person_id=person_id
    )


async def _outside_quiet_hours(ctx: Context, person_id: int, moment: datetime) -> datetime:
    return outside_quiet_hours(ctx, await ctx.storage.get_settings(person_id), moment)


def outside_quiet_hours(ctx: Context, settings: Settings, moment: datetime) -> datetime:
    """``moment``, or when the person's quiet hours covering it end."""
    quiet = _quiet_hours(settings.quiet_hours or ctx.program.checkin.quiet_hours)
    if quiet is None:  # a stored spec that no longer parses: don't hold it back
        return moment
    try:
        return quiet.end_after(moment, settings.timezone or "UTC")
    except TimingError:  # a zone gone from the tz database: don't hold it back either
        return moment


@functools.lru_cache(maxsize=256)  # a program has few distinct specs; a fan-out reads them all
def _quiet_hours(spec: str) -> QuietHours | None:
    try:
        return parse_quiet_hours(spec)
    except TimingError:
        return None


async def _pause_after_permanent_failure(ctx: Context, person_id: int, err: DeliveryError) -> None:
    """A blocked bot or a deleted chat: stop trying, and record why for their mentor."""
    log.warning("pausing person %s: permanent delivery failure (%s)", person_id, err.reason)
    await ctx.storage.update_settings(
        person_id, paused_until=PAUSED_INDEFINITELY, paused_reason=err.reason
    )
    await ctx.storage.clear_due(CHECKIN, str(person_id))
