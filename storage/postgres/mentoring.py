"""Pairings, mentor capacity, the coordinator on duty and sharing consent.

Alerts, safety plans and the audit log live in :mod:`storage.postgres.alerts`; this repository
builds on that one, so ``PostgresMentoring`` answers the whole
:class:`~storage.mentoring.MentoringStore`.
"""

from __future__ import annotations

from datetime import datetime

from storage.mentoring import (
    Pairing,
    PairingError,
    PairingProblem,
    PairingSource,
    Sharing,
)
from storage.people import Person, Role
from storage.postgres.alerts import PostgresAlerts, exists, first
from storage.postgres.connection import Row
from storage.postgres.people import _person
from storage.timestamps import from_db, maybe_from_db, to_db

_ACTIVE = "ended_at IS NULL"


class PostgresMentoring(PostgresAlerts):
    # Pairings ---------------------------------------------------------------------------------

    async def pair(
        self,
        mentee_id: int,
        mentor_id: int,
        now: datetime,
        *,
        default_capacity: int,
        backup_id: int | None = None,
        source: PairingSource = PairingSource.COORDINATOR,
        over_capacity: bool = False,
    ) -> Pairing:
        if mentee_id in (mentor_id, backup_id) or mentor_id == backup_id:
            raise PairingError(PairingProblem.SAME_PERSON)
        async with self._db.write() as db:
            # Another process pairing this mentee, or with this mentor, waits: the capacity
            # count and the mentee's current pairing stay true until this commits. (Always the
            # mentee's lock first, then the mentor's: no two transactions wait on each other.)
            await db.serialise("mentee", mentee_id)
            await db.serialise("mentor", mentor_id)
            if not await exists(db, "SELECT 1 FROM people WHERE id = ?", (mentee_id,)):
                raise PairingError(PairingProblem.UNKNOWN_PERSON)
            for helper in (mentor_id, backup_id):
                if helper is not None and not await exists(
                    db, "SELECT 1 FROM roles WHERE person_id = ? AND role = 'mentor'", (helper,)
                ):
                    raise PairingError(PairingProblem.NOT_A_MENTOR)
            current = first(
                await db.execute_fetchall(
                    f"SELECT * FROM pairings WHERE mentee_id = ? AND {_ACTIVE}", (mentee_id,)
                )
            )
            if current is not None and current["mentor_id"] == mentor_id:
                if backup_id is not None:
                    await db.execute(
                        "UPDATE pairings SET backup_id = ? WHERE id = ?", (backup_id, current["id"])
                    )
                rows = await db.execute_fetchall(
                    "SELECT * FROM pairings WHERE id = ?", (current["id"],)
                )
                return _pairing(next(iter(rows)))
            if not over_capacity:
                limit = first(
                    await db.execute_fetchall(
                        "SELECT max_mentees FROM mentor_capacity WHERE mentor_id = ?", (mentor_id,)
                    )
                )
                capacity = limit[0] if limit is not None else default_capacity
                load = first(
                    await db.execute_fetchall(
                        f"SELECT COUNT(*) FROM pairings WHERE mentor_id = ? AND {_ACTIVE}",
                        (mentor_id,),
                    )
                )
                if load is not None and load[0] >= capacity:
                    raise PairingError(PairingProblem.FULL)
            stamp = to_db(now)
            if current is not None:
                await db.execute(
                    "UPDATE pairings SET ended_at = ? WHERE id = ?", (stamp, current["id"])
                )
            rows = await db.execute_fetchall(
                "INSERT INTO pairings (mentee_id, mentor_id, backup_id, source, started_at)"
                " VALUES (?, ?, ?, ?, ?) RETURNING *",
                (mentee_id, mentor_id, backup_id, source.value, stamp),
            )
        return _pairing(next(iter(rows)))

    async def unpair(self, mentee_id: int, now: datetime) -> Pairing | None:
        async with self._db.write() as db:
            rows = await db.execute_fetchall(
                f"UPDATE pairings SET ended_at = ? WHERE mentee_id = ? AND {_ACTIVE} RETURNING *",
                (to_db(now), mentee_id),
            )
        found = first(rows)
        return _pairing(found) if found is not None else None

    async def set_backup(self, mentee_id: int, backup_id: int | None) -> Pairing:
        async with self._db.write() as db:
            if backup_id is not None and not await exists(
                db, "SELECT 1 FROM roles WHERE person_id = ? AND role = 'mentor'", (backup_id,)
            ):
                raise PairingError(PairingProblem.NOT_A_MENTOR)
            current = first(
                await db.execute_fetchall(
                    f"SELECT * FROM pairings WHERE mentee_id = ? AND {_ACTIVE}", (mentee_id,)
                )
            )
            if current is None:
                raise PairingError(PairingProblem.NOT_PAIRED)
            if backup_id in (mentee_id, current["mentor_id"]):
                raise PairingError(PairingProblem.SAME_PERSON)
            rows = await db.execute_fetchall(
                "UPDATE pairings SET backup_id = ? WHERE id = ? RETURNING *",
                (backup_id, current["id"]),
            )
        return _pairing(next(iter(rows)))

    async def get_pairing(self, pairing_id: int) -> Pairing | None:
        row = await self._db.fetchone("SELECT * FROM pairings WHERE id = ?", (pairing_id,))
        return _pairing(row) if row is not None else None

    async def pairing_of(self, mentee_id: int) -> Pairing | None:
        row = await self._db.fetchone(
            f"SELECT * FROM pairings WHERE mentee_id = ? AND {_ACTIVE}", (mentee_id,)
        )
        return _pairing(row) if row is not None else None

    async def mentees_of(self, mentor_id: int) -> list[Pairing]:
        rows = await self._db.fetchall(
            f"SELECT * FROM pairings WHERE (mentor_id = ? OR backup_id = ?) AND {_ACTIVE}"
            " ORDER BY started_at, id",
            (mentor_id, mentor_id),
        )
        return [_pairing(row) for row in rows]

    async def active_pairings(self) -> list[Pairing]:
        rows = await self._db.fetchall(f"SELECT * FROM pairings WHERE {_ACTIVE} ORDER BY id")
        return [_pairing(row) for row in rows]

    async def mentor_capacity(self, mentor_id: int, default: int) -> int:
        row = await self._db.fetchone(
            "SELECT max_mentees FROM mentor_capacity WHERE mentor_id = ?", (mentor_id,)
        )
        return int(row[0]) if row is not None else default

    async def set_mentor_capacity(self, mentor_id: int, capacity: int | None) -> None:
        async with self._db.write() as db:
            if capacity is None:
                await db.execute("DELETE FROM mentor_capacity WHERE mentor_id = ?", (mentor_id,))
                return
            await db.execute(
                "INSERT INTO mentor_capacity (mentor_id, max_mentees) VALUES (?, ?)"
                " ON CONFLICT (mentor_id) DO UPDATE SET max_mentees = excluded.max_mentees",
                (mentor_id, capacity),
            )

    async def request_new_mentor(self, mentee_id: int, now: datetime) -> Pairing | None:
        async with self._db.write() as db:
            rows = await db.execute_fetchall(
                "UPDATE pairings SET change_requested_at = ?"
                f" WHERE mentee_id = ? AND {_ACTIVE} RETURNING *",
                (to_db(now), mentee_id),
            )
        found = first(rows)
        return _pairing(found) if found is not None else None

    async def people_with_role(self, role: Role) -> list[Person]:
        rows = await self._db.fetchall(
            "SELECT p.* FROM people p JOIN roles r ON r.person_id = p.id WHERE r.role = ?"
            " ORDER BY r.granted_at, p.id",
            (role.value,),
        )
        return [_person(row) for row in rows]

    # The coordinator on duty ------------------------------------------------------------------

    async def set_on_duty(self, person_id: int | None, now: datetime) -> None:
        async with self._db.write() as db:
            if person_id is None:
                await db.execute("DELETE FROM coordinator_on_duty")
                return
            if not await exists(
                db, "SELECT 1 FROM roles WHERE person_id = ? AND role = 'coordinator'", (person_id,)
            ):
                raise ValueError("only a coordinator can be on duty")
            await db.execute(
                "INSERT INTO coordinator_on_duty (slot, person_id, since) VALUES (1, ?, ?)"
                " ON CONFLICT (slot) DO UPDATE SET person_id = excluded.person_id,"
                " since = excluded.since",
                (person_id, to_db(now)),
            )

    async def on_duty(self) -> int | None:
        row = await self._db.fetchone("SELECT person_id FROM coordinator_on_duty WHERE slot = 1")
        return int(row[0]) if row is not None else None

    # Sharing consent --------------------------------------------------------------------------

    async def get_sharing(self, mentee_id: int) -> Sharing:
        row = await self._db.fetchone("SELECT * FROM sharing WHERE mentee_id = ?", (mentee_id,))
        if row is None:
            return Sharing()
        return Sharing(
            numbers=bool(row["numbers"]),
            streak=bool(row["streak"]),
            notes=bool(row["notes"]),
            chosen_at=from_db(row["chosen_at"]),
            goals=bool(row["goals"]),
        )

    async def set_sharing(self, mentee_id: int, sharing: Sharing, now: datetime) -> Sharing:
        await self._db.write_one(
            "INSERT INTO sharing (mentee_id, numbers, streak, notes, goals, chosen_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (mentee_id) DO UPDATE SET"
            " numbers = excluded.numbers, streak = excluded.streak, notes = excluded.notes,"
            " goals = excluded.goals, chosen_at = excluded.chosen_at",
            (
                mentee_id,
                int(sharing.numbers),
                int(sharing.streak),
                int(sharing.notes),
                int(sharing.goals),
                to_db(now),
            ),
        )
        return Sharing(
            sharing.numbers, sharing.streak, sharing.notes, chosen_at=now, goals=sharing.goals
        )


def _pairing(row: Row) -> Pairing:
    return Pairing(
        id=row["id"],
        mentee_id=row["mentee_id"],
        mentor_id=row["mentor_id"],
        backup_id=row["backup_id"],
        source=PairingSource(row["source"]),
        started_at=from_db(row["started_at"]),
        ended_at=maybe_from_db(row["ended_at"]),
        change_requested_at=maybe_from_db(row["change_requested_at"]),
    )
