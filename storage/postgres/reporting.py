"""The report's aggregate queries on PostgreSQL (read-only; see :mod:`storage.reporting`).

The SQLite twin finds the alert and circle columns by name (it reads databases of older
layouts); this schema is always the one migration 0001 made, so the queries name them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from storage.checkins import QuestionKey
from storage.postgres.connection import Repository
from storage.reporting import (
    AlertRow,
    CircleCounts,
    CompletionCounts,
    DailyScore,
    GoalCounts,
    RetentionCounts,
    RoleCount,
    WeekTrend,
    weeks_between,
)
from storage.timestamps import from_db, from_db_date, maybe_from_db, to_db, to_db_date

ROLES = ("mentee", "mentor", "facilitator", "coordinator")
CHECKIN_KIND = "checkin"
"""The ledger kind of daily check-in prompts (``handlers.checkins.schedule.CHECKIN``)."""
PROMPTED = ("sent", "missed")
_SCORES = (QuestionKey.MOOD.value, QuestionKey.CRAVING.value)
"""The answers the trends and the progress chart average, bound in this order (mood, craving)."""
RETENTION_WINDOW_DAYS = 7
"""Retained at day N: a completed check-in on one of days N-6 .. N after onboarding."""
_IN_SCORES = f"question_key IN ('{QuestionKey.MOOD.value}', '{QuestionKey.CRAVING.value}')"
"""Word for word the WHERE of the partial index ``checkin_scores`` (migration 0003), so that
even a generic plan (the question keys are parameters) may use it."""
_WEEK = (
    "SELECT COUNT(DISTINCT c.person_id) AS people, COUNT(*) AS checkins,"
    " AVG(m.value_number) AS mood_avg, AVG(k.value_number) AS craving_avg"
    " FROM checkins c"
    " LEFT JOIN checkin_answers m ON m.checkin_id = c.id"
    f"  AND m.question_key = ? AND m.skipped = 0 AND m.{_IN_SCORES}"
    " LEFT JOIN checkin_answers k ON k.checkin_id = c.id"
    f"  AND k.question_key = ? AND k.skipped = 0 AND k.{_IN_SCORES}"
    " WHERE c.completed_at IS NOT NULL AND c.local_date BETWEEN ? AND ?"
)
"""One week's trend: its completed check-ins, their people, mean mood and craving."""


class PostgresReporting(Repository):
    async def people_by_role(self, since: datetime) -> list[RoleCount]:
        rows = await self._db.scan(
            "SELECT r.role, COUNT(*) AS people,"
            " COUNT(*) FILTER (WHERE p.onboarded_at >= ?) AS joined,"
            " COUNT(*) FILTER (WHERE p.stopped_at IS NOT NULL) AS stopped"
            " FROM roles r JOIN people p ON p.id = r.person_id"
            " WHERE p.onboarded_at IS NOT NULL GROUP BY r.role",
            (to_db(since),),
        )
        found = {row["role"]: row for row in rows}
        return [
            RoleCount(role, found[role]["people"], found[role]["joined"], found[role]["stopped"])
            if role in found
            else RoleCount(role, 0, 0, 0)
            for role in ROLES
        ]

    async def checkin_completion(self, start: date, end: date) -> CompletionCounts:
        window = (to_db_date(start), to_db_date(end))
        counts = await self._db.scan_one(
            "SELECT COUNT(*) AS prompted, COUNT(DISTINCT person_id) AS people FROM deliveries"
            " WHERE kind = ? AND status IN (?, ?) AND person_id IS NOT NULL"
            " AND occurrence BETWEEN ? AND ?",
            (CHECKIN_KIND, *PROMPTED, *window),
        )
        # Answered: the (person, day) pairs both prompted and completed, as on SQLite: two
        # index-only scans (migration 0003) set against each other, where an EXISTS inside
        # the count would be a lookup per prompt (PostgreSQL cannot make a FILTER's EXISTS a
        # join). A check-in prompt's subject is its person, so each pair is one prompt.
        answered = await self._db.scan_one(
            "SELECT COUNT(*) AS answered FROM ("
            " SELECT person_id, occurrence FROM deliveries WHERE kind = ? AND status IN (?, ?)"
            "  AND person_id IS NOT NULL AND occurrence BETWEEN ? AND ?"
            " INTERSECT"
            " SELECT person_id, local_date FROM checkins"
            "  WHERE completed_at IS NOT NULL AND local_date BETWEEN ? AND ?) AS answered",
            (CHECKIN_KIND, *PROMPTED, *window, *window),
        )
        assert counts is not None and answered is not None
        return CompletionCounts(counts["prompted"], answered["answered"], counts["people"])

    async def retention(self, days: int, now: datetime) -> RetentionCounts:
        first, last = days - RETENTION_WINDOW_DAYS + 1, days
        row = await self._db.scan_one(
            "SELECT COUNT(*) AS eligible, COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM checkins c"
            "   WHERE c.person_id = p.id AND c.completed_at IS NOT NULL AND c.local_date"
            "   BETWEEN to_char(left(p.onboarded_at, 10)::date + ?::int, 'YYYY-MM-DD')"
            "   AND to_char(left(p.onboarded_at, 10)::date + ?::int, 'YYYY-MM-DD'))) AS retained"
            " FROM people p JOIN roles r ON r.person_id = p.id AND r.role = 'mentee'"
            " WHERE p.onboarded_at IS NOT NULL AND p.onboarded_at <= ?",
            (first, last, to_db(now - timedelta(days=days))),
        )
        assert row is not None
        return RetentionCounts(days, row["eligible"], row["retained"])

    async def weekly_trends(self, start: date, end: date) -> list[WeekTrend]:
        # A week at a time, as on SQLite: each a range of checkins_date and two lookups in
        # checkin_scores per check-in (migration 0003), so the period's check-ins are never
        # sorted together to group them.
        trends = []
        for week_start, first, last in weeks_between(start, end):
            row = await self._db.scan_one(_WEEK, (*_SCORES, to_db_date(first), to_db_date(last)))
            if row is None or not row["checkins"]:
                continue
            trends.append(
                WeekTrend(
                    week_start=week_start,
                    people=row["people"],
                    checkins=row["checkins"],
                    mood_avg=row["mood_avg"],
                    craving_avg=row["craving_avg"],
                )
            )
        return trends

    async def goal_counts(self, since: datetime, now: datetime) -> GoalCounts:
        window = (to_db(since), to_db(now))
        row = await self._db.scan_one(
            "SELECT COUNT(*) FILTER (WHERE created_at BETWEEN ? AND ?) AS created,"
            " COUNT(DISTINCT CASE WHEN created_at BETWEEN ? AND ? THEN person_id END)"
            "  AS people_created,"
            " COUNT(*) FILTER (WHERE completed_at BETWEEN ? AND ?) AS completed,"
            " COUNT(DISTINCT CASE WHEN completed_at BETWEEN ? AND ? THEN person_id END)"
            "  AS people_completed"
            " FROM goals",
            window * 4,
        )
        assert row is not None
        return GoalCounts(
            row["created"], row["people_created"], row["completed"], row["people_completed"]
        )

    async def alert_rows(self, since: datetime, now: datetime) -> list[AlertRow] | None:
        rows = await self._db.scan(
            'SELECT "trigger", person_id, created_at, acked_at FROM alerts'
            " WHERE created_at BETWEEN ? AND ?",
            (to_db(since), to_db(now)),
        )
        return [
            AlertRow(
                trigger=str(row["trigger"]),
                person_id=row["person_id"],
                raised_at=from_db(row["created_at"]),
                acknowledged_at=maybe_from_db(row["acked_at"]),
            )
            for row in rows
        ]

    async def circle_counts(self, since: datetime, now: datetime) -> CircleCounts | None:
        held = "started_at BETWEEN ? AND ?"
        row = await self._db.scan_one(
            f"SELECT (SELECT COUNT(*) FROM circle_sessions WHERE {held}) AS held,"
            " COUNT(a.person_id) AS expected, COUNT(DISTINCT a.person_id) AS people,"
            " COUNT(*) FILTER (WHERE a.attended <> 0) AS attended"
            " FROM circle_attendance a WHERE a.session_id IN"
            f" (SELECT id FROM circle_sessions WHERE {held})",
            (to_db(since), to_db(now)) * 2,
        )
        assert row is not None
        return CircleCounts(row["held"], row["expected"], row["attended"], row["people"])

    async def daily_scores(self, person_id: int, start: date, end: date) -> list[DailyScore]:
        rows = await self._db.scan(
            "SELECT c.local_date, m.value_number AS mood, k.value_number AS craving"
            " FROM checkins c"
            " LEFT JOIN checkin_answers m ON m.checkin_id = c.id AND m.question_key = ?"
            "  AND m.skipped = 0"
            " LEFT JOIN checkin_answers k ON k.checkin_id = c.id AND k.question_key = ?"
            "  AND k.skipped = 0"
            " WHERE c.person_id = ? AND c.completed_at IS NOT NULL"
            " AND c.local_date BETWEEN ? AND ?"
            " AND c.id = (SELECT MAX(c2.id) FROM checkins c2 WHERE c2.person_id = c.person_id"
            "  AND c2.local_date = c.local_date AND c2.completed_at IS NOT NULL)"
            " ORDER BY c.local_date",
            (*_SCORES, person_id, to_db_date(start), to_db_date(end)),
        )
        return [
            DailyScore(from_db_date(row["local_date"]), row["mood"], row["craving"]) for row in rows
        ]

    async def prompted_days(self, person_id: int, start: date, end: date) -> list[date]:
        rows = await self._db.scan(
            "SELECT DISTINCT occurrence FROM deliveries WHERE person_id = ? AND kind = ?"
            " AND status IN (?, ?) AND occurrence BETWEEN ? AND ? ORDER BY occurrence",
            (person_id, CHECKIN_KIND, *PROMPTED, to_db_date(start), to_db_date(end)),
        )
        return [from_db_date(row["occurrence"]) for row in rows]
