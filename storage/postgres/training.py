"""Mentors' trainings and supervision sessions on PostgreSQL (the twin of
:mod:`storage.sqlite.training`)."""

from __future__ import annotations

from datetime import date, datetime

from storage.postgres.connection import Repository, Row
from storage.sqlite.training import SUPERVISION_INSERT, TRAINING_INSERT
from storage.timestamps import from_db, from_db_date, maybe_from_db_date, to_db, to_db_date
from storage.training import Supervision, Training


class PostgresTraining(Repository):
    async def log_training(
        self,
        person_id: int,
        *,
        course: str,
        provider: str,
        completed_on: date,
        hours: float,
        expires_on: date | None,
        now: datetime,
    ) -> Training:
        rows = await self._db.write_one(
            TRAINING_INSERT,
            (
                person_id,
                self._db.seal(course),
                self._db.seal(provider),
                to_db_date(completed_on),
                float(hours),
                to_db_date(expires_on) if expires_on else None,
                to_db(now),
            ),
        )
        saved = await self.get_training(rows[0]["id"])
        assert saved is not None
        return saved

    async def get_training(self, training_id: int) -> Training | None:
        row = await self._db.fetchone("SELECT * FROM trainings WHERE id = ?", (training_id,))
        return self._training(row) if row is not None else None

    async def trainings_of(self, person_id: int) -> list[Training]:
        rows = await self._db.fetchall(
            "SELECT * FROM trainings WHERE person_id = ? ORDER BY completed_on DESC, id DESC",
            (person_id,),
        )
        return [self._training(row) for row in rows]

    async def delete_training(self, person_id: int, training_id: int) -> bool:
        rows = await self._db.write_one(
            "DELETE FROM trainings WHERE id = ? AND person_id = ? RETURNING id",
            (training_id, person_id),
        )
        return bool(rows)

    async def log_supervision(
        self, person_id: int, *, held_on: date, supervisor: str, minutes: int, now: datetime
    ) -> Supervision:
        rows = await self._db.write_one(
            SUPERVISION_INSERT,
            (person_id, to_db_date(held_on), self._db.seal(supervisor), minutes, to_db(now)),
        )
        return Supervision(
            rows[0]["id"], person_id, held_on, supervisor, minutes, from_db(to_db(now))
        )

    async def supervision_of(self, person_id: int, since: date | None = None) -> list[Supervision]:
        rows = await self._db.fetchall(
            "SELECT * FROM supervision_sessions WHERE person_id = ? AND held_on >= ?"
            " ORDER BY held_on DESC, id DESC",
            (person_id, to_db_date(since) if since else ""),
        )
        return [self._supervision(row) for row in rows]

    def _training(self, row: Row) -> Training:
        return Training(
            id=row["id"],
            person_id=row["person_id"],
            course=self._db.unseal(row["course"]),
            provider=self._db.unseal(row["provider"]),
            completed_on=from_db_date(row["completed_on"]),
            hours=float(row["hours"]),
            expires_on=maybe_from_db_date(row["expires_on"]),
            logged_at=from_db(row["logged_at"]),
        )

    def _supervision(self, row: Row) -> Supervision:
        return Supervision(
            id=row["id"],
            person_id=row["person_id"],
            held_on=from_db_date(row["held_on"]),
            supervisor=self._db.unseal(row["supervisor"]),
            minutes=row["minutes"],
            logged_at=from_db(row["logged_at"]),
        )
