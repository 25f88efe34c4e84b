"""Code redemption attempts: the throttle on guessing invite and link codes, and the record of
failed attempts coordinators see in ``peerbot audit``.

A *source* is one account on one platform (its :class:`~storage.people.AccountAddress`). No
code is ever stored here: a failure is its source, its kind of code and its time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from storage.people import AccountAddress

FAILURES_KEPT = timedelta(days=30)
"""How long a failed attempt is kept for the coordinators' view; the daily purge drops older."""


@dataclass(frozen=True, slots=True)
class CodeThrottle:
    """Where one source stands: failures in the current window, how many waits it has earned
    (each longer than the last) and until when it waits now."""

    window_start: datetime | None = None
    failures: int = 0
    strikes: int = 0
    blocked_until: datetime | None = None
    last_failure_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FailedAttempts:
    """Failed code attempts from one source in a window: how many, of which kinds, when."""

    address: AccountAddress
    person_id: int | None
    """The person the account belongs to, if anyone."""
    kinds: frozenset[str]
    failures: int
    first_at: datetime
    last_at: datetime


class CodeAttemptStore(Protocol):
    async def code_throttle(self, source: AccountAddress) -> CodeThrottle:
        """The source's throttle (an empty one if it never failed)."""
        ...

    async def record_code_failure(
        self, source: AccountAddress, kind: str, at: datetime, throttle: CodeThrottle
    ) -> None:
        """Record one failed attempt (never the code) and the source's new throttle, at once."""
        ...

    async def code_failures(self, since: datetime, min_failures: int) -> list[FailedAttempts]:
        """Sources with at least ``min_failures`` failed attempts since ``since``, most first."""
        ...
