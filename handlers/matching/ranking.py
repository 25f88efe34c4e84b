"""Ranking mentors for a mentee: a pure function of what storage said, with no I/O.

Hard constraints are never broken; a mentor who fails one is not suggested at all:

- capacity: the mentor has a free place (``load < limit``);
- not excluded (the mentee's current mentor when they asked for a change, or themselves);
- language: when the mentee named languages, the mentor speaks one of them;
- gender: when the mentee stated a preference, the mentor is of that gender; when the mentor
  stated one, the mentee is of that gender (unknown counts as not matching: it cannot be
  promised);
- training: with ``hold_lapsed``, a mentor whose required training lapsed is held back.

Soft ones give points: overlapping hours (each person's local hours turned into UTC with
zoneinfo on the given day, so DST is right), a shared pathway, shared lived experience, free
places; a mentee who asked to leave this mentor before, and re-match requests other mentees
made of them, take points away. Ties are broken by load (the less busy mentor first), then by
id so the order is stable. The reasons are words (``texts``), best first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers.matching import texts
from handlers.texts.plurals import counted
from storage.matching import MatchProfile

DAY_PARTS: dict[str, tuple[int, ...]] = {
    "morning": tuple(range(6, 12)),
    "afternoon": tuple(range(12, 17)),
    "evening": tuple(range(17, 22)),
    "night": (22, 23, 0, 1, 2, 3, 4, 5),
}
"""Local hours of each part of the day the profile offers (and the reasons name)."""

PATHWAY_POINTS = 3.0
EXPERIENCE_POINTS = 2.0
OVERLAP_POINTS_PER_HOUR = 0.5
OVERLAP_MAX_HOURS = 6
CLOSE_ZONE_POINTS = 1.0
CLOSE_ZONE_HOURS = 3
PLACES_POINTS = 2.0
"""Given in proportion to the share of the mentor's places still free."""
LEFT_BEFORE_POINTS = -6.0
REMATCH_POINTS = -1.0
REMATCH_MAX = 3


@dataclass(frozen=True, slots=True)
class MentorFacts:
    mentor_id: int
    name: str
    load: int
    limit: int
    zone: str | None = None
    profile: MatchProfile | None = None
    training_lapsed: bool = False
    rematch_requests: int = 0
    """How many mentees asked (``/newmentor``) to leave this mentor."""


@dataclass(frozen=True, slots=True)
class MenteeFacts:
    mentee_id: int
    zone: str | None = None
    profile: MatchProfile | None = None
    left_mentors: frozenset[int] = frozenset()
    """Mentors this mentee asked to leave before."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    mentor: MentorFacts
    score: float
    reasons: tuple[str, ...]

    @property
    def reason_text(self) -> str:
        return texts.REASON_SEPARATOR.join(self.reasons)


def allowed(
    mentee: MenteeFacts,
    mentor: MentorFacts,
    *,
    exclude: Iterable[int] = (),
    hold_lapsed: bool = False,
) -> bool:
    """Whether the mentor meets every hard constraint for this mentee."""
    if mentor.mentor_id == mentee.mentee_id or mentor.mentor_id in set(exclude):
        return False
    if mentor.load >= mentor.limit:
        return False
    if hold_lapsed and mentor.training_lapsed:
        return False
    wish, offer = mentee.profile, mentor.profile
    if wish is not None and wish.languages:
        if offer is None or not wish.languages & offer.languages:
            return False
    if wish is not None and wish.gender_preference is not None:
        if offer is None or offer.gender is not wish.gender_preference:
            return False
    if offer is not None and offer.gender_preference is not None:
        if wish is None or wish.gender is not offer.gender_preference:
            return False
    return True


def utc_hours(hours: Iterable[int], zone: str | None, on: date) -> frozenset[int]:
    """Local hours of the day in ``zone`` as UTC hours on ``on`` (an unknown zone: none)."""
    if zone is None:
        return frozenset()
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return frozenset()
    return frozenset(
        datetime.combine(on, time(hour), tzinfo=tz).astimezone(UTC).hour for hour in hours
    )


def _offset_hours(zone: str | None, on: date) -> float | None:
    if zone is None:
        return None
    try:
        offset = datetime.combine(on, time(12), tzinfo=ZoneInfo(zone)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return offset.total_seconds() / 3600 if offset is not None else None


def _overlap_part(shared_utc: frozenset[int], zone: str | None, on: date) -> str | None:
    """The part of the mentee's day most of the shared hours fall in."""
    if zone is None or not shared_utc:
        return None
    parts: Counter[str] = Counter()
    for part, hours in DAY_PARTS.items():
        for hour in hours:
            if utc_hours((hour,), zone, on) & shared_utc:
                parts[part] += 1
    if not parts:
        return None
    best = max(DAY_PARTS, key=lambda part: (parts[part], -list(DAY_PARTS).index(part)))
    return best


def score(mentee: MenteeFacts, mentor: MentorFacts, on: date) -> tuple[float, tuple[str, ...]]:
    """The soft constraints' points for this pair, and the reasons in words."""
    points = 0.0
    reasons: list[str] = []
    wish, offer = mentee.profile, mentor.profile
    if wish is not None and offer is not None:
        languages = sorted(wish.languages & offer.languages)
        if languages:
            names = [texts.LANGUAGES.get(code, code) for code in languages]
            reasons.append(texts.REASON_LANGUAGE.format(language=" & ".join(names)))
        pathways = sorted(p.value for p in wish.pathways & offer.pathways)
        if pathways:
            points += PATHWAY_POINTS
            reasons.append(
                texts.REASON_PATHWAY.format(
                    pathway=" & ".join(texts.PATHWAYS.get(p, p) for p in pathways)
                )
            )
        areas = sorted(wish.experience & offer.experience)
        if areas:
            points += EXPERIENCE_POINTS
            names = [texts.EXPERIENCE.get(a, a) for a in areas]
            reasons.append(texts.REASON_EXPERIENCE.format(area=", ".join(names)))
    free = max(mentor.limit - mentor.load, 0)
    points += PLACES_POINTS * free / mentor.limit if mentor.limit > 0 else 0.0
    reasons.append(texts.REASON_PLACES.format(free=free, limit=mentor.limit))
    if wish is not None and offer is not None and wish.hours and offer.hours:
        shared = utc_hours(wish.hours, mentee.zone, on) & utc_hours(offer.hours, mentor.zone, on)
        if shared:
            points += OVERLAP_POINTS_PER_HOUR * min(len(shared), OVERLAP_MAX_HOURS)
            part = _overlap_part(frozenset(shared), mentee.zone, on)
            if part is not None:
                reasons.append(texts.REASON_OVERLAP.format(part=texts.DAY_PARTS[part]))
    else:
        mine, theirs = _offset_hours(mentee.zone, on), _offset_hours(mentor.zone, on)
        if mine is not None and theirs is not None and abs(mine - theirs) <= CLOSE_ZONE_HOURS:
            points += CLOSE_ZONE_POINTS
            reasons.append(texts.REASON_CLOSE_ZONE)
    if mentor.mentor_id in mentee.left_mentors:
        points += LEFT_BEFORE_POINTS
        reasons.append(texts.REASON_LEFT_BEFORE)
    others = mentor.rematch_requests - (1 if mentor.mentor_id in mentee.left_mentors else 0)
    if others > 0:
        points += REMATCH_POINTS * min(others, REMATCH_MAX)
        reasons.append(counted(texts.REASON_REMATCHES, others))
    return points, tuple(reasons)


def rank(
    mentee: MenteeFacts,
    mentors: Sequence[MentorFacts],
    *,
    on: date,
    exclude: Iterable[int] = (),
    hold_lapsed: bool = False,
    limit: int | None = 3,
) -> list[Suggestion]:
    """The mentors who meet every hard constraint, best first (ties: lower load first)."""
    excluded = frozenset(exclude)
    found = []
    for mentor in mentors:
        if not allowed(mentee, mentor, exclude=excluded, hold_lapsed=hold_lapsed):
            continue
        points, reasons = score(mentee, mentor, on)
        found.append(Suggestion(mentor, round(points, 6), reasons))
    found.sort(key=lambda s: (-s.score, s.mentor.load, s.mentor.mentor_id))
    return found if limit is None else found[:limit]
