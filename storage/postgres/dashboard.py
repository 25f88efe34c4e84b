"""The dashboard's storage on PostgreSQL: one-time login links, open invites, recent alerts."""

from __future__ import annotations

from datetime import datetime

from storage.dashboard import LoginLink, LoginLinkError, LoginLinkProblem
from storage.mentoring import Alert
from storage.people import InviteCode
from storage.postgres.connection import Repository
from storage.sqlite.dashboard import alert_from_row, invite_from_row
from storage.timestamps import from_db, to_db


class PostgresDashboard(Repository):
    async def create_login_link(self, link: LoginLink) -> None:
        async with self._db.write() as db:
            await db.execute(
                "DELETE FROM dashboard_logins WHERE expires_at < ?", (to_db(link.created_at),)
            )
            await db.execute(
                "INSERT INTO dashboard_logins (token_hash, person_id, created_at, expires_at)"
                " VALUES (?, ?, ?, ?)",
                (link.token_hash, link.person_id, to_db(link.created_at), to_db(link.expires_at)),
            )

    async def use_login_link(self, token_hash: str, now: datetime) -> int:
        async with self._db.write() as db:
            # FOR UPDATE: two processes spending the same link at once, one wins.
            rows = await db.execute_fetchall(
                "SELECT person_id, expires_at, used_at FROM dashboard_logins"
                " WHERE token_hash = ? FOR UPDATE",
                (token_hash,),
            )
            row = next(iter(rows), None)
            if row is None:
                raise LoginLinkError(LoginLinkProblem.UNKNOWN)
            if row["used_at"] is not None:
                raise LoginLinkError(LoginLinkProblem.USED)
            if from_db(row["expires_at"]) <= now:
                raise LoginLinkError(LoginLinkProblem.EXPIRED)
            await db.execute(
                "UPDATE dashboard_logins SET used_at = ? WHERE token_hash = ?",
                (to_db(now), token_hash),
            )
        return int(row["person_id"])

    async def open_invites(self, now: datetime) -> list[InviteCode]:
        rows = await self._db.fetchall(
            "SELECT * FROM invite_codes WHERE uses_left > 0"
            " AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at DESC, code",
            (to_db(now),),
        )
        return [invite_from_row(row) for row in rows]

    async def revoke_invite(self, code: str) -> bool:
        async with self._db.write() as db:
            deleted = await db.execute("DELETE FROM invite_codes WHERE code = ?", (code,))
        return deleted == 1

    async def recent_alerts(self, since: datetime, limit: int) -> list[Alert]:
        rows = await self._db.fetchall(
            "SELECT * FROM alerts WHERE acked_at IS NULL OR created_at >= ?"
            " ORDER BY created_at DESC, id DESC LIMIT ?",
            (to_db(since), limit),
        )
        return [alert_from_row(row) for row in rows]
