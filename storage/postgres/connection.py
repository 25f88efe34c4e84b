"""The PostgreSQL connection pool the area repositories share: migrations, transactions, reads.

asyncpg, one pool per process. Every write is a transaction on one pooled connection
(:meth:`PostgresConnection.write`); reads take any connection. Writes of one process are
serialised by an asyncio lock, as on SQLite, so a read-then-write inside a transaction sees
what it would see there (another *process* is held off by row locks and unique keys, not by
this lock).

The schema keeps SQLite's representation: instants are the same fixed-width UTC text
(:mod:`storage.timestamps`), dates ``YYYY-MM-DD`` text, flags 0/1 integers. So the two
backends store byte-identical values, a program moves between them by copying rows, and a
comparison or an ``ORDER BY`` on a time means the same on both (the columns compare in the
"C" collation, whatever the database's locale).

Statements are written with ``?`` or ``:name`` placeholders, the area SQL stays readable
beside its SQLite twin; :func:`numbered` turns them into PostgreSQL's ``$1, $2...`` once per
statement text (cached).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import re
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeAlias, overload

import asyncpg

from storage.crypto import PREFIX, CipherError, TextCipher, key_check, seal, unseal
from storage.opening import OpenProblem, StorageOpenError, shown_url
from storage.postgres.migrations import load_migrations
from storage.sqlite.privacy_rules import ENCRYPTED_COLUMNS
from storage.timestamps import to_db

log = logging.getLogger(__name__)

Params: TypeAlias = Sequence[Any] | Mapping[str, Any]
Row: TypeAlias = asyncpg.Record
Conn: TypeAlias = (
    "asyncpg.Connection[asyncpg.Record] | asyncpg.pool.PoolConnectionProxy[asyncpg.Record]"
)

MIGRATION_LOCK = 0x70656572_626F7401 & 0x7FFFFFFFFFFFFFFF
"""The advisory lock key (``pg_advisory_xact_lock``) migrations are applied under, so two
processes starting together migrate once: the second waits, then finds nothing to do."""

TURN_WAIT_SECONDS = 30.0
"""How long a person's turn waits for another process to finish theirs before going ahead
without it (logged): an answer late and perhaps out of order beats no answer."""
_TURN_FIRST_PAUSE = 0.005
_TURN_MAX_PAUSE = 0.1


def turn_key(key: str) -> int:
    """The advisory lock key (signed 64 bits) of a person's turn: a hash of ``key`` (their
    platform and user id), in a space of its own so it cannot meet :data:`MIGRATION_LOCK`
    except by a 1-in-2^64 chance."""
    digest = hashlib.blake2b(f"peerbot-turn:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|\?|:[A-Za-z_][A-Za-z0-9_]*")


@functools.lru_cache(maxsize=2048)
def numbered(sql: str) -> tuple[str, tuple[str, ...] | int]:
    """``sql`` with ``?`` / ``:name`` placeholders as ``$n``, and what fills them: the names in
    order (named style) or the count (positional). Quoted text and ``::`` casts are left."""
    names: list[str] = []
    positional = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal positional
        token = match.group(0)
        if token.startswith(("'", '"')) or token == "::":
            return token
        if token == "?":
            positional += 1
            return f"${positional}"
        name = token[1:]
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    text = _TOKEN.sub(replace, sql)
    if names and positional:
        raise ValueError("a statement mixes ? and :name placeholders")
    return text, (tuple(names) if names else positional)


def _args(sql: str, params: Params) -> tuple[str, list[Any]]:
    text, shape = numbered(sql)
    if isinstance(shape, tuple):
        if not isinstance(params, Mapping):
            raise TypeError("named placeholders need a mapping of parameters")
        return text, [params[name] for name in shape]
    if isinstance(params, Mapping):
        raise TypeError("? placeholders need a sequence of parameters")
    if len(params) != shape:
        raise ValueError(f"{shape} placeholders, {len(params)} parameters")
    return text, list(params)


def affected(status: str) -> int:
    """The row count of a command status (``UPDATE 3``, ``INSERT 0 1``, ``DELETE 0``)."""
    tail = status.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0


class Transaction:
    """The statements of one write transaction, on one pooled connection."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Runs one statement; how many rows it changed."""
        text, args = _args(sql, params)
        return affected(await self._conn.execute(text, *args))

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        text, args = _args(sql, params)
        return list(await self._conn.fetch(text, *args))

    async def executemany(self, sql: str, seq_of_params: Iterable[Params]) -> None:
        batch = [_args(sql, params) for params in seq_of_params]
        if batch:
            await self._conn.executemany(batch[0][0], [args for _, args in batch])

    async def serialise(self, topic: str, key: int) -> None:
        """Hold ``topic``'s lock for ``key`` (a mentor, a circle date) until this transaction
        ends (``pg_advisory_xact_lock``): another process's transaction about the same thing
        waits here, so a read-then-write (a count against a capacity) stays true until the
        write commits. SQLite needs nothing: one writer at a time, ``BEGIN IMMEDIATE``."""
        await self._conn.execute("SELECT pg_advisory_xact_lock($1)", turn_key(f"{topic}:{key}"))


class PostgresConnection:
    """The pool and its transactions; the domain methods live in the area repositories."""

    def __init__(
        self,
        url: str,
        *,
        cipher: TextCipher | None = None,
        check_key: bool = True,
        pool_size: int = 4,
    ) -> None:
        self.url = url
        self.cipher = cipher
        self.check_key = check_key
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()
        self._turns: asyncpg.Connection[asyncpg.Record] | None = None
        """The connection people's turns are locked on (:meth:`turn_lock`), opened on first use."""
        self._turns_lock = asyncio.Lock()

    @property
    def path(self) -> str:
        """What error messages name: the URL without its password."""
        return shown_url(self.url)

    async def open(self) -> None:
        """Connect, migrate (under the advisory lock), check the key.

        Raises :class:`StorageOpenError` for a server that cannot be reached or a wrong key.
        """
        try:
            pool = await asyncpg.create_pool(self.url, min_size=1, max_size=self._pool_size)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            # What the server or the system said: never the password, which is not in it.
            detail = str(exc) or type(exc).__name__
            raise StorageOpenError(OpenProblem.CANNOT_OPEN, self.path, detail) from None
        try:
            async with pool.acquire() as conn:
                if self.check_key:
                    await self._verify_key(conn)
                await _migrate(conn)
                if self.check_key and self.cipher is not None:
                    await conn.execute(
                        "INSERT INTO key_check (id, canary, set_at) VALUES (1, $1, $2)"
                        " ON CONFLICT (id) DO NOTHING",
                        key_check(self.cipher),
                        _now_text(),
                    )
        except BaseException:
            await pool.close()
            raise
        self._pool = pool

    async def close(self) -> None:
        turns, self._turns = self._turns, None
        if turns is not None:
            await turns.close()  # its session's advisory locks end with it
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    # People's turns across processes --------------------------------------------------------

    @asynccontextmanager
    async def turn_lock(self, key: str) -> AsyncIterator[None]:
        """Hold the session advisory lock of ``key`` (a person) while the body runs.

        Tried with ``pg_try_advisory_lock`` on the turns connection and retried with a growing
        pause while another process holds it, so one person's wait never holds up anyone
        else's lock or unlock; after :data:`TURN_WAIT_SECONDS` the body runs without it.
        """
        lock_id = turn_key(key)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TURN_WAIT_SECONDS
        pause = _TURN_FIRST_PAUSE
        held = False
        while True:
            held = bool(await self._on_turns("SELECT pg_try_advisory_lock($1)", lock_id))
            if held or loop.time() >= deadline:
                break
            await asyncio.sleep(pause)
            pause = min(pause * 2, _TURN_MAX_PAUSE)
        if not held:
            log.warning(
                "a person's turn waited %.0fs for another process: going ahead", TURN_WAIT_SECONDS
            )
        try:
            yield
        finally:
            if held:
                await self._on_turns("SELECT pg_advisory_unlock($1)", lock_id)

    async def _on_turns(self, sql: str, lock_id: int) -> object:
        """One statement on the turns connection (one at a time: asyncpg runs one operation per
        connection), reconnecting if it was lost (the server dropped its locks with it)."""
        async with self._turns_lock:
            try:
                if self._turns is None or self._turns.is_closed():
                    self._open_pool()  # not after close()
                    self._turns = await asyncpg.connect(self.url)
                return await self._turns.fetchval(sql, lock_id)
            except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError) as exc:
                log.warning("the turns connection failed (%s)", type(exc).__name__)
                if self._turns is not None:
                    self._turns.terminate()
                self._turns = None
                return None

    def _open_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("storage is not open; call open() first")
        return self._pool

    async def _verify_key(self, conn: Conn) -> None:
        tables = {
            row[0]
            for row in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        }
        stored: str | None = None
        if "key_check" in tables:
            stored = await conn.fetchval("SELECT canary FROM key_check WHERE id = 1")
        plain_found = False
        if stored is None:
            for table, column, which in ENCRYPTED_COLUMNS:
                if table not in tables:
                    continue
                where = f"{column} IS NOT NULL AND {column} <> ''" + (
                    f" AND {which}" if which else ""
                )
                tagged = f"left({column}, {len(PREFIX)}) = '{PREFIX}'"
                if stored is None:
                    stored = await conn.fetchval(
                        f"SELECT {column} FROM {table} WHERE {where} AND {tagged} LIMIT 1"
                    )
                if not plain_found:
                    plain_found = (
                        await conn.fetchval(
                            f"SELECT 1 FROM {table} WHERE {where} AND NOT {tagged} LIMIT 1"
                        )
                        is not None
                    )
        if stored is not None:
            if self.cipher is None:
                raise StorageOpenError(OpenProblem.KEY_MISSING, self.path)
            try:
                self.cipher.decrypt(stored)
            except CipherError:
                raise StorageOpenError(OpenProblem.KEY_WRONG, self.path) from None
        if self.cipher is not None and plain_found:
            raise StorageOpenError(OpenProblem.NOT_ENCRYPTED, self.path)

    @overload
    def seal(self, text: str) -> str: ...
    @overload
    def seal(self, text: None) -> None: ...
    def seal(self, text: str | None) -> str | None:
        return seal(self.cipher, text)

    @overload
    def unseal(self, stored: str) -> str: ...
    @overload
    def unseal(self, stored: None) -> None: ...
    def unseal(self, stored: str | None) -> str | None:
        return unseal(self.cipher, stored)

    async def vacuum(self, tables: Iterable[str]) -> None:
        """``VACUUM`` the tables rows were just deleted or rewritten in (erasure, purge, key
        rotation), so their old versions are reclaimed now rather than whenever autovacuum
        comes by. (PostgreSQL does not zero freed bytes as SQLite's ``secure_delete`` does; what
        the server's WAL and an operator's backups hold is theirs to expire: README, Privacy.)"""
        pool = self._open_pool()
        async with pool.acquire() as conn:
            for table in tables:
                # Names from the fixed privacy registry, never from input.
                await conn.execute(f"VACUUM {table}")

    # Writes -----------------------------------------------------------------------------

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Transaction]:
        """One write transaction; rolled back if the body raises."""
        pool = self._open_pool()
        async with self._lock, pool.acquire() as conn, conn.transaction():
            yield Transaction(conn)

    async def write_one(self, sql: str, params: Params = ()) -> list[Row]:
        """One statement as its own transaction, returning its rows (RETURNING)."""
        text, args = _args(sql, params)
        pool = self._open_pool()
        async with self._lock, pool.acquire() as conn:
            return list(await conn.fetch(text, *args))

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Transaction]:
        """Reads that must all see one moment (an export): a read-only repeatable-read
        transaction (each statement of a read-committed one sees its own moment)."""
        pool = self._open_pool()
        async with (
            pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            yield Transaction(conn)

    # Reads ------------------------------------------------------------------------------

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        text, args = _args(sql, params)
        return list(await self._open_pool().fetch(text, *args))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        return next(iter(await self.fetchall(sql, params)), None)

    async def scan(self, sql: str, params: Params = ()) -> list[Row]:
        """A read that may visit whole tables (the server does it; the loop is not held)."""
        return await self.fetchall(sql, params)

    async def scan_one(self, sql: str, params: Params = ()) -> Row | None:
        return await self.fetchone(sql, params)


async def _migrate(conn: Conn) -> None:
    """Apply pending migrations in one transaction holding the advisory lock: a second
    process starting now waits for the lock, then finds them applied. All or nothing."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        applied = {row[0] for row in await conn.fetch("SELECT version FROM schema_migrations")}
        for migration in load_migrations():
            if migration.version in applied:
                continue
            log.info("applying migration %04d %s", migration.version, migration.name)
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                migration.version,
                migration.name,
                _now_text(),
            )


def _now_text() -> str:
    return to_db(datetime.now(UTC))


class Repository:
    """One area's SQL on the shared :class:`PostgresConnection` (``self._db``)."""

    __slots__ = ("_db",)

    def __init__(self, db: PostgresConnection) -> None:
        self._db = db
