"""Peer circles: the series, their dated occurrences, RSVPs, sessions, attendance and pulses.

The rows here are independent of any backend, like those in the other area modules.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol


class Recurrence(enum.StrEnum):
    ONCE = "once"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"


class VenueKind(enum.StrEnum):
    TEXT = "text"
    VOICE = "voice"
    GROUP = "group"


class RsvpStatus(enum.StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    CANT = "cant"
    WAITLIST = "waitlist"


class SpeakingOrder(enum.StrEnum):
    JOIN_ORDER = "join_order"
    QUIET_FIRST = "quiet_first"


@dataclass(frozen=True, slots=True)
class Venue:
    """Where a circle meets: a Discord text or voice channel, or a Telegram group."""

    platform: str
    chat_id: str
    thread_id: str | None = None
    kind: VenueKind = VenueKind.TEXT


@dataclass(frozen=True, slots=True)
class Circle:
    id: int
    title: str
    facilitator_id: int | None
    zone: str
    local_time: time
    weekdays: tuple[int, ...]
    """0 = Monday; sorted, at least one."""
    recurrence: Recurrence
    start_date: date
    duration: timedelta
    created_at: datetime
    description: str = ""
    guidelines: str = ""
    co_facilitator_id: int | None = None
    capacity: int | None = None
    """``None``: no limit."""
    venue: Venue | None = None
    cancelled_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.cancelled_at is None

    def leaders(self) -> tuple[int, ...]:
        """The facilitator and co-facilitator, whoever is set."""
        found = (self.facilitator_id, self.co_facilitator_id)
        return tuple(dict.fromkeys(p for p in found if p is not None))


@dataclass(frozen=True, slots=True)
class Occurrence:
    id: int
    circle_id: int
    local_date: date
    starts_at: datetime
    cancelled_at: datetime | None = None

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


@dataclass(frozen=True, slots=True)
class Rsvp:
    occurrence_id: int
    person_id: int
    status: RsvpStatus
    updated_at: datetime
    position: int | None = None
    reminders_off: bool = False


@dataclass(frozen=True, slots=True)
class RsvpChange:
    """What an RSVP did: the status given (waitlist when full) and who moved up from the
    waitlist because a place opened."""

    status: RsvpStatus
    previous: RsvpStatus | None
    promoted: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    circle_id: int
    occurrence_id: int
    started_at: datetime
    runner_id: int | None
    mode: SpeakingOrder
    share_seconds: int
    ended_at: datetime | None = None
    current_speaker_id: int | None = None
    speaker_since: datetime | None = None
    turn_no: int = 0

    @property
    def open(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True, slots=True)
class Attendance:
    session_id: int
    person_id: int
    attended: bool
    joined_at: datetime | None = None
    shared: int = 0
    passed: bool = False
    spoke_at: datetime | None = None
    hand_raised_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class MirroredEvent:
    """An occurrence's copy in an outside calendar (``handlers.calendars``), remembered so
    that moving or cancelling the occurrence finds the copy again, also after a restart."""

    mirror: str
    """Which calendar: ``"discord"``."""
    occurrence_id: int
    place: str
    """Where the copy lives in that calendar (the Discord server's id)."""
    event_id: str
    """The copy's id there."""


class CircleStore(Protocol):
    """Circles, occurrences, RSVPs with a waitlist, sessions, attendance and pulses."""

    # Circles ---------------------------------------------------------------------------------

    async def create_circle(self, circle: Circle) -> Circle:
        """Store a new circle (``id`` and ``cancelled_at`` are ignored); returns it stored."""
        ...

    async def get_circle(self, circle_id: int) -> Circle | None: ...

    async def update_circle(self, circle: Circle) -> None:
        """Replace every editable field of the stored circle with ``circle``'s."""
        ...

    async def cancel_circle(self, circle_id: int, now: datetime) -> list[Occurrence]:
        """Cancel the series and every occurrence not yet started; returns those cancelled."""
        ...

    async def circles_at_venue(self, platform: str, chat_id: str) -> list[Circle]:
        """Active circles meeting in that chat (any thread of it)."""
        ...

    async def circles_led_by(self, person_id: int) -> list[Circle]:
        """Active circles the person facilitates or co-facilitates, oldest first."""
        ...

    async def active_circles(self) -> list[Circle]: ...

    # Occurrences -----------------------------------------------------------------------------

    async def save_occurrence(
        self, circle_id: int, local_date: date, starts_at: datetime
    ) -> Occurrence:
        """The occurrence on ``local_date``, created if new; a live one gets ``starts_at``."""
        ...

    async def get_occurrence(self, occurrence_id: int) -> Occurrence | None: ...

    async def occurrence_on(self, circle_id: int, local_date: date) -> Occurrence | None: ...

    async def occurrences_of(self, circle_id: int, *, after: datetime) -> list[Occurrence]:
        """Occurrences starting at or after ``after`` (cancelled ones too), soonest first."""
        ...

    async def upcoming_occurrences(self, after: datetime, limit: int) -> list[Occurrence]:
        """Live occurrences of active circles starting at or after ``after``, soonest first."""
        ...

    async def cancel_occurrence(self, occurrence_id: int, now: datetime) -> bool:
        """False if it was already cancelled."""
        ...

    # RSVPs -----------------------------------------------------------------------------------

    async def set_rsvp(
        self,
        occurrence_id: int,
        person_id: int,
        wanted: RsvpStatus,
        *,
        capacity: int | None,
        now: datetime,
    ) -> RsvpChange:
        """Record an answer atomically: GOING when full goes on the waitlist (keeping a place
        already held), and a place given up moves the first on the waitlist up."""
        ...

    async def fill_places(
        self, occurrence_id: int, *, capacity: int | None, now: datetime
    ) -> tuple[int, ...]:
        """Move people up from the waitlist while there are places; returns who moved."""
        ...

    async def rsvps_of(self, occurrence_id: int) -> list[Rsvp]:
        """Every answer; the waitlist in its order, the rest by when they answered."""
        ...

    async def get_rsvp(self, occurrence_id: int, person_id: int) -> Rsvp | None: ...

    async def set_reminders_off(self, occurrence_id: int, person_id: int, off: bool) -> bool:
        """False if the person has no RSVP for that occurrence."""
        ...

    # Sessions --------------------------------------------------------------------------------

    async def start_session(
        self,
        circle_id: int,
        occurrence_id: int,
        *,
        runner_id: int,
        mode: SpeakingOrder,
        share_seconds: int,
        now: datetime,
    ) -> Session | None:
        """Open a session; None if one of this circle is already open. Those going are
        recorded as expected (not yet attended)."""
        ...

    async def get_session(self, session_id: int) -> Session | None: ...

    async def open_session(self, circle_id: int) -> Session | None: ...

    async def sessions_of_occurrence(self, occurrence_id: int) -> list[Session]: ...

    async def sessions_of_circle(self, circle_id: int) -> list[Session]:
        """Oldest first."""
        ...

    async def set_runner(self, session_id: int, person_id: int) -> None: ...

    async def set_speaker(self, session_id: int, person_id: int | None, now: datetime) -> Session:
        """Give the floor to ``person_id`` (a new turn) or to nobody; returns the session."""
        ...

    async def set_speaking_order(self, session_id: int, mode: SpeakingOrder) -> None: ...

    async def end_session(self, session_id: int, now: datetime) -> bool:
        """False if it had already ended."""
        ...

    # Attendance and pulses -------------------------------------------------------------------

    async def mark_here(self, session_id: int, person_id: int, now: datetime) -> bool:
        """Record arrival; False if they were already marked here."""
        ...

    async def attendance_of(self, session_id: int) -> list[Attendance]:
        """Everyone expected or present, in the order they arrived (expected-only last)."""
        ...

    async def record_share(self, session_id: int, person_id: int, now: datetime) -> None: ...

    async def record_pass(self, session_id: int, person_id: int) -> bool:
        """Pass in the opening round; False if they had already passed or shared."""
        ...

    async def set_hand(self, session_id: int, person_id: int, raised_at: datetime | None) -> bool:
        """Raise (a time) or lower (None) a hand; False if unchanged."""
        ...

    async def last_spoke(self, circle_id: int, before_session: int) -> dict[int, datetime]:
        """When each person last shared in this circle's earlier sessions."""
        ...

    async def record_pulse(
        self, session_id: int, person_id: int, value: int, now: datetime
    ) -> bool:
        """Store a 1-5 check-out answer; a second press changes it. False if unchanged."""
        ...

    async def pulses_of(self, session_id: int) -> list[int]: ...

    async def attendance_by_person(self, circle_id: int) -> dict[int, int]:
        """For the coordinator report: sessions of this circle each person attended."""
        ...

    # Copies in outside calendars -------------------------------------------------------------

    async def save_mirrored_event(self, event: MirroredEvent) -> None:
        """Remember (or replace) the copy of ``event.occurrence_id`` in ``event.mirror``."""
        ...

    async def mirrored_event(self, mirror: str, occurrence_id: int) -> MirroredEvent | None: ...

    async def forget_mirrored_event(self, mirror: str, occurrence_id: int) -> None:
        """The copy is gone from that calendar; nothing happens if none was remembered."""
        ...
