"""The dashboard's storage on SQLite: one-time login links, open invites, recent alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.dashboard import LoginLink, LoginLinkError, LoginLinkProblem
from storage.mentoring import Alert, Severity, Trigger
from storage.people import InviteCode, Role
from storage.sqlite.connection import Repository
from storage.timestamps import from_db, maybe_from_db, to_db


class SqliteDashboard(Repository):
    async def create_login_link(self, link: LoginLink) -> None:
        async with self._db.write() as db:
            # Spent and expired links are kept only until the next one is made: enough to tell
            # "already used" from "unknown" for the ten minutes that matter.
            db.execute(
                "DELETE FROM dashboard_logins WHERE expires_at < ?", (to_db(link.created_at),)
            )
            db.execute(
                "INSERT INTO dashboard_logins (token_hash, person_id, created_at, expires_at)"
                " VALUES (?, ?, ?, ?)",
                (link.token_hash, link.person_id, to_db(link.created_at), to_db(link.expires_at)),
            )

    async def use_login_link(self, token_hash: str, now: datetime) -> int:
        async with self._db.write() as db:
            rows = db.execute_fetchall(
                "SELECT person_id, expires_at, used_at FROM dashboard_logins WHERE token_hash = ?",
                (token_hash,),
            )
            row = next(iter(rows), None)
            if row is None:
                raise LoginLinkError(LoginLinkProblem.UNKNOWN)
            if row["used_at"] is not None:
                raise LoginLinkError(LoginLinkProblem.USED)
            if from_db(row["expires_at"]) <= now:
                raise LoginLinkError(LoginLinkProblem.EXPIRED)
            db.execute(
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
            cursor = db.execute("DELETE FROM invite_codes WHERE code = ?", (code,))
            return cursor.rowcount == 1

    async def recent_alerts(self, since: datetime, limit: int) -> list[Alert]:
        rows = await self._db.fetchall(
            "SELECT * FROM alerts WHERE acked_at IS NULL OR created_at >= ?"
            " ORDER BY created_at DESC, id DESC LIMIT ?",
            (to_db(since), limit),
        )
        return [alert_from_row(row) for row in rows]


def invite_from_row(row: Any) -> InviteCode:
    return InviteCode(
        code=row["code"],
        role=Role(row["role"]),
        uses_left=int(row["uses_left"]),
        created_at=from_db(row["created_at"]),
        expires_at=maybe_from_db(row["expires_at"]),
        created_by=row["created_by"],
    )


def alert_from_row(row: Any) -> Alert:
    return Alert(
        id=int(row["id"]),
        person_id=int(row["person_id"]),
        severity=Severity(row["severity"]),
        trigger=Trigger(row["trigger"]),
        created_at=from_db(row["created_at"]),
        acked_at=maybe_from_db(row["acked_at"]),
        acked_by=row["acked_by"],
    )
