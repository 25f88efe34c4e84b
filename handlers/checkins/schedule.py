"""Keeping a person's next check-in row in the due queue in step with their settings.

Called whenever something that decides the next prompt changes (onboarding finished, a new
time or zone, /pause, /resume, /stop, /start after /stop), so the change takes effect at once.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from handlers.context import Context
from handlers.profile import PAUSED_INDEFINITELY, time_from_setting
from handlers.timing import is_valid_zone, next_checkin_due, occurrence_key
from storage.due_queue import DueWork
from storage.people import Person, Settings

log = logging.getLogger(__name__)

CHECKIN = "checkin"


GOLDEN = (math.sqrt(5) - 1) / 2
"""Consecutive ids land far apart in the window (a low-discrepancy sequence), so any run of
people who signed up together is spread evenly, not bunched."""


def spread_offset(person_id: int, spread: timedelta) -> timedelta:
    """Where in the ``spread`` window this person's prompt goes: the same every day, so a
    person's prompt comes at a steady time, between 0 and ``spread``, whole seconds."""
    if spread <= timedelta(0):
        return timedelta(0)
    fraction = (person_id * GOLDEN) % 1.0
    return timedelta(seconds=int(fraction * spread.total_seconds()))


async def after_schedule_change(ctx: Context, person_id: int) -> DueWork | None:
    """Recompute the person's next check-in from their settings; returns the row, if any."""
    work = await next_checkin_work(ctx, person_id, after=ctx.clock())
    if work is None:
        await ctx.storage.clear_due(CHECKIN, str(person_id))
    else:
        await ctx.storage.set_due(work)
    return work


async def next_checkin_work(ctx: Context, person_id: int, after: datetime) -> DueWork | None:
    """The person's next check-in strictly after ``after``, or None if none should be sent."""
    person = await ctx.storage.get_person(person_id)
    if person is None:
        return None
    settings = await ctx.storage.get_settings(person_id)
    return next_checkin_for(person, settings, after, ctx.program.checkin.spread)


def next_checkin_for(
    person: Person, settings: Settings, after: datetime, spread: timedelta = timedelta(0)
) -> DueWork | None:
    """:func:`next_checkin_work` for a person and settings already loaded. With a
    ``spread``, the prompt comes the person's :func:`spread_offset` after their time (the day
    it counts for is still the day of their chosen time)."""
    person_id = person.id
    if not person.onboarded or person.stopped_at is not None:
        return None
    if settings.timezone is None or settings.checkin_time is None:
        return None
    if not is_valid_zone(settings.timezone):
        log.warning("person %s has a zone no longer in the tz database", person_id)
        return None
    if settings.paused_until is not None and settings.paused_until > after:
        if settings.paused_until >= PAUSED_INDEFINITELY:
            return None
        after = settings.paused_until
    chosen = time_from_setting(settings.checkin_time)
    offset = spread_offset(person_id, spread)
    # The chosen time after `after` less the offset: today's prompt, already moved past its
    # time by the offset, is still today's.
    due_at = next_checkin_due(chosen, settings.timezone, after - offset)
    return DueWork(
        kind=CHECKIN,
        subject=str(person_id),
        person_id=person_id,
        due_at=due_at + offset,
        occurrence=occurrence_key(due_at, settings.timezone),
    )
