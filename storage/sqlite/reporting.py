"""The report's aggregate queries on SQLite (read-only; see :mod:`storage.reporting`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from storage.checkins import QuestionKey
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
from storage.sqlite.connection import Repository
from storage.timestamps import from_db, from_db_date, to_db, to_db_date

ROLES = ("mentee", "mentor", "facilitator", "coordinator")
CHECKIN_KIND = "checkin"
"""The ledger kind of daily check-in prompts (``handlers.checkins.schedule.CHECKIN``)."""
PROMPTED = ("sent", "missed")
_SCORES = (QuestionKey.MOOD.value, QuestionKey.CRAVING.value)
"""The answers the trends and the progress chart average, bound in this order (mood, craving)."""
RETENTION_WINDOW_DAYS = 7
"""Retained at day N: a completed check-in on one of days N-6 .. N after onboarding."""

_IN_SCORES = f"question_key IN ('{QuestionKey.MOOD.value}', '{QuestionKey.CRAVING.value}')"
"""Word for word the WHERE of the partial index ``checkin_scores`` (migration 0022): SQLite
uses a partial index only for a query that repeats it (and ``INDEXED BY`` makes a query that
cannot use it fail, rather than quietly read the tables)."""
_WEEK = (
    "SELECT COUNT(DISTINCT c.person_id) AS people, COUNT(*) AS checkins,"
    " AVG(m.value_number) AS mood_avg, AVG(k.value_number) AS craving_avg"
    " FROM checkins c INDEXED BY checkins_date"
    " LEFT JOIN checkin_answers m INDEXED BY checkin_scores ON m.checkin_id = c.id"
    f"  AND m.question_key = ? AND m.skipped = 0 AND m.{_IN_SCORES}"
    " LEFT JOIN checkin_answers k INDEXED BY checkin_scores ON k.checkin_id = c.id"
    f"  AND k.question_key = ? AND k.skipped = 0 AND k.{_IN_SCORES}"
    " WHERE c.completed_at IS NOT NULL AND c.local_date BETWEEN ? AND ?"
)
"""One week's trend: its completed check-ins, their people, mean mood and craving."""

# Column names other areas might use, most likely first. Only names from these fixed lists are
# ever put into SQL text.
_ALERT_TRIGGER = ("trigger", "kind", "reason", "category", "source", "type")
_ALERT_PERSON = ("mentee_id", "person_id", "subject_id")
_ALERT_RAISED = ("created_at", "raised_at", "opened_at", "triggered_at")
_ALERT_ACKED = ("acknowledged_at", "acked_at", "ack_at")
_CIRCLE_SESSIONS = ("circle_sessions", "sessions", "circles")
_CIRCLE_TIME = ("starts_at", "start_at", "scheduled_at", "held_at", "started_at")
_CIRCLE_CANCELLED = ("cancelled_at", "canceled_at")
_ATTENDANCE = ("circle_attendance", "attendance")
_ATTENDANCE_SESSION = ("session_id", "circle_session_id", "circle_id")
_ATTENDANCE_FLAG = ("attended", "present", "attended_at", "checked_in_at")


class SqliteReporting(Repository):
    async def people_by_role(self, since: datetime) -> list[RoleCount]:
        rows = await self._db.scan(
            "SELECT r.role, COUNT(*) AS people, COALESCE(SUM(p.onboarded_at >= ?), 0) AS joined,"
            " COALESCE(SUM(p.stopped_at IS NOT NULL), 0) AS stopped"
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
        # Answered: the (person, day) pairs both prompted and completed. Both sides come in
        # (person, day) order from an index alone (migration 0015), so SQLite merges the two
        # streams (MERGE (INTERSECT)) instead of looking each prompt's check-in up: 2.3x
        # faster on a year for 5,000 people. A check-in prompt's subject is its person, so
        # each pair is one prompt and the count is the one a lookup per prompt gives.
        answered = await self._db.scan_one(
            "SELECT COUNT(*) AS answered FROM ("
            " SELECT person_id, occurrence FROM deliveries WHERE kind = ? AND status IN (?, ?)"
            "  AND person_id IS NOT NULL AND occurrence BETWEEN ? AND ?"
            " INTERSECT"
            " SELECT person_id, local_date FROM checkins INDEXED BY checkins_person_date"
            "  WHERE completed_at IS NOT NULL AND local_date BETWEEN ? AND ?"
            " ORDER BY 1, 2)",
            (CHECKIN_KIND, *PROMPTED, *window, *window),
        )
        assert counts is not None and answered is not None
        return CompletionCounts(counts["prompted"], answered["answered"], counts["people"])

    async def retention(self, days: int, now: datetime) -> RetentionCounts:
        first, last = f"+{days - RETENTION_WINDOW_DAYS + 1} days", f"+{days} days"
        row = await self._db.scan_one(
            "SELECT COUNT(*) AS eligible, COALESCE(SUM(EXISTS (SELECT 1 FROM checkins c"
            "   WHERE c.person_id = p.id AND c.completed_at IS NOT NULL AND c.local_date"
            "   BETWEEN date(substr(p.onboarded_at, 1, 10), ?)"
            "   AND date(substr(p.onboarded_at, 1, 10), ?))), 0) AS retained"
            " FROM people p JOIN roles r ON r.person_id = p.id AND r.role = 'mentee'"
            " WHERE p.onboarded_at IS NOT NULL AND p.onboarded_at <= ?",
            (first, last, to_db(now - timedelta(days=days))),
        )
        assert row is not None
        return RetentionCounts(days, row["eligible"], row["retained"])

    async def weekly_trends(self, start: date, end: date) -> list[WeekTrend]:
        # One statement per week, each a range of the checkins_date index with two lookups in
        # checkin_scores per check-in (migration 0022), all from indexes. One GROUP BY over the
        # whole period would sort every check-in of it (1.4M rows for a year) to group them.
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
            "SELECT COALESCE(SUM(created_at BETWEEN ? AND ?), 0) AS created,"
            " COUNT(DISTINCT CASE WHEN created_at BETWEEN ? AND ? THEN person_id END)"
            "  AS people_created,"
            " COALESCE(SUM(completed_at BETWEEN ? AND ?), 0) AS completed,"
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
        columns = await self._columns("alerts")
        raised = _pick(columns, _ALERT_RAISED)
        if raised is None:
            return None
        trigger = _pick(columns, _ALERT_TRIGGER)
        person = _pick(columns, _ALERT_PERSON)
        acked = _pick(columns, _ALERT_ACKED)
        select = ", ".join(
            f'"{name}" AS {alias}' if name else f"NULL AS {alias}"
            for name, alias in (
                (trigger, "a_trigger"),
                (person, "a_person"),
                (raised, "a_raised"),
                (acked, "a_acked"),
            )
        )
        rows = await self._db.scan(
            f'SELECT {select} FROM alerts WHERE "{raised}" BETWEEN ? AND ?',
            (to_db(since), to_db(now)),
        )
        return [
            AlertRow(
                trigger=str(row["a_trigger"] or "unspecified"),
                person_id=row["a_person"],
                raised_at=_instant(row["a_raised"]),
                acknowledged_at=_instant(row["a_acked"]) if row["a_acked"] else None,
            )
            for row in rows
        ]

    async def circle_counts(self, since: datetime, now: datetime) -> CircleCounts | None:
        for sessions in _CIRCLE_SESSIONS:
            session_columns = await self._columns(sessions)
            starts = _pick(session_columns, _CIRCLE_TIME)
            if starts is not None:
                break
        else:
            return None
        attendance, link, flag = None, None, None
        for name in _ATTENDANCE:
            columns = await self._columns(name)
            link, flag = _pick(columns, _ATTENDANCE_SESSION), _pick(columns, _ATTENDANCE_FLAG)
            if link is not None and flag is not None and "person_id" in columns:
                attendance = name
                break
        if attendance is None:
            return None
        cancelled = _pick(session_columns, _CIRCLE_CANCELLED)
        held = f'"{starts}" BETWEEN ? AND ?' + (f' AND "{cancelled}" IS NULL' if cancelled else "")
        row = await self._db.scan_one(
            f'SELECT (SELECT COUNT(*) FROM "{sessions}" WHERE {held}) AS held,'
            f" COUNT(a.person_id) AS expected, COUNT(DISTINCT a.person_id) AS people,"
            f' COALESCE(SUM(a."{flag}" IS NOT NULL AND a."{flag}" != 0), 0) AS attended'
            f' FROM "{attendance}" a WHERE a."{link}" IN (SELECT id FROM "{sessions}"'
            f" WHERE {held})",
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

    async def _columns(self, table: str) -> frozenset[str]:
        """The table's column names, or nothing if there is no such table."""
        exists = await self._db.scan_one(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        )
        if exists is None:
            return frozenset()
        rows = await self._db.scan("SELECT name FROM pragma_table_info(?)", (table,))
        return frozenset(str(row["name"]) for row in rows)


def _pick(columns: frozenset[str], candidates: Sequence[str]) -> str | None:
    return next((name for name in candidates if name in columns), None)


def _instant(value: object) -> datetime:
    """A stored instant, in this program's format or any ISO-8601 form (naive means UTC)."""
    text = str(value)
    try:
        return from_db(text)
    except ValueError:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
