"""The delivery ledger: one row per proactive send, keyed by (kind, subject, occurrence).

Written before the send and marked after it, so a restart never re-sends what is marked sent
and never skips what was not.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Protocol


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    MISSED = "missed"
    FAILED = "failed"
    SKIPPED = "skipped"

    @property
    def final(self) -> bool:
        return self is not DeliveryStatus.PENDING


class DeliveryStore(Protocol):
    """The ledger rows around each proactive send."""

    async def begin_delivery(
        self, kind: str, subject: str, occurrence: str, person_id: int | None, now: datetime
    ) -> DeliveryStatus:
        """Write the ledger row before a send (if new) and return its status.

        PENDING means: send it now. Anything else was settled before (sent, missed...).
        """
        ...

    async def finish_delivery(
        self,
        kind: str,
        subject: str,
        occurrence: str,
        status: DeliveryStatus,
        now: datetime,
        reason: str | None = None,
        person_id: int | None = None,
    ) -> None: ...

    async def delivery_status(
        self, kind: str, subject: str, occurrence: str
    ) -> DeliveryStatus | None: ...
