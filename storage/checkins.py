"""Check-ins, their answers, the sober-day counter and missed-check-in counts."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from storage.conversations import ConversationState
from storage.due_queue import DueWork
from storage.people import AccountAddress


class QuestionKey(enum.StrEnum):
    """The check-in questions storage itself knows by key (the report and progress chart read
    mood and craving). A program may ask other questions too: an answer's key is any string."""

    MOOD = "mood"
    CRAVING = "craving"
    USED = "used"
    NOTE = "note"


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


class CheckinStore(Protocol):
    """Opening, answering and completing check-ins; the streak and the miss count."""

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
        queued, all in one transaction. Any other completed check-in of the person for the same
        local date is deleted with its answers in that transaction: one day has one check-in,
        and a second one that day replaces the first. False, with nothing changed, if the
        answer could not be stored: the question was already answered, or the check-in is not
        theirs or not open any more."""
        ...

    async def answers_of(self, checkin_id: int) -> dict[str, Answer]: ...

    async def complete_checkin(self, checkin_id: int, now: datetime) -> bool:
        """Mark it complete and reset the miss count; False if it already was."""
        ...

    async def set_streak(
        self, person_id: int, *, journey_start: date | None, streak_start: date | None
    ) -> None: ...

    async def mark_milestones(
        self, person_id: int, streak_start: date, milestones: Sequence[str], now: datetime
    ) -> frozenset[str]:
        """Record ``milestones`` of the streak that began on ``streak_start`` as celebrated;
        returns the ones not recorded before, so each is new exactly once (even under
        concurrent calls). A streak that begins on another date has milestones of its own."""
        ...

    async def count_miss(self, person_id: int) -> int:
        """One more consecutive missed check-in; returns the new count."""
        ...
