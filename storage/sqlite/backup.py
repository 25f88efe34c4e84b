"""``peerbot backup`` for SQLite: SQLite's online backup API, while the bot may be running.

:meth:`sqlite3.Connection.backup` copies the database page by page from a read transaction
(in WAL mode the bot's writes go on meanwhile; the copy is the database as it was when the read
began). It is done in one step: a copy made in several steps starts over whenever another
connection writes between them, which a busy bot would do every time. The copy is written
beside its destination under a temporary name, checked (SQLite's ``quick_check``, the schema's
migrations, the key check opening with the data key), and only then renamed into place, so a
backup file that exists is a whole, verified one.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage.crypto import CipherError, TextCipher, is_sealed
from storage.sqlite.migrations import load_migrations


class BackupError(Exception):
    """Why a backup was not made, as the one line to print (nothing was left behind)."""


@dataclass(frozen=True, slots=True)
class BackupMade:
    path: Path
    tables: int
    rows: int
    bytes: int


def backup_path(dest: Path, source: Path, now: datetime | None = None) -> Path:
    """Where the backup goes: ``dest`` itself, or a dated file inside it if it is a folder."""
    if dest.is_dir():
        moment = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
        return dest / f"{source.stem}-{moment}.db"
    return dest


def backup_sqlite(source: Path, dest: Path, cipher: TextCipher | None = None) -> BackupMade:
    """Copy the database at ``source`` to the new file ``dest`` (0600) and verify the copy."""
    if not source.exists():
        raise BackupError(f"the database {source} does not exist: nothing to back up")
    if dest.exists():
        raise BackupError(f"{dest} already exists: give a new file name or a folder")
    if not dest.parent.is_dir():
        raise BackupError(f"the folder {dest.parent} does not exist")
    if source.resolve() == dest.resolve():
        raise BackupError("the backup must go to another file than the database")
    partial = dest.with_name(f".{dest.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(descriptor)
        _copy(source, partial)
        tables, rows = verify_backup(partial, cipher)
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, dest)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot write {dest} ({exc.strerror or type(exc).__name__})") from None
    except (sqlite3.Error, BackupError) as exc:
        partial.unlink(missing_ok=True)
        if isinstance(exc, BackupError):
            raise
        raise BackupError(f"the backup of {source} failed ({exc})") from None
    return BackupMade(dest, tables, rows, dest.stat().st_size)


def _copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(source)
    try:
        src.execute("PRAGMA busy_timeout=5000")
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # pages=-1: one step, from one read snapshot
            # A standalone file: the copy keeps WAL mode's header, so the first reader
            # would make -wal and -shm files beside it; a rollback journal needs neither.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def verify_backup(path: Path, cipher: TextCipher | None = None) -> tuple[int, int]:
    """Open a backup and check it: quick_check, every migration applied, the key check
    opening with ``cipher`` (when the database has one). Returns (tables, rows)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if [tuple(row) for row in conn.execute("PRAGMA quick_check")] != [("ok",)]:
            raise BackupError(f"the copy in {path} does not pass SQLite's quick_check")
        applied = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        missing = {m.version for m in load_migrations()} - applied
        if missing:
            raise BackupError(f"the copy lacks migrations {sorted(missing)}")
        canary = conn.execute("SELECT canary FROM key_check WHERE id = 1").fetchone()
        if canary is not None and is_sealed(canary[0]):
            if cipher is None:
                raise BackupError(
                    "the database is encrypted and PEERBOT_DATA_KEY is not set, so the copy "
                    "cannot be checked: set the key, then back up again"
                )
            try:
                cipher.decrypt(canary[0])
            except CipherError:
                raise BackupError(
                    "PEERBOT_DATA_KEY does not open the copy's key check: it is not the "
                    "database's key"
                ) from None
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        rows = sum(
            conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # names from the schema
            for name in names
        )
        return len(names), int(rows)
    finally:
        conn.close()
