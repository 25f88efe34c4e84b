"""Profiles for matching, re-match history and per-person outcomes on SQLite."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from storage.matching import (
    Gender,
    MatchPair,
    MatchProfile,
    Pathway,
    PersonCompletion,
    PersonRetention,
    RematchRequest,
)
from storage.sqlite.connection import Repository
from storage.timestamps import from_db, to_db, to_db_date

CHECKIN_KIND = "checkin"
PROMPTED = ("sent", "missed")
RETENTION_WINDOW_DAYS = 7
"""As the report's retention (``storage.sqlite.reporting``): a check-in on days N-6 .. N."""

PROFILE_UPSERT = (
    "INSERT INTO match_profiles (person_id, languages, pathways, experience, gender,"
    " gender_preference, hours, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (person_id) DO UPDATE SET languages = excluded.languages,"
    " pathways = excluded.pathways, experience = excluded.experience,"
    " gender = excluded.gender, gender_preference = excluded.gender_preference,"
    " hours = excluded.hours, updated_at = excluded.updated_at"
)
COMPLETION_BY_PERSON = (
    "SELECT d.person_id AS person_id, COUNT(*) AS prompted,"
    " SUM(CASE WHEN EXISTS (SELECT 1 FROM checkins c WHERE c.person_id = d.person_id"
    "   AND c.local_date = d.occurrence AND c.completed_at IS NOT NULL) THEN 1 ELSE 0 END)"
    "  AS answered"
    " FROM deliveries d WHERE d.kind = ? AND d.status IN (?, ?)"
    " AND d.person_id IS NOT NULL AND d.occurrence BETWEEN ? AND ? GROUP BY d.person_id"
    " ORDER BY d.person_id"
)
REMATCHES = (
    "SELECT mentee_id, mentor_id, change_requested_at FROM pairings"
    " WHERE change_requested_at IS NOT NULL ORDER BY change_requested_at, id"
)
LATEST_PAIRINGS = (
    "SELECT mentee_id, mentor_id FROM pairings p"
    " WHERE id = (SELECT MAX(id) FROM pairings q WHERE q.mentee_id = p.mentee_id)"
    " ORDER BY mentee_id"
)


def profile_params(profile: MatchProfile, now: datetime) -> tuple[Any, ...]:
    return (
        profile.person_id,
        json.dumps(sorted(profile.languages)),
        json.dumps(sorted(p.value for p in profile.pathways)),
        json.dumps(sorted(profile.experience)),
        profile.gender.value if profile.gender else None,
        profile.gender_preference.value if profile.gender_preference else None,
        json.dumps(sorted(profile.hours)),
        to_db(now),
    )


def profile_from(row: Any) -> MatchProfile:
    """A stored row as a profile; a code this version does not know is left out, not fatal."""
    pathways = {p.value: p for p in Pathway}
    genders = {g.value: g for g in Gender}
    return MatchProfile(
        person_id=row["person_id"],
        languages=frozenset(str(code) for code in json.loads(row["languages"])),
        pathways=frozenset(pathways[p] for p in json.loads(row["pathways"]) if p in pathways),
        experience=frozenset(str(area) for area in json.loads(row["experience"])),
        gender=genders.get(row["gender"] or ""),
        gender_preference=genders.get(row["gender_preference"] or ""),
        hours=frozenset(int(h) for h in json.loads(row["hours"]) if 0 <= int(h) < 24),
        updated_at=from_db(row["updated_at"]),
    )


class SqliteMatching(Repository):
    async def match_profile(self, person_id: int) -> MatchProfile | None:
        row = await self._db.fetchone(
            "SELECT * FROM match_profiles WHERE person_id = ?", (person_id,)
        )
        return profile_from(row) if row is not None else None

    async def match_profiles(self, person_ids: Sequence[int]) -> dict[int, MatchProfile]:
        if not person_ids:
            return {}
        marks = ", ".join("?" for _ in person_ids)
        rows = await self._db.fetchall(
            f"SELECT * FROM match_profiles WHERE person_id IN ({marks})", tuple(person_ids)
        )
        return {row["person_id"]: profile_from(row) for row in rows}

    async def save_match_profile(self, profile: MatchProfile, now: datetime) -> MatchProfile:
        await self._db.write_one(PROFILE_UPSERT, profile_params(profile, now))
        saved = await self.match_profile(profile.person_id)
        assert saved is not None
        return saved

    async def delete_match_profile(self, person_id: int) -> bool:
        rows = await self._db.write_one(
            "DELETE FROM match_profiles WHERE person_id = ? RETURNING person_id", (person_id,)
        )
        return bool(rows)

    async def rematch_requests(self) -> list[RematchRequest]:
        rows = await self._db.scan(REMATCHES)
        return [
            RematchRequest(r["mentee_id"], r["mentor_id"], from_db(r["change_requested_at"]))
            for r in rows
        ]

    async def latest_pairings(self) -> list[MatchPair]:
        rows = await self._db.scan(LATEST_PAIRINGS)
        return [MatchPair(r["mentee_id"], r["mentor_id"]) for r in rows]

    async def completion_by_person(self, start: date, end: date) -> list[PersonCompletion]:
        rows = await self._db.scan(
            COMPLETION_BY_PERSON, (CHECKIN_KIND, *PROMPTED, to_db_date(start), to_db_date(end))
        )
        return [PersonCompletion(r["person_id"], r["prompted"], r["answered"]) for r in rows]

    async def retention_by_person(self, days: int, now: datetime) -> list[PersonRetention]:
        first, last = f"+{days - RETENTION_WINDOW_DAYS + 1} days", f"+{days} days"
        rows = await self._db.scan(
            "SELECT p.id AS person_id, EXISTS (SELECT 1 FROM checkins c"
            "   WHERE c.person_id = p.id AND c.completed_at IS NOT NULL AND c.local_date"
            "   BETWEEN date(substr(p.onboarded_at, 1, 10), ?)"
            "   AND date(substr(p.onboarded_at, 1, 10), ?)) AS retained"
            " FROM people p JOIN roles r ON r.person_id = p.id AND r.role = 'mentee'"
            " WHERE p.onboarded_at IS NOT NULL AND p.onboarded_at <= ? ORDER BY p.id",
            (first, last, to_db(now - timedelta(days=days))),
        )
        return [PersonRetention(r["person_id"], bool(r["retained"])) for r in rows]
