"""Link codes and link requests on PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from storage.links import LinkError, LinkProblem, LinkRequest
from storage.people import Account, AccountAddress
from storage.postgres.connection import Repository, Row, Transaction
from storage.timestamps import from_db, to_db

_REQUEST = (
    "SELECT id, person_id, owner_platform, owner_user_id, platform, platform_user_id, chat_id,"
    " thread_id, created_at, expires_at FROM link_requests WHERE id = ?"
)


def _request(row: Row) -> LinkRequest:
    return LinkRequest(
        id=int(row["id"]),
        person_id=int(row["person_id"]),
        owner=AccountAddress(row["owner_platform"], row["owner_user_id"]),
        account=Account(
            AccountAddress(row["platform"], row["platform_user_id"]),
            person_id=int(row["person_id"]),
            chat_id=row["chat_id"],
            thread_id=row["thread_id"],
        ),
        created_at=from_db(row["created_at"]),
        expires_at=from_db(row["expires_at"]),
    )


async def _owner_of(db: Transaction, address: AccountAddress) -> int | None:
    rows = await db.execute_fetchall(
        "SELECT person_id FROM accounts WHERE platform = ? AND platform_user_id = ?",
        (address.platform, address.platform_user_id),
    )
    return int(rows[0][0]) if rows else None


class PostgresLinks(Repository):
    async def create_link_code(
        self,
        code: str,
        person_id: int,
        *,
        made_by: AccountAddress,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        async with self._db.write() as db:
            await db.execute("DELETE FROM link_codes WHERE person_id = ?", (person_id,))
            await db.execute(
                "INSERT INTO link_codes (code, person_id, created_at, expires_at,"
                " made_on_platform, made_by_platform_user_id) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    code,
                    person_id,
                    to_db(now),
                    to_db(expires_at),
                    made_by.platform,
                    made_by.platform_user_id,
                ),
            )

    async def request_link(
        self, code: str, account: Account, *, now: datetime, expires_at: datetime
    ) -> LinkRequest:
        async with self._db.write() as db:
            rows = list(
                await db.execute_fetchall(
                    "SELECT person_id, expires_at, made_on_platform, made_by_platform_user_id"
                    " FROM link_codes WHERE code = ?",
                    (code,),
                )
            )
            if not rows:
                raise LinkError(LinkProblem.UNKNOWN)
            person_id, code_expires = int(rows[0][0]), from_db(rows[0][1])
            if code_expires <= now or rows[0][2] is None:  # a code from before confirmation
                await db.execute("DELETE FROM link_codes WHERE code = ?", (code,))
                raise LinkError(LinkProblem.EXPIRED)
            owner = await _owner_of(db, account.address)
            if owner is not None and owner != person_id:
                raise LinkError(LinkProblem.ACCOUNT_TAKEN)
            await db.execute("DELETE FROM link_codes WHERE code = ?", (code,))
            if owner is not None:
                raise LinkError(LinkProblem.ALREADY_LINKED)
            await db.execute(
                "DELETE FROM link_requests WHERE platform = ? AND platform_user_id = ?",
                (account.address.platform, account.address.platform_user_id),
            )
            inserted = await db.execute_fetchall(
                "INSERT INTO link_requests (person_id, owner_platform, owner_user_id, platform,"
                " platform_user_id, chat_id, thread_id, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    person_id,
                    rows[0][2],
                    rows[0][3],
                    account.address.platform,
                    account.address.platform_user_id,
                    account.chat_id,
                    account.thread_id,
                    to_db(now),
                    to_db(expires_at),
                ),
            )
            request_id: int = inserted[0]["id"]
            found = await db.execute_fetchall(_REQUEST, (request_id,))
        return _request(found[0])

    async def link_request(self, request_id: int) -> LinkRequest | None:
        row = await self._db.fetchone(_REQUEST, (request_id,))
        return None if row is None else _request(row)

    async def answer_link_request(
        self, request_id: int, *, accept: bool, now: datetime
    ) -> LinkRequest | None:
        async with self._db.write() as db:
            rows = await db.execute_fetchall(_REQUEST, (request_id,))
            if not rows:
                return None
            request = _request(rows[0])
            if request.expires_at <= now:  # left for expire_link_request, which says so
                return None
            await db.execute("DELETE FROM link_requests WHERE id = ?", (request_id,))
            if not accept:
                return request
            address = request.account.address
            owner = await _owner_of(db, address)
            if owner is not None and owner != request.person_id:
                raise LinkError(LinkProblem.ACCOUNT_TAKEN)
            if owner is None:
                # ON CONFLICT DO NOTHING + the check after it: another process may have given
                # the account to someone since _owner_of read it (SQLite's one writer cannot).
                inserted = await db.execute(
                    "INSERT INTO accounts (platform, platform_user_id, person_id, chat_id,"
                    " thread_id, created_at) VALUES (?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (platform, platform_user_id) DO NOTHING",
                    (
                        address.platform,
                        address.platform_user_id,
                        request.person_id,
                        request.account.chat_id,
                        request.account.thread_id,
                        to_db(now),
                    ),
                )
                if not inserted and await _owner_of(db, address) != request.person_id:
                    raise LinkError(LinkProblem.ACCOUNT_TAKEN)
                await db.execute(
                    "INSERT INTO account_links (platform, platform_user_id,"
                    " person_id, linked_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (platform, platform_user_id) DO UPDATE SET"
                    " person_id = excluded.person_id, linked_at = excluded.linked_at",
                    (address.platform, address.platform_user_id, request.person_id, to_db(now)),
                )
        return request

    async def expire_link_request(self, request_id: int, now: datetime) -> LinkRequest | None:
        async with self._db.write() as db:
            rows = await db.execute_fetchall(_REQUEST, (request_id,))
            if not rows or from_db(rows[0]["expires_at"]) > now:
                return None
            await db.execute("DELETE FROM link_requests WHERE id = ?", (request_id,))
        return _request(rows[0])

    async def linked_at(self, address: AccountAddress) -> datetime | None:
        row = await self._db.fetchone(
            "SELECT l.linked_at FROM account_links l JOIN accounts a"
            " ON a.platform = l.platform AND a.platform_user_id = l.platform_user_id"
            " AND a.person_id = l.person_id WHERE l.platform = ? AND l.platform_user_id = ?",
            (address.platform, address.platform_user_id),
        )
        return None if row is None else from_db(row[0])
