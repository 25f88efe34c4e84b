"""The rows storage hands back: small, frozen and independent of any backend."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


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


@dataclass(frozen=True, slots=True)
class ConversationState:
    """Where an account is in a multi-step flow; lives in storage so restarts resume."""

    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


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


@dataclass(frozen=True, slots=True)
class Checkin:
    id: int
    person_id: int
    local_date: date
    source: str
    started_at: datetime
    completed_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.completed_at is None and self.closed_at is None


@dataclass(frozen=True, slots=True)
class Answer:
    question_key: str
    number: float | None = None
    text: str | None = None
    skipped: bool = False


@dataclass(frozen=True, slots=True)
class FinishedCheckin:
    """Everything that changes when a check-in's last answer comes in, stored at once."""

    checkin_id: int
    person_id: int
    last_answer: Answer
    journey_start: date
    streak_start: date
    conversation: AccountAddress | None = None
    """Whose conversation ends with it (None: none to end)."""
    follow_up: DueWork | None = None
    """Due-queue work that must happen after it, even if this process dies right after."""


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    MISSED = "missed"
    FAILED = "failed"
    SKIPPED = "skipped"

    @property
    def final(self) -> bool:
        return self is not DeliveryStatus.PENDING
