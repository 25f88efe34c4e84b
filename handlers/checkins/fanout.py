"""Big programs: how many daily prompts fall due together, whether the platform's rate can
deliver them before ``max_lateness``, and ``[checkin] spread``, which staggers people who chose
the same minute over a window instead of asking for them all at once.

A platform sends so many messages a second (Telegram: 30; more with paid broadcasts). Prompts
due in one minute go out in turn, so the last of a big group goes out ``people / rate`` after
the first; past ``max_lateness`` a prompt is recorded as missed instead of sent (see
:mod:`handlers.checkins.batch`). :func:`lateness_warning` says so at start, with the figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.checkins.schedule import CHECKIN
from handlers.context import Context


@dataclass(frozen=True, slots=True)
class Backlog:
    """The worst moment of a day's prompts at a given rate."""

    minute: datetime
    """The minute whose last prompt is the latest."""
    people: int
    """How many prompts were due in that minute."""
    lateness: timedelta
    """How late its last prompt goes out."""
    late: int
    """How many prompts of the day go out later than ``max_lateness`` (recorded as missed)."""


def worst_backlog(
    per_minute: Sequence[tuple[datetime, int]], per_second: float, max_lateness: timedelta
) -> Backlog | None:
    """Send ``per_minute``'s prompts at ``per_second``, in order, each minute's as they come
    (a queue served at the rate): the latest any prompt goes out, and how many are too late."""
    if not per_minute or per_second <= 0:
        return None
    worst: Backlog | None = None
    free_at: datetime | None = None  # when the sender is done with what came before
    late = 0
    limit = max_lateness.total_seconds()
    for minute, count in per_minute:
        start = minute if free_at is None or free_at < minute else free_at
        waited = (start - minute).total_seconds()
        last = waited + count / per_second
        in_time = max(0, math.floor((limit - waited) * per_second + 1e-9))  # k-th at k/rate
        late += max(0, count - in_time)
        free_at = start + timedelta(seconds=count / per_second)
        if worst is None or last > worst.lateness.total_seconds():
            worst = Backlog(minute, count, timedelta(seconds=last), 0)
    assert worst is not None
    return Backlog(worst.minute, worst.people, worst.lateness, late)


async def lateness_warning(ctx: Context, per_second: float, platform: str) -> str | None:
    """A warning with the figures when the prompts now in the queue cannot all go out within
    ``max_lateness`` at ``per_second`` (``platform`` names where that rate comes from)."""
    max_lateness = ctx.program.checkin.max_lateness
    backlog = worst_backlog(await ctx.storage.due_per_minute(CHECKIN), per_second, max_lateness)
    if backlog is None or backlog.late == 0:
        return None
    return (
        f"{backlog.people} daily prompts are due at {backlog.minute:%H:%M} UTC; at"
        f" {per_second:.1f} messages/s on {platform} the last goes out"
        f" {_minutes(backlog.lateness)} late, beyond [checkin] max_lateness"
        f" ({_minutes(max_lateness)}): about {backlog.late} prompts a day would be recorded as"
        " missed instead of sent. Set [checkin] spread to stagger them, raise max_lateness, or"
        " (Telegram) allow_paid_broadcast."
    )


def _minutes(span: timedelta) -> str:
    return f"{span.total_seconds() / 60:.1f} min"
