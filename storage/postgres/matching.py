"""Profiles for matching, re-match history and per-person outcomes on PostgreSQL (the twin of
:mod:`storage.sqlite.matching`, whose statements it shares where the dialects agree)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from storage.matching import (
    MatchPair,
    MatchProfile,
    PersonCompletion,
    PersonRetention,
    RematchRequest,
)
from storage.postgres.connection import Repository
from storage.sqlite.matching import (
    CHECKIN_KIND,
    COMPLETION_BY_PERSON,
    LATEST_PAIRINGS,
    PROFILE_UPSERT,
    PROMPTED,
    REMATCHES,
    RETENTION_WINDOW_DAYS,
    profile_from,
    profile_params,
)
from storage.timestamps import from_db, to_db, to_db_date


class PostgresMatching(Repository):
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
        first, last = days - RETENTION_WINDOW_DAYS + 1, days
        rows = await self._db.scan(
            "SELECT p.id AS person_id, EXISTS (SELECT 1 FROM checkins c"
            "   WHERE c.person_id = p.id AND c.completed_at IS NOT NULL AND c.local_date"
            "   BETWEEN to_char(left(p.onboarded_at, 10)::date + ?::int, 'YYYY-MM-DD')"
            "   AND to_char(left(p.onboarded_at, 10)::date + ?::int, 'YYYY-MM-DD')) AS retained"
            " FROM people p JOIN roles r ON r.person_id = p.id AND r.role = 'mentee'"
            " WHERE p.onboarded_at IS NOT NULL AND p.onboarded_at <= ? ORDER BY p.id",
            (first, last, to_db(now - timedelta(days=days))),
        )
        return [PersonRetention(r["person_id"], bool(r["retained"])) for r in rows]
