"""Linking accounts: one person, several platforms.

``/link`` on an account the person has makes a one-time code; the code used on a new account
makes a :class:`LinkRequest`, which only the account that made the code can accept. Accepting
attaches the new account and records when (:meth:`LinkStore.linked_at`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from storage.people import Account, AccountAddress


class LinkProblem(enum.StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    ACCOUNT_TAKEN = "account_taken"
    ALREADY_LINKED = "already_linked"


class LinkError(Exception):
    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class LinkRequest:
    """A new account asking to join ``person_id``'s record, waiting for ``owner`` to answer."""

    id: int
    person_id: int
    owner: AccountAddress
    """The account that made the code: the only one whose answer counts."""
    account: Account
    """The account asking to be linked (its ``person_id`` is the person it would join)."""
    created_at: datetime
    expires_at: datetime


class LinkStore(Protocol):
    async def create_link_code(
        self,
        code: str,
        person_id: int,
        *,
        made_by: AccountAddress,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        """Store a one-time code made on ``made_by``; any older code of the person stops
        working."""
        ...

    async def request_link(
        self, code: str, account: Account, *, now: datetime, expires_at: datetime
    ) -> LinkRequest:
        """Use up the code and store ``account``'s request to join the code's person (its
        ``person_id`` is ignored), to be answered by the account that made the code before
        ``expires_at``. Replaces an older request of the same account. Raises
        :class:`LinkError` for an unknown, expired or used code, when the account belongs to
        someone else, or when it is already the code's person's."""
        ...

    async def link_request(self, request_id: int) -> LinkRequest | None: ...

    async def answer_link_request(
        self, request_id: int, *, accept: bool, now: datetime
    ) -> LinkRequest | None:
        """End a pending request; when ``accept`` (and it has not expired), attach its account
        and record when. Returns the request, or None when there was none (answered,
        cancelled or expired). Raises :class:`LinkError` ``ACCOUNT_TAKEN`` when the account
        has meanwhile got a record of its own (the request is ended all the same)."""
        ...

    async def expire_link_request(self, request_id: int, now: datetime) -> LinkRequest | None:
        """End the request if it has expired by ``now``; returns it, or None if there is no
        such request or it has not expired."""
        ...

    async def linked_at(self, address: AccountAddress) -> datetime | None:
        """When this account was linked to its person by a confirmed /link; None for an
        account a person signed up with (or one not linked)."""
        ...
