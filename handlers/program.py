"""The program's settings as the core sees them (``bot.config`` reads them from TOML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta

from handlers.texts import program as checkin_texts


@dataclass(frozen=True, slots=True)
class CrisisResource:
    """One line of the crisis reply, e.g. a helpline with how to reach it."""

    name: str
    contact: str


FALLBACK_CRISIS_RESOURCES: tuple[CrisisResource, ...] = (
    CrisisResource(checkin_texts.FALLBACK_HELPLINE, "findahelpline.com"),
    CrisisResource(checkin_texts.FALLBACK_EMERGENCY, checkin_texts.FALLBACK_EMERGENCY_CONTACT),
)
"""Message ids: shown through the catalogue (``handlers.crisis.helplines.Helplines.lines``)."""


@dataclass(frozen=True, slots=True)
class CrisisSettings:
    """``[crisis]``: the program's region, for people whose country is not known, and the
    lines ``[crisis.resources]`` sets by region, which win over the shipped ones
    (:mod:`handlers.crisis.helplines` picks a person's)."""

    region: str = "US"
    resources: dict[str, tuple[CrisisResource, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Question:
    """One check-in question: ``scale`` (``low``..``high``), ``yes_no`` or free ``text``."""

    key: str
    text: str
    kind: str
    low: int = 0
    high: int = 10
    optional: bool = False
    labels: tuple[str, ...] = ()
    """For a scale: a label per value from ``low`` to ``high`` (else the numbers are shown)."""


DEFAULT_QUESTIONS: tuple[Question, ...] = (
    Question("mood", checkin_texts.MOOD_QUESTION, "scale", 1, 5, labels=checkin_texts.MOOD_LABELS),
    Question("craving", checkin_texts.CRAVING_QUESTION, "scale", 0, 10),
    Question("used", checkin_texts.USED_QUESTION, "yes_no"),
    Question("note", checkin_texts.NOTE_QUESTION, "text", optional=True),
)


@dataclass(frozen=True, slots=True)
class CheckinSettings:
    questions: tuple[Question, ...] = DEFAULT_QUESTIONS
    default_time: time = time(20, 0)
    quiet_hours: str = "22:00-07:00"
    max_lateness: timedelta = timedelta(hours=2)
    reminder_after: timedelta = timedelta(hours=3)
    spread: timedelta = timedelta(0)
    """Stagger the prompts of people who chose the same minute over this window (0: none)."""


@dataclass(frozen=True, slots=True)
class EscalationSettings:
    """What raises an alert to a mentor, and how long the chain waits before climbing."""

    craving_threshold: int = 8
    missed_checkins: int = 3
    urgent_ack_minutes: int = 10
    normal_ack_hours: int = 12
    urgent_repeat_minutes: int = 30
    """A crisis (or /sos) raises at most one urgent alert per person in this many minutes."""

    @property
    def urgent_ack(self) -> timedelta:
        return timedelta(minutes=self.urgent_ack_minutes)

    @property
    def normal_ack(self) -> timedelta:
        return timedelta(hours=self.normal_ack_hours)


@dataclass(frozen=True, slots=True)
class MentoringSettings:
    max_mentees: int = 5
    """A mentor's limit unless the coordinator set one for them (``peerbot capacity``)."""


@dataclass(frozen=True, slots=True)
class TrainingSettings:
    """``[training]``: what the program asks of its mentors (0 or empty: nothing asked)."""

    required: tuple[str, ...] = ()
    """Course names every mentor needs (compared without regard to case)."""
    hours_per_year: float = 0.0
    """Training hours in the last 365 days."""
    supervision_per_month: int = 0
    """Supervision sessions in the last 30 days."""
    hold_lapsed_from_new_pairings: bool = False
    """Suggest no new mentees to a mentor whose required training lapsed."""


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    """How long rows are kept (``[privacy]``); 0 keeps them for ever. A daily job purges."""

    retain_checkins_days: int = 365
    """Check-ins with their answers and notes, the delivery ledger and idle conversations."""
    retain_alerts_days: int = 365
    """Alerts and their escalation steps (an alert says what a check-in said)."""
    retain_audit_days: int = 2190
    """The audit log of staff views: six years, as HIPAA asks of such records."""


# The local services directory (``[resources] file``); read and checked by
# handlers.resources.browse.directory, kept here as plain data so the settings need no capability.

CATEGORIES = (
    "crisis",
    "treatment",
    "housing",
    "employment",
    "legal",
    "health",
    "meetings",
    "family",
)
"""Resource categories, in the order people see them."""


@dataclass(frozen=True, slots=True)
class Resource:
    name: str
    category: str
    description: str
    phone: str | None = None
    text: str | None = None
    """A text line, e.g. "text HOME to 741741"."""
    url: str | None = None
    hours: str | None = None
    area: str | None = None
    languages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ResourceDirectory:
    resources: tuple[Resource, ...] = ()
    source: str = ""

    def in_category(self, category: str) -> tuple[Resource, ...]:
        return tuple(r for r in self.resources if r.category == category)

    def categories(self) -> list[str]:
        """The categories that have at least one entry, in the standard order."""
        present = {r.category for r in self.resources}
        return [c for c in CATEGORIES if c in present]


@dataclass(frozen=True, slots=True)
class DashboardSettings:
    """``[dashboard]`` as the core needs it: where coordinators' login links point."""

    public_url: str | None = None
    """The dashboard's address as a coordinator's browser reaches it (behind a proxy, the
    proxy's); ``None``: the dashboard is off and ``/dashboard`` says so."""
    invite_link: str | None = None
    """A join link with ``{code}`` in it (e.g. ``https://t.me/YourBot?start={code}``), which
    an invite's QR code holds; ``None``: the QR code holds the code itself."""


@dataclass(frozen=True, slots=True)
class ProgramSettings:
    """Everything the core needs to know about the program it serves."""

    name: str = "Peer Support"
    crisis: CrisisSettings = field(default_factory=CrisisSettings)
    checkin: CheckinSettings = field(default_factory=CheckinSettings)
    escalation: EscalationSettings = field(default_factory=EscalationSettings)
    mentoring: MentoringSettings = field(default_factory=MentoringSettings)
    training: TrainingSettings = field(default_factory=TrainingSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    max_message_chars: int = 4000
    resources: ResourceDirectory = field(default_factory=ResourceDirectory)
    """The local services directory (``[resources] file``); empty when none is set."""
    dashboard: DashboardSettings = field(default_factory=DashboardSettings)
