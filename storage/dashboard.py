"""What the coordinator's web dashboard reads and writes beyond the other areas: its one-time
login links, the list of invite codes still open (and revoking one), and recent alerts.

A login link is stored as the hash of its token, never the token: a copy of the database lets
nobody in. A link is good once, until it expires.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from storage.mentoring import Alert
from storage.people import InviteCode


class LoginLinkProblem(enum.StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


class LoginLinkError(Exception):
    """A login link that cannot be used, with the reason."""

    def __init__(self, problem: LoginLinkProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class LoginLink:
    token_hash: str
    person_id: int
    created_at: datetime
    expires_at: datetime


class DashboardStore(Protocol):
    async def create_login_link(self, link: LoginLink) -> None: ...

    async def use_login_link(self, token_hash: str, now: datetime) -> int:
        """Spend the link atomically and return whose it is; raises :class:`LoginLinkError`
        for a link that is unknown, expired or already used (a second use loses the race)."""
        ...

    async def open_invites(self, now: datetime) -> list[InviteCode]:
        """Invite codes that could still be redeemed now, newest first."""
        ...

    async def revoke_invite(self, code: str) -> bool:
        """Delete the code so nobody can join with it; False if there was none."""
        ...

    async def recent_alerts(self, since: datetime, limit: int) -> list[Alert]:
        """Alerts still open or raised since ``since``, newest first, at most ``limit``."""
        ...
