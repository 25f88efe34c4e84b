"""A SQLite file as one end of ``peerbot copy-db`` (:mod:`storage.transfer`).

Plain :mod:`sqlite3` on the command line's own thread: copy-db serves nobody while it runs, so
a batch read or written inline blocks nothing. As a source it reads in one deferred read
transaction, which in WAL mode is a snapshot: a bot still writing to the file is not seen
half-way. As a target everything is written in one ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from storage.opening import OpenProblem, StorageOpenError
from storage.sqlite.migrations import load_migrations
from storage.sqlite.privacy_rules import FLOORED
from storage.transfer import BATCH_ROWS, BOOKKEEPING, Row, TableInfo

OWN_TABLES = BOOKKEEPING - {"key_check"}


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SqliteEnd:
    """One SQLite file, read or written by copy-db."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    @classmethod
    def connect(cls, path: Path, *, create: bool) -> SqliteEnd:
        if not path.exists() and not create:
            raise StorageOpenError(OpenProblem.CANNOT_OPEN, path, "no such file")
        try:
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute("PRAGMA busy_timeout=5000")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StorageOpenError(OpenProblem.CANNOT_OPEN, path, str(exc)) from None
        return cls(path, conn)

    @property
    def where(self) -> str:
        return f"sqlite:///{self.path}"

    def known_versions(self) -> set[int]:
        return {m.version for m in load_migrations()}

    async def applied_versions(self) -> set[int]:
        if not self._has_table("schema_migrations"):
            return set()
        return {row[0] for row in self._conn.execute("SELECT version FROM schema_migrations")}

    def _has_table(self, name: str) -> bool:
        found = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return found is not None

    async def tables(self) -> dict[str, TableInfo]:
        names = [
            row[0]
            for row in self._conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        found = {}
        for name in names:
            if name in OWN_TABLES:
                continue
            info = self._conn.execute(f"PRAGMA table_info({quoted(name)})").fetchall()
            columns = tuple(row[1] for row in info)
            key = tuple(row[1] for row in sorted(info, key=lambda r: r[5]) if row[5] > 0)
            parents = frozenset(
                row[2] for row in self._conn.execute(f"PRAGMA foreign_key_list({quoted(name)})")
            )
            found[name] = TableInfo(name, columns, key or columns, parents)
        return found

    async def count(self, table: str) -> int:
        return int(self._conn.execute(f"SELECT count(*) FROM {quoted(table)}").fetchone()[0])

    async def rows(
        self, table: str, columns: Sequence[str], order: Sequence[str]
    ) -> AsyncIterator[list[Row]]:
        listed = ", ".join(quoted(c) for c in columns)
        by = ", ".join(quoted(c) for c in order)
        cursor = self._conn.execute(f"SELECT {listed} FROM {quoted(table)} ORDER BY {by}")
        try:
            while batch := cursor.fetchmany(BATCH_ROWS):
                yield [tuple(row) for row in batch]
        finally:
            cursor.close()

    async def id_highs(self) -> dict[str, int]:
        """Per table with an ``id`` rowid: the highest of its ids, its floor and its
        AUTOINCREMENT counter."""
        highs: dict[str, int] = {}
        tables = await self.tables()
        for name, info in tables.items():
            if info.key != ("id",):
                continue
            high = self._conn.execute(f"SELECT max(id) FROM {quoted(name)}").fetchone()[0]
            highs[name] = int(high or 0)
        for bookkeeping, column in (("id_floors", "high"), ("sqlite_sequence", "seq")):
            if not self._has_table(bookkeeping):
                continue
            for name, high in self._conn.execute(f"SELECT name, {column} FROM {bookkeeping}"):
                if name in highs:
                    highs[name] = max(highs[name], int(high or 0))
        return highs

    async def begin_snapshot(self) -> None:
        self._conn.execute("BEGIN")
        self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # takes the snapshot

    async def begin_write(self) -> None:
        # Foreign keys are checked at COMMIT: rows go in parent-first anyway, but a table
        # that refers to itself need not be sorted by that.
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute("BEGIN IMMEDIATE")
        self._conn.execute("PRAGMA defer_foreign_keys=ON")

    async def clear(self, table: str) -> None:
        if self._has_table(table):
            self._conn.execute(f"DELETE FROM {quoted(table)}")

    async def insert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        listed = ", ".join(quoted(c) for c in columns)
        marks = ", ".join("?" for _ in columns)
        self._conn.executemany(f"INSERT INTO {quoted(table)} ({listed}) VALUES ({marks})", rows)

    async def set_id_highs(self, highs: dict[str, int]) -> None:
        """Record the highest ids of the tables whose ids are never reused (``id_floors``),
        where it is above the highest id still there (as SQLite's own erasures do)."""
        floors = []
        for name, high in highs.items():
            if name not in FLOORED:
                continue
            present = self._conn.execute(f"SELECT max(id) FROM {quoted(name)}").fetchone()[0]
            if high > (present or 0):
                floors.append((name, high))
        self._conn.executemany(
            "INSERT INTO id_floors (name, high) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET high = max(high, excluded.high)",
            floors,
        )

    async def commit(self) -> None:
        self._conn.execute("COMMIT")

    async def end(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")
        self._conn.close()
