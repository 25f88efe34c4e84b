"""Coordination on SQLite: job runs and leases as rows; a person's turn is in-process only.

SQLite serves one process by design (a second ``peerbot run`` on the same file is not a
supported setup): the reply path's in-process ordering lock already keeps one person's events
in order, so :meth:`SqliteCoordination.person_turn` adds nothing. The job runs and leases are
the same rows as on PostgreSQL, so a program behaves alike on both and moves between them.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime

from storage.sqlite.connection import Repository
from storage.timestamps import to_db


class SqliteCoordination(Repository):
    async def claim_job_run(self, job: str, period: str, owner: str, now: datetime) -> bool:
        rows = await self._db.write_one(
            "INSERT INTO job_runs (job, period, owner, started_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (job, period) DO NOTHING RETURNING owner",
            (job, period, owner, to_db(now)),
        )
        return len(rows) == 1

    async def hold_lease(self, name: str, owner: str, now: datetime, until: datetime) -> str | None:
        async with self._db.write() as db:
            taken = db.execute_fetchall(
                "INSERT INTO leases (name, owner, lease_until) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
                " lease_until = excluded.lease_until"
                " WHERE leases.owner = excluded.owner OR leases.lease_until <= ?"
                " RETURNING owner",
                (name, owner, to_db(until), to_db(now)),
            )
            if taken:
                return None
            holder = db.execute_fetchall("SELECT owner FROM leases WHERE name = ?", (name,))
        return str(holder[0]["owner"])

    async def release_lease(self, name: str, owner: str) -> None:
        await self._db.write_one("DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))

    @contextlib.asynccontextmanager
    async def person_turn(self, key: str) -> AsyncIterator[None]:
        yield  # one process: the reply path's in-process lock is the whole turn
