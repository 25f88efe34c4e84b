"""The coordinator's outcomes report: figures computed from storage's aggregates.

:func:`collect` asks storage for the aggregates of a period; :func:`build_report` (pure) turns
them into sections of rows, suppressing any figure over fewer than ``MIN_CELL`` people so
nobody can be picked out, and saying "no data yet" rather than dividing by zero. Rendering as a
table, CSV or JSON is in :mod:`handlers.reporting.format`; charts in
:mod:`handlers.reporting.charts`.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from handlers.reporting import texts
from handlers.texts.plurals import DAY, counted
from storage.base import Storage
from storage.reporting import (
    AlertRow,
    CircleCounts,
    CompletionCounts,
    GoalCounts,
    RetentionCounts,
    RoleCount,
    WeekTrend,
)

MIN_CELL = 5
"""Suppress any aggregate over fewer people than this."""
RETENTION_DAYS = (30, 60, 90)

Value = int | float | None
"""``None``: suppressed or no data (the row's ``note`` says which)."""


@dataclass(frozen=True, slots=True)
class ReportInputs:
    """Everything :func:`build_report` needs, as storage returned it."""

    program: str
    since: datetime
    until: datetime
    roles: list[RoleCount]
    completion: CompletionCounts
    retention: list[RetentionCounts]
    trends: list[WeekTrend]
    goals: GoalCounts
    alerts: list[AlertRow] | None
    circles: CircleCounts | None


@dataclass(frozen=True, slots=True)
class ReportRow:
    group: str
    values: dict[str, Value]
    people: int | None = None
    """Distinct people behind the row, when it is about people."""
    note: str = ""
    """Why the row's values are withheld (suppressed, no data), if they are."""
    hidden: frozenset[str] = frozenset()
    """Columns suppressed on their own (each a count of fewer than ``MIN_CELL`` people)."""

    def note_for(self, column: str) -> str:
        return texts.SUPPRESSED if column in self.hidden else self.note


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[ReportRow, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Report:
    program: str
    since: datetime
    until: datetime
    sections: tuple[Section, ...] = field(default=())
    empty: bool = False


Progress = Callable[[str], None]


async def collect(
    storage: Storage,
    program: str,
    since: datetime,
    until: datetime,
    progress: Progress | None = None,
) -> ReportInputs:
    """Ask storage for every aggregate of the period; ``progress`` hears each step's name."""

    def step(name: str) -> None:
        if progress is not None:
            progress(name)

    first_day = since.date()
    yesterday = until.date() - timedelta(days=1)
    step(texts.PEOPLE)
    roles = await storage.people_by_role(since)
    step(texts.COMPLETION)
    completion = await storage.checkin_completion(first_day, yesterday)
    step(texts.RETENTION)
    retention = [await storage.retention(days, until) for days in RETENTION_DAYS]
    step(texts.TRENDS)
    trends = await storage.weekly_trends(first_day, yesterday)
    step(texts.GOALS)
    goals = await storage.goal_counts(since, until)
    step(texts.ESCALATIONS)
    alerts = await storage.alert_rows(since, until)
    step(texts.CIRCLES)
    circles = await storage.circle_counts(since, until)
    return ReportInputs(
        program, since, until, roles, completion, retention, trends, goals, alerts, circles
    )


def guarded(group: str, people: int | None, values: dict[str, Value]) -> ReportRow:
    """The row, or the same row with its values withheld when ``people`` is 0 or too few."""
    if people is not None and people == 0:
        return ReportRow(group, dict.fromkeys(values), people, texts.NO_DATA)
    if people is not None and people < MIN_CELL:
        return ReportRow(group, dict.fromkeys(values), None, texts.SUPPRESSED)
    return ReportRow(group, values, people)


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def percentile_90(values: list[float]) -> float:
    """The 90th percentile, interpolating between ranks (``statistics`` "inclusive" method)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def build_report(data: ReportInputs) -> Report:
    if sum(r.people for r in data.roles) == 0:
        return Report(data.program, data.since, data.until, empty=True)
    sections = (
        _people(data.roles),
        _completion(data.completion),
        _retention(data.retention),
        _trends(data.trends),
        _escalations(data.alerts),
        _circles(data.circles),
        _goals(data.goals),
    )
    return Report(data.program, data.since, data.until, sections)


def _count(n: int) -> Value:
    """A count of people on its own: 0 is safe to show; 1 to 4 could single someone out."""
    return None if 0 < n < MIN_CELL else n


def _people(roles: list[RoleCount]) -> Section:
    rows = []
    for r in roles:
        values = {
            texts.COL_PEOPLE: _count(r.people),
            texts.COL_JOINED: _count(r.joined),
            texts.COL_STOPPED: _count(r.stopped),
        }
        hidden = frozenset(column for column, value in values.items() if value is None)
        rows.append(ReportRow(r.role, values, hidden=hidden))
    columns = (texts.COL_PEOPLE, texts.COL_JOINED, texts.COL_STOPPED)
    return Section("people", texts.PEOPLE, columns, tuple(rows), texts.PEOPLE_NOTE)


def _completion(c: CompletionCounts) -> Section:
    columns = (texts.COL_PROMPTED, texts.COL_ANSWERED, texts.COL_RATE)
    values: dict[str, Value] = {
        texts.COL_PROMPTED: c.prompted,
        texts.COL_ANSWERED: c.answered,
        texts.COL_RATE: ratio(c.answered, c.prompted),
    }
    row = guarded(texts.ALL, c.people, values)
    return Section("completion", texts.COMPLETION, columns, (row,), texts.COMPLETION_NOTE)


def _retention(counts: list[RetentionCounts]) -> Section:
    columns = (texts.COL_ELIGIBLE, texts.COL_RETAINED, texts.COL_RATE)
    rows = tuple(
        guarded(
            texts.DAYS_GROUP.format(days=counted(DAY, r.days)),
            r.eligible,
            {
                texts.COL_ELIGIBLE: r.eligible,
                texts.COL_RETAINED: r.retained,
                texts.COL_RATE: ratio(r.retained, r.eligible),
            },
        )
        for r in counts
    )
    return Section("retention", texts.RETENTION, columns, rows, texts.RETENTION_NOTE)


def _trends(weeks: list[WeekTrend]) -> Section:
    columns = (texts.COL_CHECKINS, texts.COL_MOOD, texts.COL_CRAVING)
    rows = tuple(
        guarded(
            w.week_start.isoformat(),
            w.people,
            {
                texts.COL_CHECKINS: w.checkins,
                texts.COL_MOOD: _round(w.mood_avg),
                texts.COL_CRAVING: _round(w.craving_avg),
            },
        )
        for w in weeks
    )
    return Section(
        "trends", texts.TRENDS, columns, rows, texts.TRENDS_NOTE if rows else texts.NO_DATA
    )


def _escalations(alerts: list[AlertRow] | None) -> Section:
    columns = (
        texts.COL_ALERTS,
        texts.COL_ACKED,
        texts.COL_MEDIAN,
        texts.COL_P90,
        texts.COL_UNACKED,
    )
    if not alerts:
        return Section("escalations", texts.ESCALATIONS, columns, note=texts.NO_DATA)
    by_trigger: dict[str, list[AlertRow]] = {}
    for alert in alerts:
        by_trigger.setdefault(alert.trigger, []).append(alert)
    rows = []
    for trigger in sorted(by_trigger):
        group = by_trigger[trigger]
        known = {a.person_id for a in group if a.person_id is not None}
        people = len(known) if known else len(group)
        minutes = sorted(
            (a.acknowledged_at - a.raised_at).total_seconds() / 60
            for a in group
            if a.acknowledged_at is not None
        )
        values: dict[str, Value] = {
            texts.COL_ALERTS: len(group),
            texts.COL_ACKED: len(minutes),
            texts.COL_MEDIAN: _round(statistics.median(minutes)) if minutes else None,
            texts.COL_P90: _round(percentile_90(minutes)) if minutes else None,
            texts.COL_UNACKED: len(group) - len(minutes),
        }
        rows.append(guarded(trigger, people, values))
    return Section("escalations", texts.ESCALATIONS, columns, tuple(rows), texts.ESCALATIONS_NOTE)


def _circles(circles: CircleCounts | None) -> Section:
    columns = (texts.COL_HELD, texts.COL_EXPECTED, texts.COL_ATTENDED, texts.COL_RATE)
    if circles is None or circles.held == 0:
        return Section("circles", texts.CIRCLES, columns, note=texts.NO_DATA)
    row = guarded(
        texts.ALL,
        circles.people,
        {
            texts.COL_HELD: circles.held,
            texts.COL_EXPECTED: circles.expected,
            texts.COL_ATTENDED: circles.attended,
            texts.COL_RATE: ratio(circles.attended, circles.expected),
        },
    )
    return Section("circles", texts.CIRCLES, columns, (row,))


def _goals(g: GoalCounts) -> Section:
    columns = (texts.COL_PEOPLE, texts.COL_SET, texts.COL_REACHED)
    rows = (
        guarded(
            texts.GOALS_SET,
            g.people_created,
            {texts.COL_PEOPLE: g.people_created, texts.COL_SET: g.created, texts.COL_REACHED: None},
        ),
        guarded(
            texts.GOALS_REACHED,
            g.people_completed,
            {
                texts.COL_PEOPLE: g.people_completed,
                texts.COL_SET: None,
                texts.COL_REACHED: g.completed,
            },
        ),
    )
    return Section("goals", texts.GOALS, columns, rows)


def _round(value: float | None, places: int = 1) -> float | None:
    return round(value, places) if value is not None else None
