"""Check-ins, their answers, the sober-day counter and missed-check-in counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from storage.checkins import Answer, Checkin, FinishedCheckin
from storage.conversations import ConversationState
from storage.people import AccountAddress
from storage.postgres.connection import Repository, Row
from storage.postgres.conversations import conversation_upsert
from storage.postgres.due_queue import due_upsert
from storage.timestamps import (
    from_db,
    from_db_date,
    maybe_from_db,
    to_db,
    to_db_date,
)

_INSERT_OPEN_ANSWER = (
    "INSERT INTO checkin_answers (checkin_id, question_key, value_number,"
    " value_text, skipped, answered_at)"
    " SELECT id, ?::text, ?::double precision, ?::text, ?::bigint, ?::text FROM checkins"
    " WHERE id = ? AND person_id = ? AND completed_at IS NULL AND closed_at IS NULL"
    " ON CONFLICT DO NOTHING RETURNING checkin_id"
)
"""An answer, only into a check-in of the given person that is still open: the owner and
openness are checked by the SELECT the row is inserted from, with no read beforehand."""


class PostgresCheckins(Repository):
    # Check-ins and the sober-day counter -------------------------------------------------------

    async def open_checkin(
        self, person_id: int, local_date: date, source: str, now: datetime
    ) -> Checkin:
        async with self._db.write() as db:
            # Only one check-in is answerable at a time: a new one closes the older ones.
            await db.execute(
                "UPDATE checkins SET closed_at = ? WHERE person_id = ?"
                " AND completed_at IS NULL AND closed_at IS NULL",
                (to_db(now), person_id),
            )
            inserted = await db.execute_fetchall(
                "INSERT INTO checkins (person_id, local_date, source, started_at)"
                " VALUES (?, ?, ?, ?) RETURNING id",
                (person_id, to_db_date(local_date), source, to_db(now)),
            )
            checkin_id: int = inserted[0]["id"]
        return Checkin(checkin_id, person_id, local_date, source, now)

    async def get_checkin(self, checkin_id: int) -> Checkin | None:
        row = await self._db.fetchone("SELECT * FROM checkins WHERE id = ?", (checkin_id,))
        return _checkin(row) if row is not None else None

    async def latest_checkin(
        self, person_id: int, *, source: str | None = None, before: date | None = None
    ) -> Checkin | None:
        sql = "SELECT * FROM checkins WHERE person_id = ?"
        params: list[Any] = [person_id]
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        if before is not None:
            sql += " AND local_date < ?"
            params.append(to_db_date(before))
        row = await self._db.fetchone(
            sql + " ORDER BY local_date DESC, id DESC LIMIT 1", tuple(params)
        )
        return _checkin(row) if row is not None else None

    async def completed_on(self, person_id: int, local_date: date) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM checkins WHERE person_id = ? AND local_date = ?"
            " AND completed_at IS NOT NULL",
            (person_id, to_db_date(local_date)),
        )
        return row is not None

    async def record_answer(self, checkin_id: int, answer: Answer, now: datetime) -> bool:
        inserted = await self._db.write_one(
            "INSERT INTO checkin_answers (checkin_id, question_key, value_number,"
            " value_text, skipped, answered_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING RETURNING checkin_id",
            (
                checkin_id,
                answer.question_key,
                answer.number,
                self._db.seal(answer.text) if answer.number is None else answer.text,
                int(answer.skipped),
                to_db(now),
            ),
        )
        return len(inserted) == 1

    def _open_answer_params(
        self, checkin_id: int, person_id: int, answer: Answer, now: datetime
    ) -> tuple[Any, ...]:
        return (
            answer.question_key,
            answer.number,
            self._db.seal(answer.text) if answer.number is None else answer.text,
            int(answer.skipped),
            to_db(now),
            checkin_id,
            person_id,
        )

    async def record_open_answer(
        self,
        checkin_id: int,
        person_id: int,
        answer: Answer,
        now: datetime,
        *,
        then: tuple[AccountAddress, ConversationState] | None = None,
    ) -> bool:
        params = self._open_answer_params(checkin_id, person_id, answer, now)
        if then is None:
            return len(await self._db.write_one(_INSERT_OPEN_ANSWER, params)) == 1
        async with self._db.write() as db:
            if not await db.execute_fetchall(_INSERT_OPEN_ANSWER, params):
                return False
            await db.execute(*conversation_upsert(self._db.seal, *then, now))
            return True

    async def finish_checkin(self, finished: FinishedCheckin, now: datetime) -> bool:
        params = self._open_answer_params(
            finished.checkin_id, finished.person_id, finished.last_answer, now
        )
        async with self._db.write() as db:
            if not await db.execute_fetchall(_INSERT_OPEN_ANSWER, params):
                return False  # nothing written: the transaction commits empty
            await db.execute(
                "UPDATE checkins SET completed_at = ? WHERE id = ?",
                (to_db(now), finished.checkin_id),
            )
            await db.execute(
                "UPDATE settings SET consecutive_misses = 0 WHERE person_id = ?",
                (finished.person_id,),
            )
            await db.execute(
                "UPDATE people SET journey_start = ?, streak_start = ? WHERE id = ?",
                (
                    to_db_date(finished.journey_start),
                    to_db_date(finished.streak_start),
                    finished.person_id,
                ),
            )
            # One day, one check-in: this one replaces any other completed for its day.
            await db.execute(
                "DELETE FROM checkin_answers WHERE checkin_id IN (SELECT id FROM checkins"
                " WHERE person_id = ? AND id <> ? AND completed_at IS NOT NULL AND local_date ="
                " (SELECT local_date FROM checkins WHERE id = ?))",
                (finished.person_id, finished.checkin_id, finished.checkin_id),
            )
            await db.execute(
                "DELETE FROM checkins WHERE person_id = ? AND id <> ? AND completed_at IS NOT NULL"
                " AND local_date = (SELECT local_date FROM checkins WHERE id = ?)",
                (finished.person_id, finished.checkin_id, finished.checkin_id),
            )
            if finished.conversation is not None:
                address = finished.conversation
                await db.execute(
                    "DELETE FROM conversation_state WHERE platform = ? AND platform_user_id = ?",
                    (address.platform, address.platform_user_id),
                )
            if finished.follow_up is not None:
                await db.execute(*due_upsert(finished.follow_up))
            return True

    async def answers_of(self, checkin_id: int) -> dict[str, Answer]:
        rows = await self._db.fetchall(
            "SELECT * FROM checkin_answers WHERE checkin_id = ?", (checkin_id,)
        )
        return {
            row["question_key"]: Answer(
                question_key=row["question_key"],
                number=row["value_number"],
                text=self._db.unseal(row["value_text"]),
                skipped=bool(row["skipped"]),
            )
            for row in rows
        }

    async def complete_checkin(self, checkin_id: int, now: datetime) -> bool:
        async with self._db.write() as db:
            changed = await db.execute(
                "UPDATE checkins SET completed_at = ? WHERE id = ? AND completed_at IS NULL",
                (to_db(now), checkin_id),
            )
            if changed == 1:
                await db.execute(
                    "UPDATE settings SET consecutive_misses = 0 WHERE person_id ="
                    " (SELECT person_id FROM checkins WHERE id = ?)",
                    (checkin_id,),
                )
            return changed == 1

    async def set_streak(
        self, person_id: int, *, journey_start: date | None, streak_start: date | None
    ) -> None:
        await self._db.write_one(
            "UPDATE people SET journey_start = ?, streak_start = ? WHERE id = ?",
            (
                to_db_date(journey_start) if journey_start else None,
                to_db_date(streak_start) if streak_start else None,
                person_id,
            ),
        )

    async def mark_milestones(
        self, person_id: int, streak_start: date, milestones: Sequence[str], now: datetime
    ) -> frozenset[str]:
        new: set[str] = set()
        async with self._db.write() as db:
            for milestone in milestones:
                rows = await db.execute_fetchall(
                    "INSERT INTO milestones (person_id, streak_start, milestone, celebrated_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING milestone",
                    (person_id, to_db_date(streak_start), milestone, to_db(now)),
                )
                new.update(row["milestone"] for row in rows)
        return frozenset(new)

    async def count_miss(self, person_id: int) -> int:
        rows = await self._db.write_one(
            "UPDATE settings SET consecutive_misses = consecutive_misses + 1"
            " WHERE person_id = ? RETURNING consecutive_misses",
            (person_id,),
        )
        return int(rows[0][0]) if rows else 0


def _checkin(row: Row) -> Checkin:
    return Checkin(
        id=row["id"],
        person_id=row["person_id"],
        local_date=from_db_date(row["local_date"]),
        source=row["source"],
        started_at=from_db(row["started_at"]),
        completed_at=maybe_from_db(row["completed_at"]),
        closed_at=maybe_from_db(row["closed_at"]),
    )
