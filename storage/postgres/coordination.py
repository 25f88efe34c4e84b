"""Coordination on PostgreSQL: job runs and leases as rows, a person's turn an advisory lock.

A person's turn is a *session* advisory lock (``pg_try_advisory_lock``) on a key hashed from
the person's platform and user id, taken on a connection of its own
(:meth:`PostgresConnection.turn_lock`), never on a pooled one: a turn spans many transactions,
and a pooled connection held for each turn could starve the writes the turn itself makes. The
lock is tried, not waited for, so one person's wait never blocks the connection for the others
(it backs off and tries again); a process that dies loses its connection and with it its locks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from storage.postgres.connection import Repository
from storage.timestamps import to_db


class PostgresCoordination(Repository):
    async def claim_job_run(self, job: str, period: str, owner: str, now: datetime) -> bool:
        rows = await self._db.write_one(
            "INSERT INTO job_runs (job, period, owner, started_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (job, period) DO NOTHING RETURNING owner",
            (job, period, owner, to_db(now)),
        )
        return len(rows) == 1

    async def hold_lease(self, name: str, owner: str, now: datetime, until: datetime) -> str | None:
        async with self._db.write() as db:
            taken = await db.execute_fetchall(
                "INSERT INTO leases (name, owner, lease_until) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
                " lease_until = excluded.lease_until"
                " WHERE leases.owner = excluded.owner OR leases.lease_until <= ?"
                " RETURNING owner",
                (name, owner, to_db(until), to_db(now)),
            )
            if taken:
                return None
            holder = await db.execute_fetchall("SELECT owner FROM leases WHERE name = ?", (name,))
        return str(holder[0]["owner"])

    async def release_lease(self, name: str, owner: str) -> None:
        await self._db.write_one("DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))

    @asynccontextmanager
    async def person_turn(self, key: str) -> AsyncIterator[None]:
        async with self._db.turn_lock(key):
            yield
