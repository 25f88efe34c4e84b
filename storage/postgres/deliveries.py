"""The delivery ledger."""

from __future__ import annotations

from datetime import datetime

from storage.deliveries import DeliveryStatus
from storage.postgres.connection import Repository
from storage.timestamps import to_db


class PostgresDeliveries(Repository):
    async def begin_delivery(
        self, kind: str, subject: str, occurrence: str, person_id: int | None, now: datetime
    ) -> DeliveryStatus:
        rows = await self._db.write_one(
            "INSERT INTO deliveries (kind, subject, occurrence, person_id, status, attempts,"
            " created_at) VALUES (?, ?, ?, ?, 'pending', 1, ?) ON CONFLICT (kind, subject,"
            " occurrence) DO UPDATE SET attempts = deliveries.attempts + 1 RETURNING status",
            (kind, subject, occurrence, person_id, to_db(now)),
        )
        return DeliveryStatus(rows[0][0])

    async def finish_delivery(
        self,
        kind: str,
        subject: str,
        occurrence: str,
        status: DeliveryStatus,
        now: datetime,
        reason: str | None = None,
        person_id: int | None = None,
    ) -> None:
        await self._db.write_one(
            "INSERT INTO deliveries (kind, subject, occurrence, person_id, status, created_at,"
            " finished_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (kind, subject, occurrence) DO UPDATE SET status = excluded.status,"
            " finished_at = excluded.finished_at, reason = excluded.reason",
            (
                kind,
                subject,
                occurrence,
                person_id,
                status.value,
                to_db(now),
                to_db(now),
                reason,
            ),
        )

    async def delivery_status(
        self, kind: str, subject: str, occurrence: str
    ) -> DeliveryStatus | None:
        row = await self._db.fetchone(
            "SELECT status FROM deliveries WHERE kind = ? AND subject = ? AND occurrence = ?",
            (kind, subject, occurrence),
        )
        return DeliveryStatus(row["status"]) if row is not None else None
