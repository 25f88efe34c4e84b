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
        row = await self._db.scan_one(
            "SELECT COUNT(*) AS prompted, COUNT(DISTINCT d.person_id) AS people,"
            " COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM checkins c"
            "   WHERE c.person_id = d.person_id"
            "   AND c.local_date = d.occurrence AND c.completed_at IS NOT NULL)) AS answered"
            " FROM deliveries d WHERE d.kind = ? AND d.status IN (?, ?)"
            " AND d.person_id IS NOT NULL AND d.occurrence BETWEEN ? AND ?",
            (CHECKIN_KIND, *PROMPTED, to_db_date(start), to_db_date(end)),
        )
        assert row is not None
        return CompletionCounts(row["prompted"], row["answered"], row["people"])

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
        rows = await self._db.scan(
            # The Monday of the check-in's week, as SQLite's date(d, '-6 days', 'weekday 1').
            "SELECT to_char(c.local_date::date"
            "   - (extract(isodow FROM c.local_date::date)::int - 1), 'YYYY-MM-DD') AS week_start,"
            " COUNT(DISTINCT c.person_id) AS people, COUNT(*) AS checkins,"
            " AVG(m.value_number) AS mood_avg, AVG(k.value_number) AS craving_avg"
            " FROM checkins c"
            " LEFT JOIN checkin_answers m ON m.checkin_id = c.id AND m.question_key = ?"
            "  AND m.skipped = 0"
            " LEFT JOIN checkin_answers k ON k.checkin_id = c.id AND k.question_key = ?"
            "  AND k.skipped = 0"
            " WHERE c.completed_at IS NOT NULL AND c.local_date BETWEEN ? AND ?"
            " GROUP BY week_start ORDER BY week_start",
            (*_SCORES, to_db_date(start), to_db_date(end)),
        )
        return [
            WeekTrend(
                week_start=from_db_date(row["week_start"]),
                people=row["people"],
                checkins=row["checkins"],
                mood_avg=row["mood_avg"],
                craving_avg=row["craving_avg"],
            )
            for row in rows
        ]

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
