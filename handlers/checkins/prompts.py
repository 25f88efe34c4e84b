"""The one reminder after an unanswered check-in prompt, and what prompts and reminders share.

The prompts themselves are sent by :mod:`handlers.checkins.batch`, a claimed batch at a time;
this module is the due-queue handler for the kind ``reminder``: the scheduling package claims
a due row, calls it, and stores the next row it returns.
"""

from __future__ import annotations

import functools
import logging
from datetime import date, datetime

from handlers.checkins import texts
from handlers.context import Context
from handlers.messaging import DeliveryError, OutgoingMessage
from handlers.outbox import deliver, pause_unreachable, prompt_ref
from handlers.timing import QuietHours, TimingError, parse_quiet_hours
from storage.due_queue import DueWork
from storage.people import Settings

log = logging.getLogger(__name__)

REMINDER = "reminder"
MISS = "missed-checkin"
"""Ledger kind that makes counting a missed day idempotent across retries and restarts."""


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
        await pause_unreachable(ctx, person_id, err)
    return None


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
