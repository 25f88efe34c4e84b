"""The due queue: scheduled work as rows, claimed atomically with a lease.

Several processes may share one database: :meth:`DueQueueStore.claim_due` hands each row to
one owner at a time, so nothing due is done twice while a lease holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class DueWork:
    """A row of the due queue: ``kind`` work about ``subject`` is due at ``due_at``."""

    kind: str
    subject: str
    due_at: datetime
    occurrence: str
    person_id: int | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None


class DueQueueStore(Protocol):
    """Putting work in the queue, moving it, claiming what is due and moving it on."""

    async def set_due(self, work: DueWork) -> None:
        """Insert or move the (kind, subject) row, dropping any lease on it."""
        ...

    async def clear_due(self, kind: str, subject: str) -> None: ...

    async def get_due(self, kind: str, subject: str) -> DueWork | None: ...

    async def claim_due(
        self,
        now: datetime,
        *,
        owner: str,
        lease_until: datetime,
        limit: int,
        kinds: tuple[str, ...],
    ) -> list[DueWork]:
        """Atomically lease up to ``limit`` rows of ``kinds`` due at ``now`` to ``owner``.

        A row leased to someone else is skipped until its lease expires.
        """
        ...

    async def renew_due_leases(
        self, owner: str, keys: Sequence[tuple[str, str]], now: datetime, lease_until: datetime
    ) -> int:
        """Extend to ``lease_until`` the leases ``owner`` still holds (not run out at ``now``)
        on the rows ``keys`` ((kind, subject) pairs): the worker's heartbeat while the work it
        claimed is in progress. Returns how many. A lease already run out is not renewed:
        another owner may hold that row now."""
        ...

    async def due_per_minute(self, kind: str) -> list[tuple[datetime, int]]:
        """How many ``kind`` rows are due in each UTC minute, in time order (minutes with
        none left out): what a fan-out will ask of the platform's rate."""
        ...

    async def oldest_due(self, now: datetime) -> datetime | None:
        """When the longest-waiting row due at ``now`` fell due (leased or not: a row being
        worked is still waiting); None when nothing is due. ``now`` minus it is the queue's
        lag, which ``/metrics`` shows."""
        ...

    async def advance_due(self, claimed: DueWork, next_work: DueWork | None) -> bool:
        """Replace a row this owner claimed with its next occurrence (or delete it).

        Does nothing and returns False if the row changed since the claim (the person moved
        their time, or another owner took over an expired lease).
        """
        ...
