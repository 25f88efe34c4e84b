"""Peer-circle sessions on PostgreSQL: who runs them, the speaking turn, attendance and pulses."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from storage.circles import Attendance, Session, SpeakingOrder
from storage.postgres.connection import Repository, Row
from storage.timestamps import from_db, maybe_from_db, to_db


class PostgresCircleSessions(Repository):
    # Sessions --------------------------------------------------------------------------------

    async def start_session(
        self,
        circle_id: int,
        occurrence_id: int,
        *,
        runner_id: int,
        mode: SpeakingOrder,
        share_seconds: int,
        now: datetime,
    ) -> Session | None:
        try:
            async with self._db.write() as db:
                inserted = await db.execute_fetchall(
                    "INSERT INTO circle_sessions (circle_id, occurrence_id, started_at,"
                    " runner_id, mode, share_seconds) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    (circle_id, occurrence_id, to_db(now), runner_id, mode.value, share_seconds),
                )
                session_id: int = inserted[0]["id"]
                await db.execute(
                    "INSERT INTO circle_attendance (session_id, person_id)"
                    " SELECT ?, person_id FROM circle_rsvps WHERE occurrence_id = ?"
                    " AND status = 'going'",
                    (session_id, occurrence_id),
                )
        except asyncpg.UniqueViolationError:
            return None  # another session of this circle is open (the partial unique index)
        return await self.get_session(session_id)

    async def get_session(self, session_id: int) -> Session | None:
        row = await self._db.fetchone("SELECT * FROM circle_sessions WHERE id = ?", (session_id,))
        return _session(row) if row is not None else None

    async def open_session(self, circle_id: int) -> Session | None:
        row = await self._db.fetchone(
            "SELECT * FROM circle_sessions WHERE circle_id = ? AND ended_at IS NULL",
            (circle_id,),
        )
        return _session(row) if row is not None else None

    async def sessions_of_occurrence(self, occurrence_id: int) -> list[Session]:
        rows = await self._db.fetchall(
            "SELECT * FROM circle_sessions WHERE occurrence_id = ? ORDER BY id", (occurrence_id,)
        )
        return [_session(row) for row in rows]

    async def sessions_of_circle(self, circle_id: int) -> list[Session]:
        rows = await self._db.fetchall(
            "SELECT * FROM circle_sessions WHERE circle_id = ? ORDER BY id", (circle_id,)
        )
        return [_session(row) for row in rows]

    async def set_runner(self, session_id: int, person_id: int) -> None:
        await self._db.write_one(
            "UPDATE circle_sessions SET runner_id = ? WHERE id = ?", (person_id, session_id)
        )

    async def set_speaker(self, session_id: int, person_id: int | None, now: datetime) -> Session:
        async with self._db.write() as db:
            rows = await db.execute_fetchall(
                "UPDATE circle_sessions SET current_speaker_id = ?, speaker_since = ?,"
                " turn_no = turn_no + (?::bigint IS NOT NULL)::int WHERE id = ? RETURNING *",
                (person_id, to_db(now) if person_id is not None else None, person_id, session_id),
            )
        return _session(next(iter(rows)))

    async def set_speaking_order(self, session_id: int, mode: SpeakingOrder) -> None:
        await self._db.write_one(
            "UPDATE circle_sessions SET mode = ? WHERE id = ?", (mode.value, session_id)
        )

    async def end_session(self, session_id: int, now: datetime) -> bool:
        async with self._db.write() as db:
            changed = await db.execute(
                "UPDATE circle_sessions SET ended_at = ?, current_speaker_id = NULL"
                " WHERE id = ? AND ended_at IS NULL",
                (to_db(now), session_id),
            )
            return changed == 1

    # Attendance and pulses -------------------------------------------------------------------

    async def mark_here(self, session_id: int, person_id: int, now: datetime) -> bool:
        async with self._db.write() as db:
            changed = await db.execute(
                "INSERT INTO circle_attendance (session_id, person_id, attended, joined_at)"
                " VALUES (?, ?, 1, ?) ON CONFLICT (session_id, person_id) DO UPDATE SET"
                " attended = 1, joined_at = excluded.joined_at"
                " WHERE circle_attendance.attended = 0",
                (session_id, person_id, to_db(now)),
            )
            return changed == 1

    async def attendance_of(self, session_id: int) -> list[Attendance]:
        rows = await self._db.fetchall(
            "SELECT * FROM circle_attendance WHERE session_id = ?"
            " ORDER BY joined_at IS NULL, joined_at, person_id",
            (session_id,),
        )
        return [_attendance(row) for row in rows]

    async def record_share(self, session_id: int, person_id: int, now: datetime) -> None:
        await self._db.write_one(
            "UPDATE circle_attendance SET shared = shared + 1, spoke_at = ?"
            " WHERE session_id = ? AND person_id = ?",
            (to_db(now), session_id, person_id),
        )

    async def record_pass(self, session_id: int, person_id: int) -> bool:
        async with self._db.write() as db:
            changed = await db.execute(
                "UPDATE circle_attendance SET passed = 1 WHERE session_id = ? AND person_id = ?"
                " AND passed = 0 AND shared = 0",
                (session_id, person_id),
            )
            return changed == 1

    async def set_hand(self, session_id: int, person_id: int, raised_at: datetime | None) -> bool:
        value = to_db(raised_at) if raised_at is not None else None
        async with self._db.write() as db:
            changed = await db.execute(
                "UPDATE circle_attendance SET hand_raised_at = ? WHERE session_id = ?"
                " AND person_id = ? AND (hand_raised_at IS NULL) = (?::text IS NOT NULL)",
                (value, session_id, person_id, value),
            )
            return changed == 1

    async def last_spoke(self, circle_id: int, before_session: int) -> dict[int, datetime]:
        rows = await self._db.fetchall(
            "SELECT a.person_id, MAX(a.spoke_at) AS spoke_at FROM circle_attendance a"
            " JOIN circle_sessions s ON s.id = a.session_id"
            " WHERE s.circle_id = ? AND s.id < ? AND a.spoke_at IS NOT NULL"
            " GROUP BY a.person_id",
            (circle_id, before_session),
        )
        return {row["person_id"]: from_db(row["spoke_at"]) for row in rows}

    async def record_pulse(
        self, session_id: int, person_id: int, value: int, now: datetime
    ) -> bool:
        async with self._db.write() as db:
            changed = await db.execute(
                "INSERT INTO circle_pulses (session_id, person_id, value, answered_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (session_id, person_id) DO UPDATE SET"
                " value = excluded.value, answered_at = excluded.answered_at"
                " WHERE circle_pulses.value != excluded.value",
                (session_id, person_id, value, to_db(now)),
            )
            return changed == 1

    async def pulses_of(self, session_id: int) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT value FROM circle_pulses WHERE session_id = ? ORDER BY person_id",
            (session_id,),
        )
        return [int(row["value"]) for row in rows]

    async def attendance_by_person(self, circle_id: int) -> dict[int, int]:
        rows = await self._db.fetchall(
            "SELECT a.person_id, COUNT(*) AS sessions FROM circle_attendance a"
            " JOIN circle_sessions s ON s.id = a.session_id"
            " WHERE s.circle_id = ? AND a.attended = 1 GROUP BY a.person_id",
            (circle_id,),
        )
        return {row["person_id"]: int(row["sessions"]) for row in rows}


def _session(row: Row) -> Session:
    return Session(
        id=row["id"],
        circle_id=row["circle_id"],
        occurrence_id=row["occurrence_id"],
        started_at=from_db(row["started_at"]),
        runner_id=row["runner_id"],
        mode=SpeakingOrder(row["mode"]),
        share_seconds=row["share_seconds"],
        ended_at=maybe_from_db(row["ended_at"]),
        current_speaker_id=row["current_speaker_id"],
        speaker_since=maybe_from_db(row["speaker_since"]),
        turn_no=row["turn_no"],
    )


def _attendance(row: Row) -> Attendance:
    return Attendance(
        session_id=row["session_id"],
        person_id=row["person_id"],
        attended=bool(row["attended"]),
        joined_at=maybe_from_db(row["joined_at"]),
        shared=row["shared"],
        passed=bool(row["passed"]),
        spoke_at=maybe_from_db(row["spoke_at"]),
        hand_raised_at=maybe_from_db(row["hand_raised_at"]),
    )
