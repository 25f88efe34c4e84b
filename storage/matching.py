"""The matching area of the storage interface: the profiles mentees and mentors give for
matching, past re-match requests, and the per-person outcomes the report breaks down by match.

A profile is optional and holds fixed choices only (codes, never free text), so nothing here is
encrypted. ``hours`` are the hours of the day (0-23) in the person's own zone when they are
available (a mentor) or would like to talk (a mentee); the handlers turn them into UTC with
zoneinfo on the day they compare them.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


class Pathway(enum.StrEnum):
    """Recovery pathways a mentor can speak to, or a mentee would like their mentor to know."""

    TWELVE_STEP = "12-step"
    SMART = "smart"
    MEDICATION = "medication-assisted"
    FAITH = "faith-based"
    HARM_REDUCTION = "harm-reduction"
    OTHER = "other"


class Gender(enum.StrEnum):
    WOMAN = "woman"
    MAN = "man"
    NONBINARY = "non-binary"


@dataclass(frozen=True, slots=True)
class MatchProfile:
    """What a person told us for matching; every part may be left empty.

    For a mentor: the languages they speak, the pathways and lived-experience areas they can
    speak to, their gender, the gender they prefer to mentor (None: anyone) and when they are
    available. For a mentee: the same terms as wishes, ``gender_preference`` being the gender
    they want their mentor to be.
    """

    person_id: int
    languages: frozenset[str] = frozenset()
    """Language codes (``en``, ``es``...); ``handlers.matching.texts.LANGUAGES`` names them."""
    pathways: frozenset[Pathway] = frozenset()
    experience: frozenset[str] = frozenset()
    """Lived-experience areas (keys of ``handlers.matching.texts.EXPERIENCE``)."""
    gender: Gender | None = None
    gender_preference: Gender | None = None
    hours: frozenset[int] = frozenset()
    """Local hours of the day (0-23)."""
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RematchRequest:
    """A mentee asked (``/newmentor``) to leave this mentor."""

    mentee_id: int
    mentor_id: int
    requested_at: datetime


@dataclass(frozen=True, slots=True)
class PersonCompletion:
    """One person's prompted check-in days in a period and how many they answered."""

    person_id: int
    prompted: int
    answered: int


@dataclass(frozen=True, slots=True)
class PersonRetention:
    """A mentee onboarded at least ``days`` days ago, and whether they were still checking in
    then (the report's retention rule, person by person)."""

    person_id: int
    retained: bool


@dataclass(frozen=True, slots=True)
class MatchPair:
    """The mentee's latest pairing (active or ended): who matched whom."""

    mentee_id: int
    mentor_id: int


class MatchingStore(Protocol):
    """Profiles for matching, re-match history and per-person outcomes."""

    async def match_profile(self, person_id: int) -> MatchProfile | None: ...

    async def match_profiles(self, person_ids: Sequence[int]) -> dict[int, MatchProfile]:
        """The profiles of those of ``person_ids`` who gave one."""
        ...

    async def save_match_profile(self, profile: MatchProfile, now: datetime) -> MatchProfile:
        """Insert or replace the person's profile; returns it with ``updated_at``."""
        ...

    async def delete_match_profile(self, person_id: int) -> bool:
        """Forget the person's profile; False if there was none."""
        ...

    async def rematch_requests(self) -> list[RematchRequest]:
        """Every pairing a mentee asked to leave, oldest first."""
        ...

    async def latest_pairings(self) -> list[MatchPair]:
        """Each mentee's most recent pairing, active or ended."""
        ...

    async def completion_by_person(self, start: date, end: date) -> list[PersonCompletion]:
        """:meth:`storage.reporting.ReportStore.checkin_completion`, person by person."""
        ...

    async def retention_by_person(self, days: int, now: datetime) -> list[PersonRetention]:
        """:meth:`storage.reporting.ReportStore.retention`, person by person (eligible ones)."""
        ...
