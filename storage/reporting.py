"""Read-only queries behind the coordinator's report and the personal progress chart.

Aggregates are computed in the database (a program's check-ins can run to millions of rows);
what comes back is small. Each aggregate carries the number of distinct people behind it, so
the report can suppress any figure that could single someone out. Nothing here writes.

Escalations and circles live in tables other areas own (``alerts``, ``circle_*``). Their queries
look the tables and columns up first and return ``None`` when they are not there yet, so the
report can say "no data yet" instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol


@dataclass(frozen=True, slots=True)
class RoleCount:
    role: str
    people: int
    """Onboarded people with this role."""
    joined: int
    """Of those, how many were onboarded in the period."""
    stopped: int
    """Of those, how many have sent /stop (and not come back)."""


@dataclass(frozen=True, slots=True)
class CompletionCounts:
    """Prompted days (ledger kind ``checkin``, sent or missed) and how many were answered."""

    prompted: int
    answered: int
    people: int


@dataclass(frozen=True, slots=True)
class RetentionCounts:
    days: int
    eligible: int
    """Mentees onboarded at least ``days`` days before the report's end."""
    retained: int
    """Of those, how many completed a check-in in the week up to day ``days``."""


@dataclass(frozen=True, slots=True)
class WeekTrend:
    week_start: date
    """The Monday of the week (check-ins count by their local date)."""
    people: int
    checkins: int
    mood_avg: float | None
    craving_avg: float | None


def weeks_between(start: date, end: date) -> list[tuple[date, date, date]]:
    """The weeks that ``[start, end]`` touches, oldest first: each week's Monday and the first
    and last of its days inside the range."""
    weeks = []
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        weeks.append((monday, max(monday, start), min(monday + timedelta(days=6), end)))
        monday += timedelta(days=7)
    return weeks


@dataclass(frozen=True, slots=True)
class GoalCounts:
    created: int
    people_created: int
    completed: int
    people_completed: int


@dataclass(frozen=True, slots=True)
class AlertRow:
    trigger: str
    person_id: int | None
    raised_at: datetime
    acknowledged_at: datetime | None


@dataclass(frozen=True, slots=True)
class CircleCounts:
    held: int
    """Sessions that took place in the period."""
    expected: int
    """Places at those sessions (RSVPs, or attendance rows when there are no RSVPs)."""
    attended: int
    people: int
    """Distinct people expected at them."""


@dataclass(frozen=True, slots=True)
class DailyScore:
    """One day's completed check-in (the latest, if there were two)."""

    local_date: date
    mood: float | None
    craving: float | None


class ReportStore(Protocol):
    """Aggregates for the coordinator's report and one person's progress chart."""

    async def people_by_role(self, since: datetime) -> list[RoleCount]: ...

    async def checkin_completion(self, start: date, end: date) -> CompletionCounts:
        """Prompted occurrences with local dates in ``[start, end]`` and how many were answered
        (a completed check-in for that person and day, prompted or on demand)."""
        ...

    async def retention(self, days: int, now: datetime) -> RetentionCounts: ...

    async def weekly_trends(self, start: date, end: date) -> list[WeekTrend]:
        """Mood and craving of completed check-ins in ``[start, end]``, by week, oldest first."""
        ...

    async def goal_counts(self, since: datetime, now: datetime) -> GoalCounts: ...

    async def alert_rows(self, since: datetime, now: datetime) -> list[AlertRow] | None:
        """Escalations raised in the period; None when the alerts table is not there (yet)."""
        ...

    async def circle_counts(self, since: datetime, now: datetime) -> CircleCounts | None:
        """Circles held in the period; None when the circle tables are not there (yet)."""
        ...

    async def daily_scores(self, person_id: int, start: date, end: date) -> list[DailyScore]:
        """One person's completed check-ins with local dates in ``[start, end]``."""
        ...

    async def prompted_days(self, person_id: int, start: date, end: date) -> list[date]:
        """The days in ``[start, end]`` the person was sent (or due) a check-in prompt."""
        ...
