"""Linking accounts: one person, several platforms."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Protocol

from storage.people import Account


class LinkProblem(enum.StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    ACCOUNT_TAKEN = "account_taken"


class LinkError(Exception):
    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class LinkStore(Protocol):
    async def create_link_code(
        self, code: str, person_id: int, *, now: datetime, expires_at: datetime
    ) -> None:
        """Store a one-time code; any older code of the same person stops working."""
        ...

    async def redeem_link_code(self, code: str, account: Account, now: datetime) -> int:
        """Attach ``account`` (its ``person_id`` is ignored) to the code's person, once.

        Returns the person id (also when the account was already theirs); raises
        :class:`LinkError` for an unknown, expired or used code, or when the account belongs
        to someone else.
        """
        ...
