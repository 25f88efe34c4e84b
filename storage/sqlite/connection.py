"""The SQLite connections the area repositories share: migrations, one writer, one scanner.

Small statements run inline, on the event loop's own thread. A hand-off to a worker thread
(what aiosqlite does for every call) costs ~100 us of wake-ups here, while the indexed reads
and small writes of a chat turn take 4-20 us each in WAL mode with ``synchronous=NORMAL``
(``bench/README.md`` has the figures). Inline is safe because nothing in it can wait long:

* WAL readers never wait for the writer, and every read here is an indexed lookup of a few
  rows, made on the writer connection itself: its page cache stays warm, where a second
  connection's is emptied after every write. Reads that scan whole tables
  (the coordinator report) use :meth:`SqliteConnection.scan`, which runs on aiosqlite's thread.
* Writes are serialised in this process by an asyncio lock, so SQLite's write lock can only
  be held by *another process* sharing the file, or for a moment by the checkpoint thread
  (below). The writer connection has ``busy_timeout=0``:
  its ``BEGIN IMMEDIATE`` fails at once when the lock is taken, and :meth:`SqliteConnection.write`
  retries it with ``asyncio.sleep`` in between (up to :data:`BUSY_TIMEOUT_S`), which is what
  SQLite's own busy handler would do, but without blocking the loop.
* Checkpoints (copying the WAL back into the file, which fsyncs) are the one slow part of a
  commit, so the inline writer never checkpoints on its own: every
  :data:`CHECKPOINT_EVERY_COMMITS` commits one runs on a thread (:class:`BackgroundCheckpoints`).

Every write is a transaction: ``BEGIN IMMEDIATE`` ... ``COMMIT`` on the one writer
connection, so two processes sharing a file serialise on SQLite's lock instead of failing
half-way.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeAlias, overload

import aiosqlite

from storage.crypto import (
    PREFIX,
    CipherError,
    TextCipher,
    key_check,
    seal,
    unseal,
)
from storage.opening import OpenProblem, StorageOpenError
from storage.sqlite.migrations import load_migrations
from storage.sqlite.privacy_rules import ENCRYPTED_COLUMNS

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 5.0
"""How long a write waits for another process to release SQLite's write lock."""
CHECKPOINT_EVERY_COMMITS = 500
"""Commits between background checkpoints (~1-3 WAL pages per commit, so the WAL stays near
SQLite's default auto-checkpoint size of 1,000 pages)."""
CHECKPOINT_WAIT_MS = 200
"""How long a checkpoint waits for the write in progress or an old reader before it gives up
for this round (writers cannot start while it waits)."""
CHECKPOINT_LAG_LIMIT = 4
"""How many checkpoints' worth of commits may pile up before writers wait for the one running."""

Params: TypeAlias = Sequence[Any] | Mapping[str, Any]


class Transaction:
    """The statements of one write transaction, run inline on the writer connection.

    Methods are plain (not ``async``): a transaction body never suspends, so no other task
    runs between its statements.
    """

    __slots__ = ("_conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        """Runs one statement; the cursor tells ``rowcount`` and ``lastrowid``."""
        return self._conn.execute(sql, params)

    def execute_fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return self._conn.execute(sql, params).fetchall()

    def executemany(self, sql: str, seq_of_params: Iterable[Params]) -> sqlite3.Cursor:
        return self._conn.executemany(sql, seq_of_params)


class BackgroundCheckpoints:
    """Checkpoints on a thread of their own, started straight from a commit.

    ``RESTART`` mode: it waits for the (short) write in progress, copies the whole WAL into
    the file while writers wait (the loop's writers retry with ``asyncio.sleep``, see
    :meth:`SqliteConnection._begin`), and lets the next write start the WAL over, so the WAL stays
    bounded under a steady stream of commits. (A ``PASSIVE`` checkpoint never catches up with
    such a stream, and the WAL would grow without end.) Submitted to the thread directly, not
    as a task, so a loop too busy to run tasks still gets its checkpoints; and if the thread
    falls :data:`CHECKPOINT_LAG_LIMIT` checkpoints' worth of commits behind anyway (a loop so
    busy that the thread never gets the GIL), writers wait for it (:meth:`keep_up`).
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._executor: ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None
        self._running: Future[None] | None = None
        self._commits = 0

    def after_commit(self) -> None:
        self._commits += 1
        if self._commits < CHECKPOINT_EVERY_COMMITS:
            return
        if self._running is not None and not self._running.done():
            return  # still at it; the next commit asks again
        self._commits = 0
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="sqlite-checkpoint")
        self._running = self._executor.submit(self._checkpoint)

    def _checkpoint(self) -> None:
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(
                    self._path, isolation_level=None, check_same_thread=False
                )
                # While it waits for a writer or an old reader (a long report scan), new
                # writes wait too: give up soon, and try again at the next round instead.
                self._conn.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
            self._conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
        except sqlite3.Error as exc:
            # The next one will try again; a missed checkpoint only leaves the WAL longer.
            log.warning("background checkpoint failed: %s", type(exc).__name__)

    async def keep_up(self) -> None:
        """Before a write: wait for the checkpoint in progress if it is far behind."""
        running = self._running
        if (
            running is not None
            and self._commits >= CHECKPOINT_LAG_LIMIT * CHECKPOINT_EVERY_COMMITS
            and not running.done()
        ):
            await asyncio.wrap_future(running)

    async def wait(self) -> None:
        """Until the checkpoint in progress (if any) is over."""
        if self._running is not None:
            await asyncio.wrap_future(self._running)

    async def close(self) -> None:
        await self.wait()
        if self._executor is not None:
            conn, self._conn = self._conn, None
            if conn is not None:
                await asyncio.wrap_future(self._executor.submit(conn.close))
            self._executor.shutdown(wait=False)
            self._executor = None


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


class SqliteConnection:
    """Connections and transactions; the domain methods live in the area repositories
    (:class:`Repository`), which all share one of these."""

    def __init__(
        self,
        path: str | Path,
        *,
        cipher: TextCipher | None = None,
        check_key: bool = True,
        check_whole_file: bool = True,
    ) -> None:
        self.path = Path(path)
        self.check_whole_file = check_whole_file
        """Read every page (``PRAGMA quick_check``) before anything is written. Seconds on a
        large file (14 s for 770 MB on a busy small machine), so the long-running bot does it
        at start and the short commands do not (:meth:`_check`)."""
        self.cipher = cipher
        """Encrypts free text at rest when set (:mod:`storage.crypto`); plain text without."""
        self.check_key = check_key
        """Refuse to open (:meth:`open`) unless ``cipher`` is the database's key. Off only for
        key rotation, which checks every value itself."""
        self._writer: sqlite3.Connection | None = None
        self._scanner: aiosqlite.Connection | None = None
        """aiosqlite's thread: long reads and checkpoints, which must not block the loop."""
        self._lock = asyncio.Lock()
        self.checkpoints = BackgroundCheckpoints(self.path)

    # Connection management ---------------------------------------------------------------

    async def open(self) -> None:
        """Connect, check the file and the key, and migrate.

        Raises :class:`StorageOpenError` for a database that cannot be used (damaged,
        read-only, a full disk, the wrong key) and leaves no empty file behind. A new database
        is created readable by its owner only (0600), and SQLite gives its WAL and
        shared-memory files the same mode.
        """
        created = False
        try:
            created = self._create_private_file()
            await self._open()
        except StorageOpenError:
            self._discard_new(created)
            raise
        except (sqlite3.Error, OSError) as exc:
            self._discard_new(created)
            raise _open_error(exc, self.path) from None
        except BaseException:
            self._discard_new(created)
            raise

    def _create_private_file(self) -> bool:
        """Create the database file (and its folder) for the owner only; whether it was new."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return False
        os.close(descriptor)
        return True

    def _discard_new(self, created: bool) -> None:
        """Remove the database :meth:`open` created (empty, or a schema at most) if opening
        failed, so a failed start leaves no empty file for the next one to trip over."""
        if not created:
            return
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    async def _open(self) -> None:
        writer = self._connect()
        try:
            writer.execute("PRAGMA journal_mode=WAL")
            # Opening may meet a file another process is writing: wait as a write would.
            writer.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            self._check(writer)
            if self.check_key:
                self._verify_key(writer)  # reads only: a wrong key writes nothing, not even DDL
            # Write once (rolled back), whether or not a migration is pending: on a read-only
            # file or mount this is what fails (SQLITE_READONLY), so start-up says so rather
            # than the first write later (a WAL database can open read-only without a word).
            version = writer.execute("PRAGMA user_version").fetchone()[0]
            writer.execute("BEGIN IMMEDIATE")
            try:
                writer.execute(f"PRAGMA user_version = {int(version)}")
            finally:
                if writer.in_transaction:
                    writer.execute("ROLLBACK")
            self._migrate(writer)
            if self.check_key and self.cipher is not None:
                self._record_key(writer, self.cipher)
            writer.execute("PRAGMA busy_timeout=0")
            # Checkpoints run on the scanner's thread (_after_commit), never inline.
            writer.execute("PRAGMA wal_autocheckpoint=0")
        except BaseException:
            writer.close()
            raise
        self._writer = writer
        self._scanner = await aiosqlite.connect(self.path, isolation_level=None)
        self._scanner.row_factory = sqlite3.Row
        await self._scanner.execute_fetchall(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")

    def _check(self, writer: sqlite3.Connection) -> None:
        """Refuse a damaged file before anything is written (:class:`StorageOpenError`).

        The whole file is read when :attr:`check_whole_file` is set (``peerbot run``) and
        whenever a migration is pending, since a migration may rewrite whole tables. Otherwise
        (the short commands) only the schema is read here: a file that is not a database or
        has a damaged schema stops at once, and damage on a page the command then reads is
        met by SQLite itself, which stops that statement (the command's transaction rolls
        back, and the command line prints the same line: :func:`damage_found`). ``peerbot
        check-db`` reads everything on demand (:func:`integrity_problems`).
        """
        tables = {row[0] for row in writer.execute("SELECT name FROM sqlite_master")}
        applied: set[int] = set()
        if "schema_migrations" in tables:
            applied = {row[0] for row in writer.execute("SELECT version FROM schema_migrations")}
        pending = any(m.version not in applied for m in load_migrations())
        if not (self.check_whole_file or pending):
            return
        if [tuple(row) for row in writer.execute("PRAGMA quick_check")] != [("ok",)]:
            raise StorageOpenError(OpenProblem.CORRUPT, self.path)

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves.
        conn = sqlite3.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout=0")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows are overwritten with zeros, not just unlinked: an erasure leaves no
        # readable copy in the file's free pages.
        conn.execute("PRAGMA secure_delete=ON")
        return conn

    async def close(self) -> None:
        await self.checkpoints.close()
        if self._scanner is not None:
            await self._scanner.close()
        if self._writer is not None:
            self._writer.close()  # the last connection to close checkpoints and removes the WAL
        self._writer = None
        self._scanner = None

    @staticmethod
    def _migrate(writer: sqlite3.Connection) -> None:
        writer.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        applied = {row[0] for row in writer.execute("SELECT version FROM schema_migrations")}
        for migration in load_migrations():
            if migration.version in applied:
                continue
            log.info("applying migration %04d %s", migration.version, migration.name)
            # executescript runs the whole file; the BEGIN/COMMIT make it all-or-nothing.
            writer.executescript(
                "BEGIN IMMEDIATE;\n"
                + migration.sql
                + "\nINSERT INTO schema_migrations (version, name, applied_at) VALUES "
                + f"({migration.version}, '{migration.name}', strftime('%Y-%m-%dT%H:%M:%fZ'));"
                + "\nCOMMIT;"
            )

    def _verify_key(self, writer: sqlite3.Connection) -> None:
        """Raise :class:`StorageOpenError` unless :attr:`cipher` fits the stored text.

        The key check row (migration 0011) decides; a database encrypted before that row
        existed is judged by a value of its ciphertext. A key over plain text that was never
        encrypted is refused too: ``peerbot rotate-key`` encrypts it first.
        """
        tables = {row[0] for row in writer.execute("SELECT name FROM sqlite_master")}
        stored = None
        if "key_check" in tables:
            row = writer.execute("SELECT canary FROM key_check WHERE id = 1").fetchone()
            stored = None if row is None else row[0]
        plain_found = False
        if stored is None:
            stored, plain_found = _survey_text(writer, tables)
        if stored is not None:
            if self.cipher is None:
                raise StorageOpenError(OpenProblem.KEY_MISSING, self.path)
            if not _decrypts(self.cipher, stored):
                raise StorageOpenError(OpenProblem.KEY_WRONG, self.path)
        if self.cipher is not None and plain_found:
            raise StorageOpenError(OpenProblem.NOT_ENCRYPTED, self.path)

    @staticmethod
    def _record_key(writer: sqlite3.Connection, cipher: TextCipher) -> None:
        """Store the key check for ``cipher`` if the database has none yet."""
        if writer.execute("SELECT 1 FROM key_check WHERE id = 1").fetchone() is not None:
            return
        writer.execute("BEGIN IMMEDIATE")
        try:
            writer.execute(
                "INSERT OR IGNORE INTO key_check (id, canary, set_at)"
                " VALUES (1, ?, strftime('%Y-%m-%dT%H:%M:%fZ'))",
                (key_check(cipher),),
            )
        except BaseException:
            writer.execute("ROLLBACK")
            raise
        writer.execute("COMMIT")

    @overload
    def seal(self, text: str) -> str: ...
    @overload
    def seal(self, text: None) -> None: ...
    def seal(self, text: str | None) -> str | None:
        """Free text as it is stored: encrypted when the store has a cipher."""
        return seal(self.cipher, text)

    @overload
    def unseal(self, stored: str) -> str: ...
    @overload
    def unseal(self, stored: None) -> None: ...
    def unseal(self, stored: str | None) -> str | None:
        return unseal(self.cipher, stored)

    @staticmethod
    def _open_conn(conn: sqlite3.Connection | None) -> sqlite3.Connection:
        if conn is None:
            raise RuntimeError("storage is not open; call open() first")
        return conn

    # Checkpoints ------------------------------------------------------------------------

    async def checkpoint(self) -> None:
        """Copy the WAL into the file and truncate it, so no old copy of a row stays there."""
        scanner = self._open_scanner()
        async with self._lock:  # no write may start while the WAL is truncated
            # execute_fetchall, not execute: a cursor left open keeps a read snapshot, and
            # then no checkpoint can ever let the WAL start over.
            await scanner.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")

    def _after_commit(self) -> None:
        self.checkpoints.after_commit()

    def _open_scanner(self) -> aiosqlite.Connection:
        if self._scanner is None:
            raise RuntimeError("storage is not open; call open() first")
        return self._scanner

    # Writes -----------------------------------------------------------------------------

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Transaction]:
        """One write transaction on the single writer connection.

        The body's statements run inline; only waiting for another process's write lock
        suspends (before anything has been written).
        """
        writer = self._open_conn(self._writer)
        await self.checkpoints.keep_up()
        async with self._lock:
            if writer.in_transaction:
                # Never expected: a body that raised leaves nothing open (see below).
                writer.execute("ROLLBACK")
            await self._begin(writer)
            try:
                yield Transaction(writer)
            except BaseException:
                if writer.in_transaction:
                    writer.execute("ROLLBACK")
                raise
            else:
                writer.execute("COMMIT")
                self._after_commit()

    async def _begin(self, writer: sqlite3.Connection) -> None:
        """``BEGIN IMMEDIATE``, waiting (without blocking the loop) while another process
        holds the write lock."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + BUSY_TIMEOUT_S
        pause = 0.001
        while True:
            try:
                writer.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or loop.time() >= deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    async def write_one(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """One statement as its own transaction, returning its rows (use RETURNING to see
        what it changed).

        In autocommit mode a single statement takes the write lock as it starts, as
        ``BEGIN IMMEDIATE`` would, and commits as it ends: one call instead of three. If
        another process holds the lock it fails before changing anything, and goes the way
        of :meth:`write`, which waits.
        """
        writer = self._open_conn(self._writer)
        await self.checkpoints.keep_up()
        async with self._lock:
            if not writer.in_transaction:
                try:
                    rows = writer.execute(sql, params).fetchall()
                except sqlite3.OperationalError as exc:
                    if not _is_busy(exc):
                        raise
                else:
                    self._after_commit()
                    return rows
        async with self.write() as db:
            return db.execute_fetchall(sql, params)

    # Reads ------------------------------------------------------------------------------

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """An indexed lookup of one row, inline."""
        return next(iter(await self.fetchall(sql, params)), None)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """An indexed lookup of a few rows, inline. Use :meth:`scan` for whole tables.

        Every row is fetched, so the statement ends and holds no read snapshot open.
        """
        # On the writer connection: its page cache is the warm one (SQLite empties a
        # connection's cache whenever another connection has written, which here is after
        # every write). A transaction body never awaits, so it is never open here; should one
        # ever be, the scanner's connection gives the committed rows instead of uncommitted.
        writer = self._open_conn(self._writer)
        if writer.in_transaction:
            return await self.scan(sql, params)
        try:
            return writer.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            # A WAL reader is only turned away while another connection recovers the WAL
            # after a crash: wait for that on the scanner's thread, not on the loop.
            if not _is_busy(exc):
                raise
            return await self.scan(sql, params)

    async def scan(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """A read that may visit whole tables, on aiosqlite's thread so the loop keeps going."""
        return list(await self._open_scanner().execute_fetchall(sql, params))

    async def scan_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        return next(iter(await self.scan(sql, params)), None)


def _open_error(exc: sqlite3.Error | OSError, path: Path) -> StorageOpenError:
    """What a failure to open the database means to the person starting the bot."""
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return StorageOpenError(OpenProblem.DISK_FULL, path)
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return StorageOpenError(OpenProblem.READ_ONLY, path)
        return StorageOpenError(OpenProblem.CANNOT_OPEN, path, exc.strerror or type(exc).__name__)
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code == sqlite3.SQLITE_FULL:
        return StorageOpenError(OpenProblem.DISK_FULL, path)
    if code == sqlite3.SQLITE_READONLY:
        return StorageOpenError(OpenProblem.READ_ONLY, path)
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return StorageOpenError(OpenProblem.CORRUPT, path)
    if code == sqlite3.SQLITE_CANTOPEN and not _writable(path):
        return StorageOpenError(OpenProblem.READ_ONLY, path)
    return StorageOpenError(OpenProblem.CANNOT_OPEN, path, str(exc))


def damage_found(exc: BaseException, path: Path) -> StorageOpenError | None:
    """The damaged-file problem when ``exc`` is SQLite meeting a damaged page (while a
    command ran, after an open that did not read the whole file); None for anything else."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return StorageOpenError(OpenProblem.CORRUPT, path)
    return None


def integrity_problems(path: Path, limit: int = 20) -> list[str]:
    """What ``PRAGMA integrity_check`` finds in the file (at most ``limit`` lines; none when
    it is sound). Slower and more thorough than the start's ``quick_check``: it also checks
    that every index matches its table. Read-only; blocking (run it on a thread)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = [str(row[0]) for row in conn.execute(f"PRAGMA integrity_check({int(limit)})")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows


def _writable(path: Path) -> bool:
    """Whether the bot may write the file (if it exists) and create files beside it."""
    folder_ok = os.access(path.parent, os.W_OK | os.X_OK)
    return folder_ok and (not path.exists() or os.access(path, os.W_OK))


def _survey_text(writer: sqlite3.Connection, tables: set[str]) -> tuple[str | None, bool]:
    """One encrypted value of the free-text columns (or None), and whether any is plain."""
    sealed: str | None = None
    plain = False
    tag = f"substr({{column}}, 1, {len(PREFIX)}) = '{PREFIX}'"
    for table, column, which in ENCRYPTED_COLUMNS:
        if table not in tables:
            continue
        where = f"{column} IS NOT NULL AND {column} <> ''" + (f" AND {which}" if which else "")
        is_tagged = tag.format(column=column)
        if sealed is None:
            row = writer.execute(
                f"SELECT {column} FROM {table} WHERE {where} AND {is_tagged} LIMIT 1"
            ).fetchone()
            sealed = None if row is None else row[0]
        if not plain:
            plain = (
                writer.execute(
                    f"SELECT 1 FROM {table} WHERE {where} AND NOT {is_tagged} LIMIT 1"
                ).fetchone()
                is not None
            )
    return sealed, plain


def _decrypts(cipher: TextCipher, stored: str) -> bool:
    """Whether ``cipher`` is the key of ``stored`` (the key check, or an encrypted value)."""
    try:
        cipher.decrypt(stored)
    except CipherError:
        return False
    return True


class Repository:
    """One area's SQL on the shared :class:`SqliteConnection` (``self._db``)."""

    __slots__ = ("_db",)

    def __init__(self, db: SqliteConnection) -> None:
        self._db = db
