"""Link codes on SQLite."""

from __future__ import annotations

from datetime import datetime

from storage.links import LinkError, LinkProblem
from storage.people import Account
from storage.sqlite.connection import Repository
from storage.timestamps import from_db, to_db


class SqliteLinks(Repository):
    async def create_link_code(
        self, code: str, person_id: int, *, now: datetime, expires_at: datetime
    ) -> None:
        async with self._db.write() as db:
            db.execute("DELETE FROM link_codes WHERE person_id = ?", (person_id,))
            db.execute(
                "INSERT INTO link_codes (code, person_id, created_at, expires_at)"
                " VALUES (?, ?, ?, ?)",
                (code, person_id, to_db(now), to_db(expires_at)),
            )

    async def redeem_link_code(self, code: str, account: Account, now: datetime) -> int:
        async with self._db.write() as db:
            rows = list(
                db.execute_fetchall(
                    "SELECT person_id, expires_at FROM link_codes WHERE code = ?", (code,)
                )
            )
            if not rows:
                raise LinkError(LinkProblem.UNKNOWN)
            person_id, expires_at = int(rows[0][0]), from_db(rows[0][1])
            if expires_at <= now:
                db.execute("DELETE FROM link_codes WHERE code = ?", (code,))
                raise LinkError(LinkProblem.EXPIRED)
            owner = list(
                db.execute_fetchall(
                    "SELECT person_id FROM accounts WHERE platform = ? AND platform_user_id = ?",
                    (account.address.platform, account.address.platform_user_id),
                )
            )
            if owner and int(owner[0][0]) != person_id:
                raise LinkError(LinkProblem.ACCOUNT_TAKEN)
            db.execute("DELETE FROM link_codes WHERE code = ?", (code,))
            if owner:
                return person_id  # already linked: nothing to change
            db.execute(
                "INSERT INTO accounts (platform, platform_user_id, person_id, chat_id, thread_id,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    account.address.platform,
                    account.address.platform_user_id,
                    person_id,
                    account.chat_id,
                    account.thread_id,
                    to_db(now),
                ),
            )
        return person_id
