"""The due queue."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage.due_queue import DueWork
from storage.postgres.connection import Repository, Row
from storage.timestamps import (
    from_db,
    maybe_from_db,
    to_db,
)


def due_upsert(work: DueWork) -> tuple[str, tuple[Any, ...]]:
    """The statement putting ``work`` in the due queue (or moving it), for other writes too."""
    return (
        "INSERT INTO due_work (kind, subject, person_id, due_at, occurrence)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, subject) DO UPDATE SET"
        " person_id = excluded.person_id, due_at = excluded.due_at,"
        " occurrence = excluded.occurrence, lease_owner = NULL, lease_until = NULL",
        (work.kind, work.subject, work.person_id, to_db(work.due_at), work.occurrence),
    )


class PostgresDueQueue(Repository):
    async def set_due(self, work: DueWork) -> None:
        await self._db.write_one(*due_upsert(work))

    async def clear_due(self, kind: str, subject: str) -> None:
        await self._db.write_one(
            "DELETE FROM due_work WHERE kind = ? AND subject = ?", (kind, subject)
        )

    async def get_due(self, kind: str, subject: str) -> DueWork | None:
        row = await self._db.fetchone(
            "SELECT * FROM due_work WHERE kind = ? AND subject = ?", (kind, subject)
        )
        return _due(row) if row is not None else None

    async def claim_due(
        self,
        now: datetime,
        *,
        owner: str,
        lease_until: datetime,
        limit: int,
        kinds: tuple[str, ...],
    ) -> list[DueWork]:
        if not kinds:
            return []
        stamp = to_db(now)
        marks = ", ".join("?" for _ in kinds)
        rows = await self._db.write_one(
            "UPDATE due_work SET lease_owner = ?, lease_until = ?"
            " WHERE (kind, subject) IN (SELECT kind, subject FROM due_work WHERE due_at <= ?"
            f"   AND kind IN ({marks}) AND (lease_until IS NULL OR lease_until <= ?)"
            " ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING *",
            (owner, to_db(lease_until), stamp, *kinds, stamp, limit),
        )
        return sorted((_due(row) for row in rows), key=lambda w: w.due_at)

    async def renew_due_leases(
        self, owner: str, keys: Sequence[tuple[str, str]], now: datetime, lease_until: datetime
    ) -> int:
        if not keys:
            return 0
        rows = await self._db.write_one(
            "UPDATE due_work SET lease_until = ? WHERE lease_owner = ? AND lease_until > ?"
            " AND EXISTS (SELECT 1 FROM jsonb_array_elements(?::jsonb) AS j(value)"
            "   WHERE j.value->>0 = due_work.kind AND j.value->>1 = due_work.subject)"
            " RETURNING kind",
            (to_db(lease_until), owner, to_db(now), json.dumps([list(k) for k in keys])),
        )
        return len(rows)

    async def due_per_minute(self, kind: str) -> list[tuple[datetime, int]]:
        rows = await self._db.scan(
            "SELECT substr(due_at, 1, 16) AS minute, count(*) AS n FROM due_work"
            " WHERE kind = ? GROUP BY minute ORDER BY minute",
            (kind,),
        )
        return [(from_db(f"{row['minute']}:00.000000Z"), int(row["n"])) for row in rows]

    async def oldest_due(self, now: datetime) -> datetime | None:
        row = await self._db.fetchone(  # the due_at index's first entry
            "SELECT min(due_at) FROM due_work WHERE due_at <= ?", (to_db(now),)
        )
        return None if row is None or row[0] is None else from_db(row[0])

    async def advance_due(self, claimed: DueWork, next_work: DueWork | None) -> bool:
        still_ours = (
            "kind = ? AND subject = ? AND due_at = ? AND occurrence = ? AND lease_owner = ?"
        )
        key = (
            claimed.kind,
            claimed.subject,
            to_db(claimed.due_at),
            claimed.occurrence,
            claimed.lease_owner,
        )
        if next_work is None:
            rows = await self._db.write_one(
                f"DELETE FROM due_work WHERE {still_ours} RETURNING kind", key
            )
        else:
            rows = await self._db.write_one(
                "UPDATE due_work SET due_at = ?, occurrence = ?, lease_owner = NULL,"
                f" lease_until = NULL WHERE {still_ours} RETURNING kind",
                (to_db(next_work.due_at), next_work.occurrence, *key),
            )
        return len(rows) == 1


def _due(row: Row) -> DueWork:
    return DueWork(
        kind=row["kind"],
        subject=row["subject"],
        person_id=row["person_id"],
        due_at=from_db(row["due_at"]),
        occurrence=row["occurrence"],
        lease_owner=row["lease_owner"],
        lease_until=maybe_from_db(row["lease_until"]),
    )
