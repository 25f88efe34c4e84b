"""The embedded default store: SQLite through aiosqlite.

One writer connection behind an asyncio lock, every write inside ``BEGIN IMMEDIATE`` (so two
processes sharing a file serialise on SQLite's own lock instead of failing half-way), and a
separate reader connection beside it, which WAL lets run while a write is in progress.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from storage.base import UNSET
from storage.migrations import load_migrations
from storage.models import (
    Account,
    AccountAddress,
    Answer,
    Checkin,
    ConversationState,
    DeliveryStatus,
    DueWork,
    InviteCode,
    InviteError,
    InviteProblem,
    Person,
    Role,
    Settings,
)
from storage.timestamps import from_db, from_db_date, to_db, to_db_date

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


class SqliteStorage:
    """The :class:`storage.base.Storage` on a SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    # Connection management ---------------------------------------------------------------

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await self._connect()
        await self._writer.execute("PRAGMA journal_mode=WAL")
        await self._migrate()
        self._reader = await self._connect()

    async def _connect(self) -> aiosqlite.Connection:
        # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves.
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    async def _migrate(self) -> None:
        writer = self._conn(self._writer)
        await writer.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        async with writer.execute("SELECT version FROM schema_migrations") as cursor:
            applied = {row[0] async for row in cursor}
        for migration in load_migrations("sqlite"):
            if migration.version in applied:
                continue
            log.info("applying migration %04d %s", migration.version, migration.name)
            # executescript runs the whole file; the BEGIN/COMMIT make it all-or-nothing.
            await writer.executescript(
                "BEGIN IMMEDIATE;\n"
                + migration.sql
                + "\nINSERT INTO schema_migrations (version, name, applied_at) VALUES "
                + f"({migration.version}, '{migration.name}', strftime('%Y-%m-%dT%H:%M:%fZ'));"
                + "\nCOMMIT;"
            )

    @staticmethod
    def _conn(conn: aiosqlite.Connection | None) -> aiosqlite.Connection:
        if conn is None:
            raise RuntimeError("storage is not open; call open() first")
        return conn

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction on the single writer connection."""
        writer = self._conn(self._writer)
        async with self._lock:
            if writer.in_transaction:
                # A task cancelled mid-BEGIN left one open (the statement still ran in
                # aiosqlite's thread): nothing of it was committed, so roll it back.
                await writer.execute("ROLLBACK")
            await writer.execute("BEGIN IMMEDIATE")
            try:
                yield writer
            except BaseException:
                if writer.in_transaction:
                    await asyncio.shield(writer.execute("ROLLBACK"))
                raise
            else:
                await writer.execute("COMMIT")

    async def _fetchone(self, sql: str, params: tuple[Any, ...] = ()) -> aiosqlite.Row | None:
        async with self._conn(self._reader).execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def _fetchall(self, sql: str, params: tuple[Any, ...] = ()) -> list[aiosqlite.Row]:
        async with self._conn(self._reader).execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    # People and accounts ---------------------------------------------------------------------

    async def create_person(
        self, account: Account, *, role: Role, consented_at: datetime, display_name: str = ""
    ) -> Person:
        now = to_db(consented_at)
        async with self._write() as db:
            taken = await db.execute_fetchall(
                "SELECT 1 FROM accounts WHERE platform = ? AND platform_user_id = ?",
                (account.address.platform, account.address.platform_user_id),
            )
            if list(taken):
                raise ValueError("this account already belongs to a person")
            cursor = await db.execute(
                "INSERT INTO people (display_name, created_at) VALUES (?, ?)", (display_name, now)
            )
            person_id = cursor.lastrowid
            assert person_id is not None
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
        row = await self._fetchone(
            "SELECT p.* FROM people p JOIN accounts a ON a.person_id = p.id"
            " WHERE a.platform = ? AND a.platform_user_id = ?",
            (address.platform, address.platform_user_id),
        )
        return _person(row) if row is not None else None

    async def get_person(self, person_id: int) -> Person | None:
        row = await self._fetchone("SELECT * FROM people WHERE id = ?", (person_id,))
        return _person(row) if row is not None else None

    async def accounts_of(self, person_id: int) -> list[Account]:
        rows = await self._fetchall(
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
        async with self._write() as db:
            await db.execute("UPDATE people SET display_name = ? WHERE id = ?", (name, person_id))

    async def mark_onboarded(self, person_id: int, now: datetime) -> None:
        async with self._write() as db:
            await db.execute(
                "UPDATE people SET onboarded_at = COALESCE(onboarded_at, ?) WHERE id = ?",
                (to_db(now), person_id),
            )

    async def set_stopped(self, person_id: int, stopped_at: datetime | None) -> None:
        value = to_db(stopped_at) if stopped_at is not None else None
        async with self._write() as db:
            await db.execute("UPDATE people SET stopped_at = ? WHERE id = ?", (value, person_id))

    # Roles, consent, settings ----------------------------------------------------------------

    async def grant_role(self, person_id: int, role: Role, now: datetime) -> None:
        async with self._write() as db:
            await db.execute(
                "INSERT OR IGNORE INTO roles (person_id, role, granted_at) VALUES (?, ?, ?)",
                (person_id, role.value, to_db(now)),
            )

    async def roles_of(self, person_id: int) -> frozenset[Role]:
        rows = await self._fetchall("SELECT role FROM roles WHERE person_id = ?", (person_id,))
        return frozenset(Role(row["role"]) for row in rows)

    async def consents_of(self, person_id: int) -> frozenset[str]:
        rows = await self._fetchall("SELECT topic FROM consent WHERE person_id = ?", (person_id,))
        return frozenset(row["topic"] for row in rows)

    async def get_settings(self, person_id: int) -> Settings:
        row = await self._fetchone("SELECT * FROM settings WHERE person_id = ?", (person_id,))
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
    ) -> Settings:
        changes: dict[str, Any] = {}
        for column, value in (
            ("timezone", timezone),
            ("checkin_time", checkin_time),
            ("quiet_hours", quiet_hours),
            ("prompt_platform", prompt_platform),
            ("paused_reason", paused_reason),
        ):
            if value is not UNSET:
                changes[column] = value
        if paused_until is not UNSET:
            changes["paused_until"] = (
                to_db(paused_until) if isinstance(paused_until, datetime) else None
            )
        async with self._write() as db:
            await db.execute("INSERT OR IGNORE INTO settings (person_id) VALUES (?)", (person_id,))
            if changes:
                # Column names come from the fixed tuple above, never from input.
                assignments = ", ".join(f"{column} = ?" for column in changes)
                await db.execute(
                    f"UPDATE settings SET {assignments} WHERE person_id = ?",
                    (*changes.values(), person_id),
                )
            rows = await db.execute_fetchall(
                "SELECT * FROM settings WHERE person_id = ?", (person_id,)
            )
        return _settings(next(iter(rows)))

    # Invite codes ----------------------------------------------------------------------------

    async def create_invite(self, invite: InviteCode) -> None:
        async with self._write() as db:
            await db.execute(
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
        row = await self._fetchone("SELECT * FROM invite_codes WHERE code = ?", (code,))
        return _usable_invite(row, now)

    async def redeem_invite(self, code: str, now: datetime) -> InviteCode:
        async with self._write() as db:
            rows = await db.execute_fetchall("SELECT * FROM invite_codes WHERE code = ?", (code,))
            invite = _usable_invite(next(iter(rows), None), now)
            await db.execute(
                "UPDATE invite_codes SET uses_left = uses_left - 1 WHERE code = ?", (code,)
            )
        return invite

    # Conversation state ----------------------------------------------------------------------

    async def load_conversation(self, address: AccountAddress) -> ConversationState | None:
        row = await self._fetchone(
            "SELECT flow, step, data FROM conversation_state"
            " WHERE platform = ? AND platform_user_id = ?",
            (address.platform, address.platform_user_id),
        )
        if row is None:
            return None
        return ConversationState(flow=row["flow"], step=row["step"], data=json.loads(row["data"]))

    async def save_conversation(
        self, address: AccountAddress, state: ConversationState, now: datetime
    ) -> None:
        async with self._write() as db:
            await db.execute(
                "INSERT INTO conversation_state (platform, platform_user_id, flow, step, data,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (platform, platform_user_id) DO UPDATE SET flow = excluded.flow,"
                " step = excluded.step, data = excluded.data, updated_at = excluded.updated_at",
                (
                    address.platform,
                    address.platform_user_id,
                    state.flow,
                    state.step,
                    json.dumps(state.data),
                    to_db(now),
                ),
            )

    async def clear_conversation(self, address: AccountAddress) -> None:
        async with self._write() as db:
            await db.execute(
                "DELETE FROM conversation_state WHERE platform = ? AND platform_user_id = ?",
                (address.platform, address.platform_user_id),
            )

    # The due queue ---------------------------------------------------------------------------

    async def set_due(self, work: DueWork) -> None:
        async with self._write() as db:
            await db.execute(
                "INSERT INTO due_work (kind, subject, person_id, due_at, occurrence)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, subject) DO UPDATE SET"
                " person_id = excluded.person_id, due_at = excluded.due_at,"
                " occurrence = excluded.occurrence, lease_owner = NULL, lease_until = NULL",
                (work.kind, work.subject, work.person_id, to_db(work.due_at), work.occurrence),
            )

    async def clear_due(self, kind: str, subject: str) -> None:
        async with self._write() as db:
            await db.execute("DELETE FROM due_work WHERE kind = ? AND subject = ?", (kind, subject))

    async def get_due(self, kind: str, subject: str) -> DueWork | None:
        row = await self._fetchone(
            "SELECT * FROM due_work WHERE kind = ? AND subject = ?", (kind, subject)
        )
        return _due(row) if row is not None else None

    async def claim_due(
        self,
        now: datetime,
        *,
        owner: str,
        lease_until: datetime,
        limit: int,
        kinds: tuple[str, ...],
    ) -> list[DueWork]:
        if not kinds:
            return []
        stamp = to_db(now)
        marks = ", ".join("?" for _ in kinds)
        async with self._write() as db:
            rows = await db.execute_fetchall(
                "UPDATE due_work SET lease_owner = ?, lease_until = ?"
                " WHERE rowid IN (SELECT rowid FROM due_work WHERE due_at <= ?"
                f"   AND kind IN ({marks}) AND (lease_until IS NULL OR lease_until <= ?)"
                " ORDER BY due_at LIMIT ?) RETURNING *",
                (owner, to_db(lease_until), stamp, *kinds, stamp, limit),
            )
        return sorted((_due(row) for row in rows), key=lambda w: w.due_at)

    async def advance_due(self, claimed: DueWork, next_work: DueWork | None) -> bool:
        still_ours = (
            "kind = ? AND subject = ? AND due_at = ? AND occurrence = ? AND lease_owner = ?"
        )
        key = (
            claimed.kind,
            claimed.subject,
            to_db(claimed.due_at),
            claimed.occurrence,
            claimed.lease_owner,
        )
        async with self._write() as db:
            if next_work is None:
                cursor = await db.execute(f"DELETE FROM due_work WHERE {still_ours}", key)
            else:
                cursor = await db.execute(
                    "UPDATE due_work SET due_at = ?, occurrence = ?, lease_owner = NULL,"
                    f" lease_until = NULL WHERE {still_ours}",
                    (to_db(next_work.due_at), next_work.occurrence, *key),
                )
            return cursor.rowcount == 1

    # Check-ins and the sober-day counter -------------------------------------------------------

    async def open_checkin(
        self, person_id: int, local_date: date, source: str, now: datetime
    ) -> Checkin:
        async with self._write() as db:
            # Only one check-in is answerable at a time: a new one closes the older ones.
            await db.execute(
                "UPDATE checkins SET closed_at = ? WHERE person_id = ?"
                " AND completed_at IS NULL AND closed_at IS NULL",
                (to_db(now), person_id),
            )
            cursor = await db.execute(
                "INSERT INTO checkins (person_id, local_date, source, started_at)"
                " VALUES (?, ?, ?, ?)",
                (person_id, to_db_date(local_date), source, to_db(now)),
            )
            checkin_id = cursor.lastrowid
        assert checkin_id is not None
        return Checkin(checkin_id, person_id, local_date, source, now)

    async def get_checkin(self, checkin_id: int) -> Checkin | None:
        row = await self._fetchone("SELECT * FROM checkins WHERE id = ?", (checkin_id,))
        return _checkin(row) if row is not None else None

    async def latest_checkin(
        self, person_id: int, *, source: str | None = None, before: date | None = None
    ) -> Checkin | None:
        sql = "SELECT * FROM checkins WHERE person_id = ?"
        params: list[Any] = [person_id]
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        if before is not None:
            sql += " AND local_date < ?"
            params.append(to_db_date(before))
        row = await self._fetchone(
            sql + " ORDER BY local_date DESC, id DESC LIMIT 1", tuple(params)
        )
        return _checkin(row) if row is not None else None

    async def completed_on(self, person_id: int, local_date: date) -> bool:
        row = await self._fetchone(
            "SELECT 1 FROM checkins WHERE person_id = ? AND local_date = ?"
            " AND completed_at IS NOT NULL",
            (person_id, to_db_date(local_date)),
        )
        return row is not None

    async def record_answer(self, checkin_id: int, answer: Answer, now: datetime) -> bool:
        async with self._write() as db:
            cursor = await db.execute(
                "INSERT OR IGNORE INTO checkin_answers (checkin_id, question_key, value_number,"
                " value_text, skipped, answered_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    checkin_id,
                    answer.question_key,
                    answer.number,
                    answer.text,
                    int(answer.skipped),
                    to_db(now),
                ),
            )
            return cursor.rowcount == 1

    async def answers_of(self, checkin_id: int) -> dict[str, Answer]:
        rows = await self._fetchall(
            "SELECT * FROM checkin_answers WHERE checkin_id = ?", (checkin_id,)
        )
        return {
            row["question_key"]: Answer(
                question_key=row["question_key"],
                number=row["value_number"],
                text=row["value_text"],
                skipped=bool(row["skipped"]),
            )
            for row in rows
        }

    async def complete_checkin(self, checkin_id: int, now: datetime) -> bool:
        async with self._write() as db:
            cursor = await db.execute(
                "UPDATE checkins SET completed_at = ? WHERE id = ? AND completed_at IS NULL",
                (to_db(now), checkin_id),
            )
            if cursor.rowcount == 1:
                await db.execute(
                    "UPDATE settings SET consecutive_misses = 0 WHERE person_id ="
                    " (SELECT person_id FROM checkins WHERE id = ?)",
                    (checkin_id,),
                )
            return cursor.rowcount == 1

    async def set_streak(
        self, person_id: int, *, journey_start: date | None, streak_start: date | None
    ) -> None:
        async with self._write() as db:
            await db.execute(
                "UPDATE people SET journey_start = ?, streak_start = ? WHERE id = ?",
                (
                    to_db_date(journey_start) if journey_start else None,
                    to_db_date(streak_start) if streak_start else None,
                    person_id,
                ),
            )

    async def count_miss(self, person_id: int) -> int:
        async with self._write() as db:
            rows = await db.execute_fetchall(
                "UPDATE settings SET consecutive_misses = consecutive_misses + 1"
                " WHERE person_id = ? RETURNING consecutive_misses",
                (person_id,),
            )
        found = list(rows)
        return int(found[0][0]) if found else 0

    # The delivery ledger ---------------------------------------------------------------------

    async def begin_delivery(
        self, kind: str, subject: str, occurrence: str, person_id: int | None, now: datetime
    ) -> DeliveryStatus:
        async with self._write() as db:
            await db.execute(
                "INSERT INTO deliveries (kind, subject, occurrence, person_id, status, created_at)"
                " VALUES (?, ?, ?, ?, 'pending', ?) ON CONFLICT DO NOTHING",
                (kind, subject, occurrence, person_id, to_db(now)),
            )
            rows = await db.execute_fetchall(
                "UPDATE deliveries SET attempts = attempts + 1"
                " WHERE kind = ? AND subject = ? AND occurrence = ? RETURNING status",
                (kind, subject, occurrence),
            )
        return DeliveryStatus(next(iter(rows))[0])

    async def finish_delivery(
        self,
        kind: str,
        subject: str,
        occurrence: str,
        status: DeliveryStatus,
        now: datetime,
        reason: str | None = None,
        person_id: int | None = None,
    ) -> None:
        async with self._write() as db:
            await db.execute(
                "INSERT INTO deliveries (kind, subject, occurrence, person_id, status, created_at,"
                " finished_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (kind, subject, occurrence) DO UPDATE SET status = excluded.status,"
                " finished_at = excluded.finished_at, reason = excluded.reason",
                (
                    kind,
                    subject,
                    occurrence,
                    person_id,
                    status.value,
                    to_db(now),
                    to_db(now),
                    reason,
                ),
            )

    async def delivery_status(
        self, kind: str, subject: str, occurrence: str
    ) -> DeliveryStatus | None:
        row = await self._fetchone(
            "SELECT status FROM deliveries WHERE kind = ? AND subject = ? AND occurrence = ?",
            (kind, subject, occurrence),
        )
        return DeliveryStatus(row["status"]) if row is not None else None


def _due(row: aiosqlite.Row) -> DueWork:
    return DueWork(
        kind=row["kind"],
        subject=row["subject"],
        person_id=row["person_id"],
        due_at=from_db(row["due_at"]),
        occurrence=row["occurrence"],
        lease_owner=row["lease_owner"],
        lease_until=_maybe(row["lease_until"]),
    )


def _checkin(row: aiosqlite.Row) -> Checkin:
    return Checkin(
        id=row["id"],
        person_id=row["person_id"],
        local_date=from_db_date(row["local_date"]),
        source=row["source"],
        started_at=from_db(row["started_at"]),
        completed_at=_maybe(row["completed_at"]),
        closed_at=_maybe(row["closed_at"]),
    )


def _person(row: aiosqlite.Row) -> Person:
    return Person(
        id=row["id"],
        display_name=row["display_name"],
        created_at=from_db(row["created_at"]),
        onboarded_at=_maybe(row["onboarded_at"]),
        stopped_at=_maybe(row["stopped_at"]),
        journey_start=_maybe_date(row["journey_start"]),
        streak_start=_maybe_date(row["streak_start"]),
    )


def _settings(row: aiosqlite.Row) -> Settings:
    return Settings(
        person_id=row["person_id"],
        timezone=row["timezone"],
        checkin_time=row["checkin_time"],
        paused_until=_maybe(row["paused_until"]),
        quiet_hours=row["quiet_hours"],
        prompt_platform=row["prompt_platform"],
        consecutive_misses=row["consecutive_misses"],
        paused_reason=row["paused_reason"],
    )


def _usable_invite(row: aiosqlite.Row | None, now: datetime) -> InviteCode:
    if row is None:
        raise InviteError(InviteProblem.UNKNOWN)
    invite = InviteCode(
        code=row["code"],
        role=Role(row["role"]),
        uses_left=row["uses_left"],
        created_at=from_db(row["created_at"]),
        expires_at=_maybe(row["expires_at"]),
        created_by=row["created_by"],
    )
    if invite.expires_at is not None and invite.expires_at <= now:
        raise InviteError(InviteProblem.EXPIRED)
    if invite.uses_left <= 0:
        raise InviteError(InviteProblem.USED_UP)
    return invite


def _maybe(value: str | None) -> datetime | None:
    return from_db(value) if value is not None else None


def _maybe_date(value: str | None) -> date | None:
    return from_db_date(value) if value is not None else None
