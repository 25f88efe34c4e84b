"""The mentoring area of the storage interface: pairings, sharing consent, alerts and their
escalation, safety plans and the audit log of staff views.

The rows here are small and frozen like those in the other area modules; ``now`` is always
passed in by the caller and every datetime in and out is aware UTC.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from storage.checkins import Answer
from storage.people import Person, Role

POSSIBLE_FLAGS_KEPT = timedelta(days=8)
"""How long the times of ``possible`` verdicts are kept: a little longer than the one-week
window the crisis capability counts them in; the daily purge drops older ones."""


class Severity(enum.StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"


class Trigger(enum.StrEnum):
    """What raised an alert."""

    CRISIS = "crisis"
    SOS = "sos"
    USE = "use"
    CRAVING = "craving"
    LOW_MOOD = "low_mood"
    MISSED = "missed_checkins"
    POSSIBLE_UNANSWERED = "possible_unanswered"
    """The screen was unsure, we asked whether they are safe, and no answer came in time."""
    POSSIBLE_REPEATED = "possible_repeated"
    """The screen was unsure about several of their messages in one week."""

    @property
    def severity(self) -> Severity:
        return Severity.URGENT if self in (Trigger.CRISIS, Trigger.SOS) else Severity.NORMAL


class ChainRole(enum.StrEnum):
    """Who an escalation step went to, climbing: mentor, backup mentor, coordinator on duty."""

    MENTOR = "mentor"
    BACKUP = "backup"
    COORDINATOR = "coordinator"


class PairingSource(enum.StrEnum):
    INVITE = "invite"
    COORDINATOR = "coordinator"


@dataclass(frozen=True, slots=True)
class Pairing:
    id: int
    mentee_id: int
    mentor_id: int
    started_at: datetime
    source: PairingSource
    backup_id: int | None = None
    ended_at: datetime | None = None
    change_requested_at: datetime | None = None
    """When the mentee asked for a different mentor (``/newmentor``), if they did."""

    @property
    def active(self) -> bool:
        return self.ended_at is None


class PairingProblem(enum.StrEnum):
    NOT_A_MENTOR = "not_a_mentor"
    SAME_PERSON = "same_person"
    FULL = "full"
    NOT_PAIRED = "not_paired"
    UNKNOWN_PERSON = "unknown_person"


class PairingError(Exception):
    """A pairing that cannot be made, with the reason."""

    def __init__(self, problem: PairingProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Sharing:
    """What a mentee lets their mentor see. The default: numbers and streak, not notes or goals."""

    numbers: bool = True
    streak: bool = True
    notes: bool = False
    chosen_at: datetime | None = None
    """``None`` until the mentee has chosen (the defaults apply)."""
    goals: bool = False
    """Their goals, steps and progress, so the mentor can cheer them on (opt-in, like notes)."""


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    person_id: int
    severity: Severity
    trigger: Trigger
    created_at: datetime
    acked_at: datetime | None = None
    acked_by: int | None = None

    @property
    def open(self) -> bool:
        return self.acked_at is None


@dataclass(frozen=True, slots=True)
class AlertReuse:
    """When raising an alert would repeat one already raised, reuse that one instead.

    An alert of the same person and severity created at or after ``since`` is reused; with
    ``same_trigger`` only one with the same trigger, with ``unacked_only`` only an open one.
    """

    since: datetime
    same_trigger: bool = False
    unacked_only: bool = False


@dataclass(frozen=True, slots=True)
class EscalationStep:
    """One ping of an alert: step 1 is the first, each later one climbs (or reminds)."""

    alert_id: int
    step: int
    recipient_id: int
    role: ChainRole
    notified_at: datetime


@dataclass(frozen=True, slots=True)
class SafetyPlan:
    person_id: int
    warning_signs: str = ""
    what_helps: str = ""
    people_places: str = ""
    professionals: str = ""
    updated_at: datetime | None = None

    @property
    def empty(self) -> bool:
        return not any(
            (self.warning_signs, self.what_helps, self.people_places, self.professionals)
        )


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """A staff view of mentee data: who (actor), whose (subject), what and when."""

    at: datetime
    actor_id: int | None
    actor_label: str
    """The actor's name at the time, or ``"command line"`` for the coordinator's CLI."""
    subject_id: int | None
    action: str
    detail: str = ""
    id: int = 0
    subject_pseudonym: str | None = None
    """Set (and ``subject_id`` None) once the subject was erased: the erasure's random id."""
    actor_pseudonym: str | None = None


@dataclass(frozen=True, slots=True)
class CheckinSummary:
    """A completed check-in with its answers, for the mentor's view and the low-mood trigger."""

    checkin_id: int
    local_date: date
    completed_at: datetime
    answers: dict[str, Answer] = field(default_factory=dict)


class MentoringStore(Protocol):
    """Mentors and mentees, alerts, safety plans and the audit log."""

    # Pairings ---------------------------------------------------------------------------------

    async def pair(
        self,
        mentee_id: int,
        mentor_id: int,
        now: datetime,
        *,
        default_capacity: int,
        backup_id: int | None = None,
        source: PairingSource = PairingSource.COORDINATOR,
        over_capacity: bool = False,
    ) -> Pairing:
        """Pair them (ending any other active pairing of the mentee), atomically.

        Raises :class:`PairingError`: the mentor (or backup) lacks the mentor role, a person
        would mentor themselves, or the mentor is at capacity (their own, else
        ``default_capacity``) unless ``over_capacity``. Pairing a mentee again with the same
        mentor keeps the pairing and only sets the backup, if one is given.
        """
        ...

    async def unpair(self, mentee_id: int, now: datetime) -> Pairing | None:
        """End the mentee's active pairing; returns it (ended), or None if there was none."""
        ...

    async def set_backup(self, mentee_id: int, backup_id: int | None) -> Pairing:
        """Set or clear the backup mentor; raises :class:`PairingError` (not paired...)."""
        ...

    async def get_pairing(self, pairing_id: int) -> Pairing | None: ...

    async def pairing_of(self, mentee_id: int) -> Pairing | None:
        """The mentee's active pairing, if any."""
        ...

    async def mentees_of(self, mentor_id: int) -> list[Pairing]:
        """Active pairings where this person is the mentor or the backup, oldest first."""
        ...

    async def active_pairings(self) -> list[Pairing]: ...

    async def mentor_capacity(self, mentor_id: int, default: int) -> int: ...

    async def set_mentor_capacity(self, mentor_id: int, capacity: int | None) -> None:
        """A mentor's own limit, or ``None`` to use the program's ``max_mentees``."""
        ...

    async def request_new_mentor(self, mentee_id: int, now: datetime) -> Pairing | None:
        """Mark the active pairing as one the mentee wants changed; None if not paired."""
        ...

    async def people_with_role(self, role: Role) -> list[Person]:
        """Everyone holding ``role``, in the order they were given it."""
        ...

    # The coordinator on duty ------------------------------------------------------------------

    async def set_on_duty(self, person_id: int | None, now: datetime) -> None:
        """Who the escalation chain ends with; raises ``ValueError`` if not a coordinator."""
        ...

    async def on_duty(self) -> int | None: ...

    # Sharing consent --------------------------------------------------------------------------

    async def get_sharing(self, mentee_id: int) -> Sharing: ...

    async def set_sharing(self, mentee_id: int, sharing: Sharing, now: datetime) -> Sharing: ...

    # Alerts and escalation --------------------------------------------------------------------

    async def create_alert(
        self,
        person_id: int,
        trigger: Trigger,
        now: datetime,
        *,
        reuse: AlertReuse | None = None,
    ) -> tuple[Alert, bool]:
        """Raise an alert (severity from the trigger), or reuse one as ``reuse`` allows.

        Returns the alert and whether it was created now. The check and the insert are one
        transaction, so two messages at once cannot raise two alerts.
        """
        ...

    async def get_alert(self, alert_id: int) -> Alert | None: ...

    async def ack_alert(self, alert_id: int, by: int, now: datetime) -> tuple[Alert, bool] | None:
        """Acknowledge; returns the alert and whether this call acknowledged it (False: it
        already was, and the alert says by whom and when). None for an unknown alert."""
        ...

    async def open_alerts(self, person_ids: Sequence[int] | None = None) -> list[Alert]:
        """Unacknowledged alerts, oldest first: of these people, or of everyone (``None``)."""
        ...

    async def open_alerts_for_recipient(self, recipient_id: int) -> list[Alert]:
        """Unacknowledged alerts this person was pinged about, oldest first."""
        ...

    async def record_step(self, step: EscalationStep) -> bool:
        """Record a ping; False if that step of that alert was already recorded."""
        ...

    async def steps_of(self, alert_id: int) -> list[EscalationStep]: ...

    async def record_possible(self, person_id: int, now: datetime, since: datetime) -> int:
        """Note that a message of the person got a ``possible`` verdict at ``now``; returns
        how many they have had at or after ``since``, this one included. Older notes are
        forgotten. Only the time is kept, never what was said."""
        ...

    # Safety plans -------------------------------------------------------------------------------

    async def get_safety_plan(self, person_id: int) -> SafetyPlan | None: ...

    async def save_safety_plan(self, plan: SafetyPlan, now: datetime) -> SafetyPlan: ...

    # The audit log ------------------------------------------------------------------------------

    async def write_audit(self, entries: Sequence[AuditEntry]) -> None: ...

    async def audit_log(
        self,
        *,
        subject_id: int | None = None,
        actor_id: int | None = None,
        since: datetime | None = None,
        limit: int = 200,
    ) -> list[AuditEntry]:
        """Newest first."""
        ...

    # Check-in summaries -----------------------------------------------------------------------

    async def recent_checkins(self, person_id: int, limit: int) -> list[CheckinSummary]:
        """The person's last ``limit`` completed check-ins with their answers, newest first."""
        ...
