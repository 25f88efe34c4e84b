"""Coordination between several bot processes sharing one database.

Several ``peerbot run`` processes may share a PostgreSQL database (issue 17). What must happen
once, whoever does it, is decided here, in the database, never by a guess:

* **Singleton jobs** (:meth:`CoordinationStore.claim_job_run`): a job that runs once per
  period (the retention purge: once per UTC day) is done by the process that first claims
  that period's ``job_runs`` row; every other process finds it claimed and does nothing.
* **Leases** (:meth:`CoordinationStore.hold_lease`): something only one process may do at a
  time (Telegram long polling) is held under a named lease that its holder renews; a second
  process is refused while the lease is live, and takes over once its holder stops renewing
  (it crashed), so a dead process never blocks the others for longer than the lease.
* **A person's turn** (:meth:`CoordinationStore.person_turn`): the events of one person are
  handled one at a time across processes (on PostgreSQL a session advisory lock per person;
  on SQLite, one process by design, the in-process ordering lock is all there is).

Owners are process identities (host, pid and a random part): no personal data.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol


class CoordinationStore(Protocol):
    """Claims that make several processes on one database do each thing once."""

    async def claim_job_run(self, job: str, period: str, owner: str, now: datetime) -> bool:
        """Claim ``job``'s run for ``period`` (such as a UTC date) for ``owner``.

        True for the first claim of that period, whoever asks; False for every later one.
        """
        ...

    async def hold_lease(self, name: str, owner: str, now: datetime, until: datetime) -> str | None:
        """Take the lease ``name`` for ``owner`` until ``until``, or renew it.

        Returns None when ``owner`` now holds it; otherwise the live holder's identity (the
        lease is someone else's and runs past ``now``), and nothing changes.
        """
        ...

    async def release_lease(self, name: str, owner: str) -> None:
        """Give the lease up (only if ``owner`` holds it), so another may take it at once."""
        ...

    def person_turn(self, key: str) -> AbstractAsyncContextManager[None]:
        """Hold the turn of the person known by ``key`` across every process on this database.

        Waits while another process holds it; after a bounded wait it goes ahead without it,
        logging so, rather than leave a person (perhaps in crisis) without an answer.
        """
        ...
