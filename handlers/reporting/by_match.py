"""Outcomes by match: check-in completion and retention of mentees grouped by a feature of
their match (the latest pairing's mentor against the mentee's wishes), with the report's
small-cell suppression (:func:`handlers.reporting.report.guarded`).

A feature has three groups: the pair shares it (same pathway, a common language), does not,
or it cannot be told (either of them gave no profile, or named none). Nobody is counted twice
within a feature; a mentee never paired is in no group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.reporting import texts
from handlers.reporting.report import Section, Value, guarded, ratio
from storage.base import Storage
from storage.matching import MatchPair, MatchProfile, PersonCompletion, PersonRetention

RETENTION_DAYS = 30
"""The retention horizon of this breakdown (a program's first months have few later ones)."""

SHARED, NOT_SHARED, UNKNOWN = "shared", "not shared", "unknown"


@dataclass(frozen=True, slots=True)
class MatchInputs:
    pairs: list[MatchPair]
    profiles: dict[int, MatchProfile]
    completion: list[PersonCompletion]
    retention: list[PersonRetention]


async def collect_by_match(storage: Storage, since: datetime, until: datetime) -> MatchInputs:
    pairs = await storage.latest_pairings()
    people = sorted({p.mentee_id for p in pairs} | {p.mentor_id for p in pairs})
    return MatchInputs(
        pairs,
        await storage.match_profiles(people),
        await storage.completion_by_person(since.date(), until.date() - timedelta(days=1)),
        await storage.retention_by_person(RETENTION_DAYS, until),
    )


def _pathway(wish: MatchProfile | None, offer: MatchProfile | None) -> str:
    if wish is None or offer is None or not wish.pathways or not offer.pathways:
        return UNKNOWN
    return SHARED if wish.pathways & offer.pathways else NOT_SHARED


def _language(wish: MatchProfile | None, offer: MatchProfile | None) -> str:
    if wish is None or offer is None or not wish.languages or not offer.languages:
        return UNKNOWN
    return SHARED if wish.languages & offer.languages else NOT_SHARED


Judge = Callable[[MatchProfile | None, MatchProfile | None], str]
FEATURES: tuple[tuple[Callable[[], str], Judge], ...] = (
    (lambda: texts.FEATURE_PATHWAY, _pathway),
    (lambda: texts.FEATURE_LANGUAGE, _language),
)
"""Each feature's label (read when the report is built, so in the report's language) and how
a pair is judged on it."""


def _group_label(key: str) -> str:
    labels = {SHARED: texts.GROUP_SHARED, NOT_SHARED: texts.GROUP_NOT_SHARED}
    return labels.get(key, texts.GROUP_UNKNOWN)


def by_match_sections(data: MatchInputs) -> tuple[Section, Section]:
    """Completion and retention, each row one group of one feature, suppressed when small."""
    completion = {c.person_id: c for c in data.completion}
    retention = {r.person_id: r for r in data.retention}
    done_rows, kept_rows = [], []
    for label, judge in FEATURES:
        feature = label()
        groups: dict[str, list[int]] = {SHARED: [], NOT_SHARED: [], UNKNOWN: []}
        for pair in data.pairs:
            verdict = judge(data.profiles.get(pair.mentee_id), data.profiles.get(pair.mentor_id))
            groups[verdict].append(pair.mentee_id)
        for key, mentees in groups.items():
            group = texts.MATCH_GROUP.format(feature=feature, group=_group_label(key))
            counted = [completion[m] for m in mentees if m in completion]
            prompted = sum(c.prompted for c in counted)
            answered = sum(c.answered for c in counted)
            values: dict[str, Value] = {
                texts.COL_PROMPTED: prompted,
                texts.COL_ANSWERED: answered,
                texts.COL_RATE: ratio(answered, prompted),
            }
            done_rows.append(guarded(group, len(counted), values))
            eligible = [retention[m] for m in mentees if m in retention]
            kept = sum(1 for r in eligible if r.retained)
            kept_values: dict[str, Value] = {
                texts.COL_ELIGIBLE: len(eligible),
                texts.COL_RETAINED: kept,
                texts.COL_RATE: ratio(kept, len(eligible)),
            }
            kept_rows.append(guarded(group, len(eligible), kept_values))
    return (
        Section(
            "completion_by_match",
            texts.COMPLETION_BY_MATCH,
            (texts.COL_PROMPTED, texts.COL_ANSWERED, texts.COL_RATE),
            tuple(done_rows),
            texts.BY_MATCH_NOTE,
        ),
        Section(
            "retention_by_match",
            texts.RETENTION_BY_MATCH.format(days=RETENTION_DAYS),
            (texts.COL_ELIGIBLE, texts.COL_RETAINED, texts.COL_RATE),
            tuple(kept_rows),
            texts.BY_MATCH_NOTE,
        ),
    )
