"""The storage interface: domain methods, not generic CRUD.

Every backend (SQLite through aiosqlite now, PostgreSQL for scale-out) implements this Protocol
and passes the same contract suite (``tests/storage_contract.py``). ``now`` is always passed in
by the caller, so tests run on a fake clock; every datetime in and out is aware UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from storage.circles import CircleStore
from storage.goals import GoalStore
from storage.links import LinkStore
from storage.mentoring import MentoringStore
from storage.models import (
    Account,
    AccountAddress,
    Answer,
    Checkin,
    ConversationState,
    DeliveryStatus,
    DueWork,
    FinishedCheckin,
    InviteCode,
    Person,
    Role,
    Settings,
)
from storage.privacy import PrivacyStore
from storage.prompt_batches import PromptBatchStore
from storage.reporting import ReportStore

UNSET: object = object()
"""Sentinel for :meth:`Storage.update_settings`: leave the field as it is."""


class CoreStore(Protocol):
    """People, settings, conversation state, check-ins, the due queue and the ledger."""

    async def open(self) -> None:
        """Connect and apply pending migrations."""
        ...

    async def close(self) -> None: ...

    # People and accounts -------------------------------------------------------------------

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

    # Conversation state ----------------------------------------------------------------------

    async def load_conversation(self, address: AccountAddress) -> ConversationState | None: ...

    async def turn_facts(
        self, address: AccountAddress
    ) -> tuple[Person | None, frozenset[Role], ConversationState | None]:
        """What every incoming event needs, read at once: the address's person (None if
        unknown), their roles (empty without a person) and the conversation state (which an
        address may have before it has a person). The same as :meth:`person_for_account`,
        :meth:`roles_of` and :meth:`load_conversation` together."""
        ...

    async def save_conversation(
        self, address: AccountAddress, state: ConversationState, now: datetime
    ) -> None: ...

    async def clear_conversation(self, address: AccountAddress) -> None: ...

    # The due queue ---------------------------------------------------------------------------

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

    async def advance_due(self, claimed: DueWork, next_work: DueWork | None) -> bool:
        """Replace a row this owner claimed with its next occurrence (or delete it).

        Does nothing and returns False if the row changed since the claim (the person moved
        their time, or another owner took over an expired lease).
        """
        ...

    # Check-ins and the sober-day counter -------------------------------------------------------

    async def open_checkin(
        self, person_id: int, local_date: date, source: str, now: datetime
    ) -> Checkin:
        """Start a check-in counting for ``local_date``; any older open one is closed."""
        ...

    async def get_checkin(self, checkin_id: int) -> Checkin | None: ...

    async def latest_checkin(
        self, person_id: int, *, source: str | None = None, before: date | None = None
    ) -> Checkin | None: ...

    async def completed_on(self, person_id: int, local_date: date) -> bool: ...

    async def record_answer(self, checkin_id: int, answer: Answer, now: datetime) -> bool:
        """Store one answer; False if that question was already answered (a double press)."""
        ...

    async def record_open_answer(
        self,
        checkin_id: int,
        person_id: int,
        answer: Answer,
        now: datetime,
        *,
        then: tuple[AccountAddress, ConversationState] | None = None,
    ) -> bool:
        """:meth:`record_answer`, but only into a check-in of ``person_id`` that is still open
        (checked in the same statement). False if nothing was stored: no such open check-in of
        theirs, or the question already answered (:meth:`get_checkin` tells which).

        ``then``: an address and the conversation state it moves to once the answer is
        stored, saved in the same transaction (so a crash never leaves an answer stored with
        the conversation still waiting for it); nothing is saved when nothing was stored."""
        ...

    async def finish_checkin(self, finished: FinishedCheckin, now: datetime) -> bool:
        """The last answer (as :meth:`record_open_answer` stores it), the check-in complete,
        the miss count back to 0, the streak, the conversation ended and the follow-up work
        queued, all in one transaction. False, with nothing changed, if the answer could not
        be stored: the question was already answered, or the check-in is not theirs or not
        open any more."""
        ...

    async def answers_of(self, checkin_id: int) -> dict[str, Answer]: ...

    async def complete_checkin(self, checkin_id: int, now: datetime) -> bool:
        """Mark it complete and reset the miss count; False if it already was."""
        ...

    async def set_streak(
        self, person_id: int, *, journey_start: date | None, streak_start: date | None
    ) -> None: ...

    async def count_miss(self, person_id: int) -> int:
        """One more consecutive missed check-in; returns the new count."""
        ...

    # The delivery ledger ---------------------------------------------------------------------

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


class Storage(
    CoreStore,
    GoalStore,
    ReportStore,
    MentoringStore,
    CircleStore,
    LinkStore,
    PrivacyStore,
    PromptBatchStore,
    Protocol,
):
    """What the core may ask of a database: every area's protocol together."""
