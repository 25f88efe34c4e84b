"""The SQLite connection the per-area mixins share: migrations, one writer, one reader.

One writer connection behind an asyncio lock, every write inside ``BEGIN IMMEDIATE`` (so two
processes sharing a file serialise on SQLite's own lock instead of failing half-way), and a
separate reader connection beside it, which WAL lets run while a write is in progress.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, overload

import aiosqlite

from storage.crypto import TextCipher, seal, unseal
from storage.migrations import load_migrations

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


class SqliteBase:
    """Connections and transactions; the domain methods live in the area mixins."""

    def __init__(self, path: str | Path, *, cipher: TextCipher | None = None) -> None:
        self.path = Path(path)
        self._cipher = cipher
        """Encrypts free text at rest when set (:mod:`storage.crypto`); plain text without."""
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
        # Deleted rows are overwritten with zeros, not just unlinked: an erasure leaves no
        # readable copy in the file's free pages.
        await conn.execute("PRAGMA secure_delete=ON")
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

    @overload
    def _seal(self, text: str) -> str: ...
    @overload
    def _seal(self, text: None) -> None: ...
    def _seal(self, text: str | None) -> str | None:
        """Free text as it is stored: encrypted when the store has a cipher."""
        return seal(self._cipher, text)

    @overload
    def _unseal(self, stored: str) -> str: ...
    @overload
    def _unseal(self, stored: None) -> None: ...
    def _unseal(self, stored: str | None) -> str | None:
        return unseal(self._cipher, stored)

    async def _checkpoint(self) -> None:
        """Copy the WAL into the file and truncate it, so no old copy of a row stays there."""
        writer = self._conn(self._writer)
        async with self._lock:
            await writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")

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

    async def _write_one(self, sql: str, params: tuple[Any, ...] = ()) -> list[aiosqlite.Row]:
        """One statement as its own transaction, returning its rows (use RETURNING to see
        what it changed).

        A single statement in autocommit mode takes SQLite's write lock as it starts, as
        ``BEGIN IMMEDIATE`` would, and costs one hand-off to aiosqlite's thread instead of
        three; hand-offs are most of the cost of a small write.
        """
        writer = self._conn(self._writer)
        async with self._lock:
            if writer.in_transaction:  # left open by a task cancelled mid-BEGIN: see _write
                await writer.execute("ROLLBACK")
            return list(await writer.execute_fetchall(sql, params))

    # Reads use execute_fetchall: one hand-off, where execute + fetch + close would be three.

    async def _fetchone(self, sql: str, params: tuple[Any, ...] = ()) -> aiosqlite.Row | None:
        rows = await self._conn(self._reader).execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def _fetchall(self, sql: str, params: tuple[Any, ...] = ()) -> list[aiosqlite.Row]:
        return list(await self._conn(self._reader).execute_fetchall(sql, params))
