"""Code attempts on PostgreSQL: the throttle per source and the failed-attempt record."""

from __future__ import annotations

from datetime import datetime

from storage.attempts import CodeThrottle, FailedAttempts
from storage.people import AccountAddress
from storage.postgres.connection import Repository
from storage.timestamps import from_db, maybe_from_db, to_db


def _maybe_to_db(moment: datetime | None) -> str | None:
    return None if moment is None else to_db(moment)


class PostgresCodeAttempts(Repository):
    async def code_throttle(self, source: AccountAddress) -> CodeThrottle:
        row = await self._db.fetchone(
            "SELECT window_start, failures, strikes, blocked_until, last_failure_at"
            " FROM code_throttle WHERE platform = ? AND platform_user_id = ?",
            (source.platform, source.platform_user_id),
        )
        if row is None:
            return CodeThrottle()
        return CodeThrottle(
            window_start=maybe_from_db(row["window_start"]),
            failures=int(row["failures"]),
            strikes=int(row["strikes"]),
            blocked_until=maybe_from_db(row["blocked_until"]),
            last_failure_at=maybe_from_db(row["last_failure_at"]),
        )

    async def record_code_failure(
        self, source: AccountAddress, kind: str, at: datetime, throttle: CodeThrottle
    ) -> None:
        async with self._db.write() as db:
            await db.execute(
                "INSERT INTO code_failures (platform, platform_user_id, kind, at)"
                " VALUES (?, ?, ?, ?)",
                (source.platform, source.platform_user_id, kind, to_db(at)),
            )
            await db.execute(
                "INSERT INTO code_throttle (platform, platform_user_id, window_start, failures,"
                " strikes, blocked_until, last_failure_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (platform, platform_user_id) DO UPDATE SET"
                " window_start = excluded.window_start, failures = excluded.failures,"
                " strikes = excluded.strikes, blocked_until = excluded.blocked_until,"
                " last_failure_at = excluded.last_failure_at",
                (
                    source.platform,
                    source.platform_user_id,
                    _maybe_to_db(throttle.window_start),
                    throttle.failures,
                    throttle.strikes,
                    _maybe_to_db(throttle.blocked_until),
                    _maybe_to_db(throttle.last_failure_at),
                ),
            )

    async def code_failures(self, since: datetime, min_failures: int) -> list[FailedAttempts]:
        rows = await self._db.fetchall(
            "SELECT f.platform, f.platform_user_id, max(a.person_id) AS person_id,"
            " string_agg(DISTINCT f.kind, ',')"
            " AS kinds, count(*) AS n, min(f.at) AS first_at, max(f.at) AS last_at"
            " FROM code_failures f LEFT JOIN accounts a"
            " ON a.platform = f.platform AND a.platform_user_id = f.platform_user_id"
            " WHERE f.at >= ? GROUP BY f.platform, f.platform_user_id HAVING count(*) >= ?"
            " ORDER BY n DESC, last_at DESC",
            (to_db(since), min_failures),
        )
        return [
            FailedAttempts(
                address=AccountAddress(row["platform"], row["platform_user_id"]),
                person_id=None if row["person_id"] is None else int(row["person_id"]),
                kinds=frozenset(str(row["kinds"]).split(",")),
                failures=int(row["n"]),
                first_at=from_db(row["first_at"]),
                last_at=from_db(row["last_at"]),
            )
            for row in rows
        ]
