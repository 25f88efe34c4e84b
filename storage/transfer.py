"""Moving a whole program between databases (``peerbot copy-db FROM TO``), SQLite and PostgreSQL.

Both backends hold byte-identical values (:mod:`storage.postgres.connection`), so a program
moves by copying rows: every table of the schema, in batches of :data:`BATCH_ROWS` (a program of
any size streams through; nothing holds a whole table), read in one consistent snapshot of
FROM and written in one transaction into TO, so a copy that fails leaves TO as empty as it was.

What is copied and what is not: each backend keeps its own ``schema_migrations`` (their numbers
differ) and SQLite its id bookkeeping (``id_floors``, ``sqlite_sequence``); those are not rows of
the program. Instead both ends must be at the latest schema this version knows, and the highest
id each table ever gave carries over (PostgreSQL's identity sequences, SQLite's ``id_floors``),
so an id deleted before the move is never given to someone else after it.

Encrypted text is copied as it is stored (the key never decrypts it on the way). Before
anything is written, the data key (``PEERBOT_DATA_KEY``) must open FROM's encrypted text; after
the copy every encrypted value in TO is opened with it, and each table's row count and a digest
of its rows (in primary-key order, where both backends sort alike) are compared with FROM's.

Nothing here prints a database URL; :class:`CopyError` names databases by
:func:`storage.opening.shown_url` (no password) and never says a stored value.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from storage.crypto import CipherError, TextCipher, is_sealed
from storage.opening import StorageOpenError, shown_url
from storage.sqlite.privacy_rules import ENCRYPTED_COLUMNS

log = logging.getLogger(__name__)

BATCH_ROWS = 1000
"""Rows read and written at a time: memory stays flat whatever the size of a table."""

BOOKKEEPING = frozenset({"schema_migrations", "key_check", "id_floors", "sqlite_sequence"})
"""Tables that are not the program's rows: each backend's own migration record and id
bookkeeping, and the key check (copied, but a target that holds only it is still empty)."""

Row = tuple[Any, ...]


class CopyError(Exception):
    """Why a copy cannot be made (or did not verify), as the one line to print."""


@dataclass(frozen=True, slots=True)
class TableInfo:
    """A table as one end sees it."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    """The primary key's columns: the order rows are read in (every column when none)."""
    parents: frozenset[str]
    """Tables its foreign keys point at: they are written first."""


@dataclass(frozen=True, slots=True)
class TableCopied:
    name: str
    rows: int
    digest: str


@dataclass(frozen=True, slots=True)
class CopyReport:
    source: str
    target: str
    tables: tuple[TableCopied, ...]
    sealed_opened: int
    """Encrypted values in TO that were opened with the data key after the copy."""

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)


class End(Protocol):
    """One database, as ``copy-db`` reads and writes it (:mod:`storage.sqlite.transfer`,
    :mod:`storage.postgres.transfer`)."""

    @property
    def where(self) -> str:
        """The database as it may be printed (no password)."""
        ...

    def known_versions(self) -> set[int]:
        """The migration versions this program's version of the backend has."""
        ...

    async def applied_versions(self) -> set[int]: ...

    async def tables(self) -> dict[str, TableInfo]:
        """Every table but :data:`BOOKKEEPING`'s own ones (``key_check`` included)."""
        ...

    async def count(self, table: str) -> int: ...

    def rows(
        self, table: str, columns: Sequence[str], order: Sequence[str]
    ) -> AsyncIterator[list[Row]]:
        """The table's rows sorted by ``order``, ``columns`` in that order, a batch at a time."""
        ...

    async def id_highs(self) -> dict[str, int]:
        """The highest id each table with generated ids ever gave (deleted rows included)."""
        ...

    async def begin_snapshot(self) -> None:
        """Every read until :meth:`end` sees one moment (the bot may still be writing)."""
        ...

    async def begin_write(self) -> None:
        """One transaction for everything :meth:`insert` and :meth:`set_id_highs` write."""
        ...

    async def clear(self, table: str) -> None:
        """Delete the rows of a bookkeeping table (``key_check``) inside the write."""
        ...

    async def insert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None: ...

    async def set_id_highs(self, highs: dict[str, int]) -> None: ...

    async def commit(self) -> None: ...

    async def end(self) -> None:
        """Roll back whatever is open and disconnect."""
        ...


async def open_end(url: str, *, create: bool) -> End:
    """The end for ``url`` (``sqlite:///FILE``, a plain file path, or ``postgresql://...``),
    connected. ``create``: a SQLite file that does not exist is made (a target); a source
    must exist."""
    if is_postgres(url):
        try:
            from storage.postgres.transfer import PostgresEnd
        except ImportError:
            raise CopyError(
                "PostgreSQL needs the asyncpg driver: pip install 'peer-support-bot[postgres]'"
            ) from None
        return await PostgresEnd.connect(url)
    from storage.sqlite.transfer import SqliteEnd

    return SqliteEnd.connect(sqlite_path(url), create=create)


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///`` URL or of a plain path; :class:`CopyError` for anything
    else that looks like a URL."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
    elif "://" in url:
        scheme = url.split("://", 1)[0]
        raise CopyError(
            f"{scheme}://... is not a database URL this program knows"
            " (sqlite:///FILE, a file path, or postgresql://USER@HOST/DATABASE)"
        )
    else:
        path = url
    if not path.strip() or path.strip() == "." or "\x00" in path:
        raise CopyError(f"{url!r} names no file")
    return Path(path)


def same_database(a: str, b: str) -> bool:
    """Whether two URLs name one database (a copy onto itself)."""
    if not is_postgres(a) and not is_postgres(b):
        return sqlite_path(a).resolve() == sqlite_path(b).resolve()
    return shown_url(a) == shown_url(b)


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


async def copy_database(
    from_url: str,
    to_url: str,
    cipher: TextCipher | None,
    *,
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[str, int], None] | None = None,
) -> CopyReport:
    """Copy every row of FROM into the empty TO and verify it; see the module's docstring.

    Raises :class:`CopyError` (one line, no password, nothing stored quoted) when it cannot:
    a bad URL, a server it cannot reach, a missing or wrong key, a target that is not empty,
    schemas at different versions, or a copy that does not verify; any other failure is
    named by its kind and the stage it stopped in. ``progress`` is told each table's rows as
    they are written.
    """
    if same_database(from_url, to_url):
        raise CopyError("FROM and TO are the same database")
    stage = "before anything was written"
    try:
        source = await _open(from_url, "FROM", create=False)
        try:
            await _check_versions(source, "FROM")
            await source.begin_snapshot()
            source_tables = await source.tables()
            await _check_key(source, source_tables, cipher)
            await _prepare_target(to_url)
            stage = "before any row was written (TO holds at most the bot's empty tables)"
            target = await _open(to_url, "TO", create=True)
            try:
                await _check_versions(target, "TO")
                target_tables = await target.tables()
                _check_same_tables(source_tables, target_tables)
                copied = await _copy_rows(source, target, target_tables, batch_rows, progress)
                stage = "while checking the copy, which is written: empty TO and copy again"
                sealed = await _verify(target, target_tables, copied, cipher)
            finally:
                await target.end()
        finally:
            await source.end()
    except CopyError:
        raise
    except Exception as exc:
        # Only the kind of failure: a driver's message may quote a value or a URL.
        raise CopyError(f"copy-db stopped {stage} ({type(exc).__name__})") from exc
    return CopyReport(
        source=shown_url(from_url),
        target=shown_url(to_url),
        tables=tuple(copied[name] for name in sorted(copied)),
        sealed_opened=sealed,
    )


async def _open(url: str, which: str, *, create: bool) -> End:
    try:
        return await open_end(url, create=create)
    except StorageOpenError as err:
        detail = f" ({err.detail})" if err.detail else ""
        raise CopyError(f"{which} {shown_url(url)}: {err.problem.value}{detail}") from None


async def _prepare_target(url: str) -> None:
    """Refuse a TO that holds a program; else create its schema (the bot's own migrations),
    opened without a key check so that no key row is written (FROM's is copied)."""
    from storage import StorageURLError, storage_from_url

    filled: list[str] = []
    if is_postgres(url) or sqlite_path(url).exists():
        probe = await _open(url, "TO", create=False)
        try:
            tables = await probe.tables()
            filled = [n for n in sorted(tables) if n != "key_check" and await probe.count(n)]
        finally:
            await probe.end()
    if filled:
        shown = ", ".join(filled[:4]) + (f" and {len(filled) - 4} more" if len(filled) > 4 else "")
        raise CopyError(
            f"TO {shown_url(url)} is not empty ({shown} hold rows): copy-db only writes into an "
            "empty database. Make a new one (a new file, or `createdb`), or empty it first. "
            "Nothing was written."
        )
    store_url = url if is_postgres(url) else f"sqlite:///{sqlite_path(url)}"
    try:
        store = storage_from_url(store_url, check_key=False)
        await store.open()
    except StorageURLError as err:
        raise CopyError(f"TO: {err}") from None
    except StorageOpenError as err:
        detail = f" ({err.detail})" if err.detail else ""
        raise CopyError(f"TO {shown_url(url)}: {err.problem.value}{detail}") from None
    await store.close()


async def _check_versions(end: End, which: str) -> None:
    applied, known = await end.applied_versions(), end.known_versions()
    if applied - known:
        raise CopyError(
            f"{which} {end.where} was written by a newer version of peerbot (migrations "
            f"{sorted(applied - known)} are unknown here): run copy-db with that version"
        )
    if known - applied:
        raise CopyError(
            f"{which} {end.where} is not at the latest schema (migrations "
            f"{sorted(known - applied)} are not applied): start this version of the bot on it "
            "once (or run `peerbot init` with it as [storage] url), then copy"
        )


async def _check_key(end: End, tables: dict[str, TableInfo], cipher: TextCipher | None) -> None:
    """Refuse before anything is written unless ``cipher`` opens FROM's encrypted text."""
    sample = await _first_sealed(end, tables)
    if sample is None:
        return
    if cipher is None:
        raise CopyError(
            f"FROM {end.where} holds encrypted text, but PEERBOT_DATA_KEY is not set: set it to "
            "the key FROM was made with (TO keeps the same key). Nothing was written."
        )
    try:
        cipher.decrypt(sample)
    except CipherError:
        raise CopyError(
            f"PEERBOT_DATA_KEY does not open the encrypted text in FROM {end.where}: set the "
            "key it was made with. Nothing was written."
        ) from None


async def _first_sealed(end: End, tables: dict[str, TableInfo]) -> str | None:
    """The key check's canary, else the first encrypted value found (None: nothing sealed)."""
    checked = [("key_check", "canary")] + [(t, c) for t, c, _ in ENCRYPTED_COLUMNS]
    for table, column in checked:
        info = tables.get(table)
        if info is None or column not in info.columns:
            continue
        async for batch in end.rows(table, (column,), info.key):
            for (value,) in batch:
                if is_sealed(value):
                    return str(value)
    return None


def _check_same_tables(source: dict[str, TableInfo], target: dict[str, TableInfo]) -> None:
    only_source = sorted(set(source) - set(target))
    only_target = sorted(set(target) - set(source))
    if only_source or only_target:
        raise CopyError(
            "FROM and TO have different tables (only in FROM: "
            f"{', '.join(only_source) or 'none'}; only in TO: {', '.join(only_target) or 'none'})"
            ": both must be at the latest schema of this version"
        )
    for name, info in source.items():
        if set(info.columns) != set(target[name].columns):
            raise CopyError(f"FROM and TO have different columns in {name}")


def write_order(tables: dict[str, TableInfo]) -> list[str]:
    """Table names with every table after the tables its foreign keys point at."""
    ordered: list[str] = []
    placed: set[str] = set()
    pending = sorted(tables)
    while pending:
        ready = [
            name
            for name in pending
            if all(p in placed or p == name or p not in tables for p in tables[name].parents)
        ]
        if not ready:  # a cycle of foreign keys: not in this schema; say so rather than loop
            raise CopyError(f"the tables {', '.join(pending)} refer to each other in a cycle")
        ordered.extend(ready)
        placed.update(ready)
        pending = [name for name in pending if name not in placed]
    return ordered


async def _copy_rows(
    source: End,
    target: End,
    target_tables: dict[str, TableInfo],
    batch_rows: int,
    progress: Callable[[str, int], None] | None,
) -> dict[str, TableCopied]:
    copied: dict[str, TableCopied] = {}
    await target.begin_write()
    await target.clear("key_check")  # the target's own, if the bot ever opened it with a key
    for name in write_order(target_tables):
        columns, order = target_tables[name].columns, target_tables[name].key
        digest = hashlib.sha256()
        rows = 0
        try:
            async for batch in _batches(source.rows(name, columns, order), batch_rows):
                await target.insert(name, columns, batch)
                _digest(digest, batch)
                rows += len(batch)
        except Exception as exc:
            # Only the kind of failure: a driver's message may quote the value it refused.
            raise CopyError(
                f"copying {name} failed ({type(exc).__name__}); TO was left as it was, empty"
            ) from exc
        expected = await source.count(name)
        if rows != expected:  # the snapshot changed under us: never expected
            raise CopyError(f"FROM changed while {name} was read ({rows} of {expected} rows)")
        copied[name] = TableCopied(name, rows, digest.hexdigest())
        if progress is not None:
            progress(name, rows)
    await target.set_id_highs(await source.id_highs())
    await target.commit()
    return copied


async def _batches(rows: AsyncIterator[list[Row]], size: int) -> AsyncIterator[list[Row]]:
    """Re-cut what an end yields to ``size`` rows (an end reads in its own batches)."""
    pending: list[Row] = []
    async for batch in rows:
        pending.extend(batch)
        while len(pending) >= size:
            yield pending[:size]
            pending = pending[size:]
    if pending:
        yield pending


def _digest(digest: Any, rows: Iterable[Row]) -> None:
    for row in rows:
        digest.update(repr(tuple(row)).encode("utf-8", "surrogatepass"))


async def _verify(
    target: End,
    tables: dict[str, TableInfo],
    copied: dict[str, TableCopied],
    cipher: TextCipher | None,
) -> int:
    """Count and digest every table of TO as written, and open every encrypted value in it."""
    sealed_columns = {(t, c) for t, c, _ in ENCRYPTED_COLUMNS} | {("key_check", "canary")}
    opened = 0
    for name, info in tables.items():
        count = await target.count(name)
        if count != copied[name].rows:
            raise CopyError(
                f"verification failed: {name} has {count} rows in TO, {copied[name].rows} in FROM"
            )
        digest = hashlib.sha256()
        positions = [i for i, c in enumerate(info.columns) if (name, c) in sealed_columns]
        async for batch in target.rows(name, info.columns, info.key):
            _digest(digest, batch)
            for row in batch:
                for i in positions:
                    if is_sealed(row[i]):
                        _open_sealed(cipher, row[i], name)
                        opened += 1
        if digest.hexdigest() != copied[name].digest:
            raise CopyError(f"verification failed: the rows of {name} in TO differ from FROM's")
    return opened


def _open_sealed(cipher: TextCipher | None, value: str, table: str) -> None:
    if cipher is None:
        raise CopyError(f"verification failed: {table} in TO holds encrypted text and no key")
    try:
        cipher.decrypt(value)
    except CipherError:
        raise CopyError(
            f"verification failed: encrypted text in {table} does not open with PEERBOT_DATA_KEY"
        ) from None
