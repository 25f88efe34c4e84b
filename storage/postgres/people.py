"""People, their accounts, roles, consent, settings and invite codes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from storage.people import (
    UNSET,
    Account,
    AccountAddress,
    InviteCode,
    InviteError,
    InviteProblem,
    Person,
    Role,
    Settings,
)
from storage.postgres.connection import Repository, Row
from storage.timestamps import (
    from_db,
    maybe_from_db,
    maybe_from_db_date,
    to_db,
)


class PostgresPeople(Repository):
    # People and accounts ---------------------------------------------------------------------

    async def create_person(
        self, account: Account, *, role: Role, consented_at: datetime, display_name: str = ""
    ) -> Person:
        now = to_db(consented_at)
        try:
            return await self._create_person(account, role, now, display_name)
        except asyncpg.UniqueViolationError:
            # Another process created a person for this account since the check below: the
            # same answer as when the check sees it (SQLite, one writer, always sees it).
            raise ValueError("this account already belongs to a person") from None

    async def _create_person(
        self, account: Account, role: Role, now: str, display_name: str
    ) -> Person:
        async with self._db.write() as db:
            taken = await db.execute_fetchall(
                "SELECT 1 FROM accounts WHERE platform = ? AND platform_user_id = ?",
                (account.address.platform, account.address.platform_user_id),
            )
            if list(taken):
                raise ValueError("this account already belongs to a person")
            inserted = await db.execute_fetchall(
                "INSERT INTO people (display_name, created_at) VALUES (?, ?) RETURNING id",
                (display_name, now),
            )
            person_id: int = inserted[0]["id"]
            await db.execute(
                "INSERT INTO accounts (platform, platform_user_id, person_id, chat_id,"
                " thread_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    account.address.platform,
                    account.address.platform_user_id,
                    person_id,
                    account.chat_id,
                    account.thread_id,
                    now,
                ),
            )
            await db.execute(
                "INSERT INTO roles (person_id, role, granted_at) VALUES (?, ?, ?)",
                (person_id, role.value, now),
            )
            await db.execute(
                "INSERT INTO consent (person_id, topic, granted_at) VALUES (?, 'storage', ?)",
                (person_id, now),
            )
            await db.execute("INSERT INTO settings (person_id) VALUES (?)", (person_id,))
        return Person(id=person_id, display_name=display_name, created_at=from_db(now))

    async def person_for_account(self, address: AccountAddress) -> Person | None:
        row = await self._db.fetchone(
            "SELECT p.* FROM people p JOIN accounts a ON a.person_id = p.id"
            " WHERE a.platform = ? AND a.platform_user_id = ?",
            (address.platform, address.platform_user_id),
        )
        return _person(row) if row is not None else None

    async def get_person(self, person_id: int) -> Person | None:
        row = await self._db.fetchone("SELECT * FROM people WHERE id = ?", (person_id,))
        return _person(row) if row is not None else None

    async def accounts_of(self, person_id: int) -> list[Account]:
        rows = await self._db.fetchall(
            "SELECT * FROM accounts WHERE person_id = ? ORDER BY created_at, platform",
            (person_id,),
        )
        return [
            Account(
                address=AccountAddress(row["platform"], row["platform_user_id"]),
                person_id=row["person_id"],
                chat_id=row["chat_id"],
                thread_id=row["thread_id"],
            )
            for row in rows
        ]

    async def set_display_name(self, person_id: int, name: str) -> None:
        await self._db.write_one(
            "UPDATE people SET display_name = ? WHERE id = ?", (name, person_id)
        )

    async def mark_onboarded(self, person_id: int, now: datetime) -> None:
        await self._db.write_one(
            "UPDATE people SET onboarded_at = COALESCE(onboarded_at, ?) WHERE id = ?",
            (to_db(now), person_id),
        )

    async def set_stopped(self, person_id: int, stopped_at: datetime | None) -> None:
        value = to_db(stopped_at) if stopped_at is not None else None
        await self._db.write_one(
            "UPDATE people SET stopped_at = ? WHERE id = ?", (value, person_id)
        )

    # Roles, consent, settings ----------------------------------------------------------------

    async def grant_role(self, person_id: int, role: Role, now: datetime) -> None:
        await self._db.write_one(
            "INSERT INTO roles (person_id, role, granted_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (person_id, role.value, to_db(now)),
        )

    async def roles_of(self, person_id: int) -> frozenset[Role]:
        rows = await self._db.fetchall("SELECT role FROM roles WHERE person_id = ?", (person_id,))
        return frozenset(Role(row["role"]) for row in rows)

    async def consents_of(self, person_id: int) -> frozenset[str]:
        rows = await self._db.fetchall(
            "SELECT topic FROM consent WHERE person_id = ?", (person_id,)
        )
        return frozenset(row["topic"] for row in rows)

    async def get_settings(self, person_id: int) -> Settings:
        row = await self._db.fetchone("SELECT * FROM settings WHERE person_id = ?", (person_id,))
        if row is None:
            return Settings(person_id=person_id)
        return _settings(row)

    async def update_settings(
        self,
        person_id: int,
        *,
        timezone: str | object | None = UNSET,
        checkin_time: str | object | None = UNSET,
        paused_until: datetime | object | None = UNSET,
        quiet_hours: str | object | None = UNSET,
        prompt_platform: str | object | None = UNSET,
        paused_reason: str | object | None = UNSET,
        language: str | object | None = UNSET,
    ) -> Settings:
        changes: dict[str, Any] = {}
        for column, value in (
            ("timezone", timezone),
            ("checkin_time", checkin_time),
            ("quiet_hours", quiet_hours),
            ("prompt_platform", prompt_platform),
            ("paused_reason", paused_reason),
            ("language", language),
        ):
            if value is not UNSET:
                changes[column] = value
        if paused_until is not UNSET:
            changes["paused_until"] = (
                to_db(paused_until) if isinstance(paused_until, datetime) else None
            )
        # One upsert: column names come from the fixed tuple above, never from input.
        columns = ", ".join(("person_id", *changes))
        marks = ", ".join("?" for _ in range(len(changes) + 1))
        assignments = ", ".join(f"{column} = excluded.{column}" for column in changes)
        rows = await self._db.write_one(
            f"INSERT INTO settings ({columns}) VALUES ({marks}) ON CONFLICT (person_id) DO "
            + (f"UPDATE SET {assignments}" if changes else "UPDATE SET person_id = person_id")
            + " RETURNING *",
            (person_id, *changes.values()),
        )
        return _settings(rows[0])

    # Invite codes ----------------------------------------------------------------------------

    async def create_invite(self, invite: InviteCode) -> None:
        await self._db.write_one(
            "INSERT INTO invite_codes (code, role, uses_left, expires_at, created_at,"
            " created_by) VALUES (?, ?, ?, ?, ?, ?)",
            (
                invite.code,
                invite.role.value,
                invite.uses_left,
                to_db(invite.expires_at) if invite.expires_at else None,
                to_db(invite.created_at),
                invite.created_by,
            ),
        )

    async def check_invite(self, code: str, now: datetime) -> InviteCode:
        row = await self._db.fetchone("SELECT * FROM invite_codes WHERE code = ?", (code,))
        return _usable_invite(row, now)

    async def redeem_invite(self, code: str, now: datetime) -> InviteCode:
        async with self._db.write() as db:
            # FOR UPDATE: another process redeeming the same code at once waits here, then reads
            # the uses it left (so a code is never used more often than it allows).
            rows = await db.execute_fetchall(
                "SELECT * FROM invite_codes WHERE code = ? FOR UPDATE", (code,)
            )
            invite = _usable_invite(next(iter(rows), None), now)
            await db.execute(
                "UPDATE invite_codes SET uses_left = uses_left - 1 WHERE code = ?", (code,)
            )
        return invite


def _person(row: Row) -> Person:
    return Person(
        id=row["id"],
        display_name=row["display_name"],
        created_at=from_db(row["created_at"]),
        onboarded_at=maybe_from_db(row["onboarded_at"]),
        stopped_at=maybe_from_db(row["stopped_at"]),
        journey_start=maybe_from_db_date(row["journey_start"]),
        streak_start=maybe_from_db_date(row["streak_start"]),
    )


def _settings(row: Row) -> Settings:
    return Settings(
        person_id=row["person_id"],
        timezone=row["timezone"],
        checkin_time=row["checkin_time"],
        paused_until=maybe_from_db(row["paused_until"]),
        quiet_hours=row["quiet_hours"],
        prompt_platform=row["prompt_platform"],
        consecutive_misses=row["consecutive_misses"],
        paused_reason=row["paused_reason"],
        language=row["language"],
    )


def _usable_invite(row: Row | None, now: datetime) -> InviteCode:
    if row is None:
        raise InviteError(InviteProblem.UNKNOWN)
    invite = InviteCode(
        code=row["code"],
        role=Role(row["role"]),
        uses_left=row["uses_left"],
        created_at=from_db(row["created_at"]),
        expires_at=maybe_from_db(row["expires_at"]),
        created_by=row["created_by"],
    )
    if invite.expires_at is not None and invite.expires_at <= now:
        raise InviteError(InviteProblem.EXPIRED)
    if invite.uses_left <= 0:
        raise InviteError(InviteProblem.USED_UP)
    return invite
