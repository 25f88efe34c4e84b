"""Alerts from the daily check-in: a reported use, a strong craving, a run of low moods, and
a run of missed check-ins. Each raises a normal alert up the mentor chain
(:func:`handlers.mentoring.escalation.raise_alert`).

The check of a completed check-in is queued in the same transaction that completes it
(:func:`checkin_alert_work`) and cleared once it has run, so a crash or an error in between
leaves it to the due queue (:func:`run_checkin_alert`) instead of losing the alert.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from handlers.context import Context
from handlers.logsafe import describe_exception
from handlers.mentoring import escalation_texts as texts
from handlers.mentoring.escalation import raise_alert
from storage.checkins import Answer, Checkin
from storage.due_queue import DueWork
from storage.mentoring import Trigger

log = logging.getLogger(__name__)

LOW_MOOD = 2
LOW_MOOD_RUN = 3


async def after_checkin(ctx: Context, person_id: int, answers: dict[str, Answer]) -> str | None:
    """Raise at most one alert for a completed check-in; the line telling the mentee, if any.

    A reported use outranks a strong craving, which outranks a run of low moods. Raises if
    the alert could not be raised: callers keep the due-queue row then, so it is retried.
    """
    settings = ctx.program.escalation
    used, craving, mood = answers.get("used"), answers.get("craving"), answers.get("mood")
    trigger: Trigger | None = None
    if used is not None and used.text == "yes":
        trigger = Trigger.USE
    elif craving is not None and (craving.number or 0) >= settings.craving_threshold:
        trigger = Trigger.CRAVING
    elif mood is not None and mood.number is not None and mood.number <= LOW_MOOD:
        if await _low_mood_run(ctx, person_id):
            trigger = Trigger.LOW_MOOD
    if trigger is None:
        return None
    outcome = await raise_alert(ctx, person_id, trigger)
    return texts.MENTEE_TOLD if outcome.mentor_told else None


CHECKIN_ALERT = "checkin_alert"
"""Due-queue kind: check a completed check-in's answers for an alert (subject: its id)."""
CHECKIN_ALERT_GRACE = timedelta(minutes=2)
"""How long the turn that completed a check-in has to check it before the due queue does."""


def checkin_alert_work(checkin: Checkin, now: datetime) -> DueWork:
    """The due-queue row that makes sure a completed check-in is checked for an alert: queued
    with the completion, cleared by :func:`checkin_alert` once the check has run."""
    return DueWork(
        kind=CHECKIN_ALERT,
        subject=str(checkin.id),
        due_at=now + CHECKIN_ALERT_GRACE,
        occurrence="1",
        person_id=checkin.person_id,
    )


async def checkin_alert(ctx: Context, checkin: Checkin, answers: dict[str, Answer]) -> str | None:
    """:func:`after_checkin` for the turn that completed the check-in, then its queued row
    is cleared. Never raises: on a failure the row stays and :func:`run_checkin_alert` tries
    again later (an alert the first try did raise is reused, not repeated)."""
    try:
        told = await after_checkin(ctx, checkin.person_id, answers)
        await ctx.storage.clear_due(CHECKIN_ALERT, str(checkin.id))
    except Exception as exc:
        log.error("check-in %s alert check failed: %s", checkin.id, describe_exception(exc))
        return None
    return told


async def run_checkin_alert(ctx: Context, work: DueWork, now: datetime) -> DueWork | None:
    """The due-queue handler: the turn that completed the check-in did not get to check it
    (a crash or an error); failing again leaves the row for the next try."""
    checkin = await ctx.storage.get_checkin(int(work.subject))
    if checkin is None or checkin.completed_at is None:
        return None  # erased meanwhile
    log.info("check-in %s checked for an alert by the due queue", checkin.id)
    await after_checkin(ctx, checkin.person_id, await ctx.storage.answers_of(checkin.id))
    return None


async def _low_mood_run(ctx: Context, person_id: int) -> bool:
    """Exactly :data:`LOW_MOOD_RUN` low moods in a row just now (so a longer run alerts once)."""
    recent = await ctx.storage.recent_checkins(person_id, LOW_MOOD_RUN + 1)
    moods = [c.answers["mood"].number for c in recent if "mood" in c.answers]
    low = [m is not None and m <= LOW_MOOD for m in moods]
    run = next((i for i, is_low in enumerate(low) if not is_low), len(low))
    return run == LOW_MOOD_RUN


async def after_missed_checkins(ctx: Context, person_id: int, misses: int) -> None:
    """A normal alert when the run of missed check-ins reaches ``missed_checkins``."""
    if misses != ctx.program.escalation.missed_checkins:
        return
    try:
        await raise_alert(ctx, person_id, Trigger.MISSED)
    except Exception as exc:
        log.error("missed check-in alert failed for %s: %s", person_id, describe_exception(exc))
