"""A PostgreSQL database as one end of ``peerbot copy-db`` (:mod:`storage.transfer`).

One asyncpg connection. As a source it reads in a read-only repeatable-read transaction (one
snapshot, while the bot may still be writing) through server-side cursors, a batch at a time.
As a target it writes in one transaction with ``COPY`` (asyncpg's
``copy_records_to_table``): identity columns take the ids given, as ``COPY`` always does, and
each identity sequence is then moved past the highest id the program ever used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from storage.opening import OpenProblem, StorageOpenError, shown_url
from storage.postgres.migrations import load_migrations
from storage.transfer import BATCH_ROWS, BOOKKEEPING, Row, TableInfo

OWN_TABLES = BOOKKEEPING - {"key_check"}


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PostgresEnd:
    """One PostgreSQL database, read or written by copy-db."""

    def __init__(self, url: str, conn: asyncpg.Connection[Any]) -> None:
        self.url = url
        self._conn = conn
        self._transaction: Any = None

    @classmethod
    async def connect(cls, url: str) -> PostgresEnd:
        try:
            conn: asyncpg.Connection[Any] = await asyncpg.connect(url)
        except (OSError, ValueError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            # What the server, the system or the URL parser said, which never quotes the
            # password; hidden all the same should one ever do.
            detail = str(exc) or type(exc).__name__
            password = urlsplit(url).password
            if password:
                detail = detail.replace(password, "***")
            raise StorageOpenError(OpenProblem.CANNOT_OPEN, shown_url(url), detail) from None
        return cls(url, conn)

    @property
    def where(self) -> str:
        return shown_url(self.url)

    def known_versions(self) -> set[int]:
        return {m.version for m in load_migrations()}

    async def applied_versions(self) -> set[int]:
        exists = await self._conn.fetchval(
            "SELECT 1 FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename = 'schema_migrations'"
        )
        if exists is None:
            return set()
        return {row[0] for row in await self._conn.fetch("SELECT version FROM schema_migrations")}

    async def tables(self) -> dict[str, TableInfo]:
        columns: dict[str, list[str]] = {}
        for row in await self._conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        ):
            columns.setdefault(row["table_name"], []).append(row["column_name"])
        keys: dict[str, list[str]] = {}
        for row in await self._conn.fetch(
            "SELECT c.relname AS table_name, a.attname AS column_name"
            " FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position) ON true"
            " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum"
            " WHERE i.indisprimary AND n.nspname = current_schema()"
            " ORDER BY c.relname, k.position"
        ):
            keys.setdefault(row["table_name"], []).append(row["column_name"])
        parents: dict[str, set[str]] = {}
        for row in await self._conn.fetch(
            "SELECT c.relname AS child, p.relname AS parent FROM pg_constraint f"
            " JOIN pg_class c ON c.oid = f.conrelid JOIN pg_class p ON p.oid = f.confrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE f.contype = 'f' AND n.nspname = current_schema()"
        ):
            parents.setdefault(row["child"], set()).add(row["parent"])
        return {
            name: TableInfo(
                name,
                tuple(cols),
                tuple(keys.get(name, cols)),
                frozenset(parents.get(name, ())),
            )
            for name, cols in columns.items()
            if name not in OWN_TABLES
        }

    async def count(self, table: str) -> int:
        return int(await self._conn.fetchval(f"SELECT count(*) FROM {quoted(table)}"))

    async def rows(
        self, table: str, columns: Sequence[str], order: Sequence[str]
    ) -> AsyncIterator[list[Row]]:
        listed = ", ".join(quoted(c) for c in columns)
        by = ", ".join(quoted(c) for c in order)
        query = f"SELECT {listed} FROM {quoted(table)} ORDER BY {by}"
        if self._transaction is None:  # a cursor needs a transaction: a read of its own
            async with self._conn.transaction(isolation="repeatable_read", readonly=True):
                async for batch in self._cursor(query):
                    yield batch
            return
        async for batch in self._cursor(query):
            yield batch

    async def _cursor(self, query: str) -> AsyncIterator[list[Row]]:
        cursor = await self._conn.cursor(query)
        while batch := await cursor.fetch(BATCH_ROWS):
            yield [tuple(record) for record in batch]

    async def id_highs(self) -> dict[str, int]:
        """Per table with an identity ``id``: its highest id, or the sequence's last value if
        it gave a higher one (to rows deleted since)."""
        highs: dict[str, int] = {}
        for row in await self._conn.fetch(
            "SELECT table_name FROM information_schema.columns WHERE table_schema ="
            " current_schema() AND column_name = 'id' AND is_identity = 'YES'"
        ):
            name = row["table_name"]
            if name in OWN_TABLES:
                continue
            high = await self._conn.fetchval(f"SELECT max(id) FROM {quoted(name)}")
            sequence = await self._conn.fetchval("SELECT pg_get_serial_sequence($1, 'id')", name)
            # The name comes back quoted as SQL wants it; a sequence never drawn from has
            # is_called false (its last_value is only its start).
            given = await self._conn.fetchval(
                f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence}"
            )
            highs[name] = max(int(high or 0), int(given or 0))
        return highs

    async def begin_snapshot(self) -> None:
        self._transaction = self._conn.transaction(isolation="repeatable_read", readonly=True)
        await self._transaction.start()

    async def begin_write(self) -> None:
        self._transaction = self._conn.transaction()
        await self._transaction.start()

    async def clear(self, table: str) -> None:
        await self._conn.execute(f"DELETE FROM {quoted(table)}")

    async def insert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        await self._conn.copy_records_to_table(table, records=rows, columns=list(columns))

    async def set_id_highs(self, highs: dict[str, int]) -> None:
        """Move each identity sequence past the highest id FROM ever gave."""
        for row in await self._conn.fetch(
            "SELECT table_name FROM information_schema.columns WHERE table_schema ="
            " current_schema() AND column_name = 'id' AND is_identity = 'YES'"
        ):
            name = row["table_name"]
            high = max(
                highs.get(name, 0),
                int(await self._conn.fetchval(f"SELECT coalesce(max(id), 0) FROM {quoted(name)}")),
            )
            if high > 0:
                await self._conn.execute(
                    "SELECT setval(pg_get_serial_sequence($1, 'id'), $2)", name, high
                )

    async def commit(self) -> None:
        if self._transaction is not None:
            await self._transaction.commit()
            self._transaction = None

    async def end(self) -> None:
        try:
            if self._transaction is not None:
                await self._transaction.rollback()
                self._transaction = None
        finally:
            await self._conn.close()
