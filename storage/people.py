"""People: their accounts (addresses on a platform), roles, consent, settings and invite codes.

The rows here are small, frozen and independent of any backend; ``now`` is always passed in by
the caller, and every datetime in and out is aware UTC.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

UNSET: object = object()
"""Sentinel for :meth:`PeopleStore.update_settings`: leave the field as it is."""


class Role(enum.StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"
    FACILITATOR = "facilitator"
    COORDINATOR = "coordinator"


@dataclass(frozen=True, slots=True)
class AccountAddress:
    """A person's id on one platform: the only thing stored before they consent."""

    platform: str
    platform_user_id: str


@dataclass(frozen=True, slots=True)
class Account:
    address: AccountAddress
    person_id: int
    chat_id: str
    thread_id: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    display_name: str
    created_at: datetime
    onboarded_at: datetime | None = None
    stopped_at: datetime | None = None
    journey_start: date | None = None
    streak_start: date | None = None

    @property
    def onboarded(self) -> bool:
        return self.onboarded_at is not None


@dataclass(frozen=True, slots=True)
class Settings:
    person_id: int
    timezone: str | None = None
    checkin_time: str | None = None
    """Local time of day as ``HH:MM``."""
    paused_until: datetime | None = None
    quiet_hours: str | None = None
    prompt_platform: str | None = None
    consecutive_misses: int = 0
    paused_reason: str | None = None
    language: str | None = None
    """The language the person reads (``handlers.i18n``); None until they choose one."""


@dataclass(frozen=True, slots=True)
class InviteCode:
    code: str
    role: Role
    uses_left: int
    created_at: datetime
    expires_at: datetime | None = None
    created_by: int | None = None


class InviteProblem(enum.StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED_UP = "used_up"


class InviteError(Exception):
    """An invite code that cannot be used, with the reason."""

    def __init__(self, problem: InviteProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class PeopleStore(Protocol):
    """Who someone is, where they can be reached, what they may do and how they want it."""

    async def create_person(
        self, account: Account, *, role: Role, consented_at: datetime, display_name: str = ""
    ) -> Person:
        """Create a person who just consented, with their first account and a role.

        ``account.person_id`` is ignored. Raises ``ValueError`` if the address already belongs
        to someone.
        """
        ...

    async def person_for_account(self, address: AccountAddress) -> Person | None: ...

    async def get_person(self, person_id: int) -> Person | None: ...

    async def accounts_of(self, person_id: int) -> list[Account]: ...

    async def set_display_name(self, person_id: int, name: str) -> None: ...

    async def mark_onboarded(self, person_id: int, now: datetime) -> None: ...

    async def set_stopped(self, person_id: int, stopped_at: datetime | None) -> None:
        """``/stop`` (a time) or writing again after it (``None``)."""
        ...

    # Roles, consent, settings ----------------------------------------------------------------

    async def grant_role(self, person_id: int, role: Role, now: datetime) -> None: ...

    async def roles_of(self, person_id: int) -> frozenset[Role]: ...

    async def consents_of(self, person_id: int) -> frozenset[str]: ...

    async def get_settings(self, person_id: int) -> Settings: ...

    async def update_settings(
        self,
        person_id: int,
        *,
        timezone: str | object | None = UNSET,
        checkin_time: str | object | None = UNSET,
        paused_until: datetime | object | None = UNSET,
        quiet_hours: str | object | None = UNSET,
        prompt_platform: str | object | None = UNSET,
        paused_reason: str | object | None = UNSET,
        language: str | object | None = UNSET,
    ) -> Settings:
        """Change the given fields; the rest stay. Returns the settings as stored."""
        ...

    # Invite codes --------------------------------------------------------------------------

    async def create_invite(self, invite: InviteCode) -> None: ...

    async def check_invite(self, code: str, now: datetime) -> InviteCode:
        """The invite if it could be redeemed now; raises ``InviteError`` otherwise."""
        ...

    async def redeem_invite(self, code: str, now: datetime) -> InviteCode:
        """Use up one use of the code atomically; raises ``InviteError`` when it cannot."""
        ...
