"""Storage: the interface the core uses and its backends."""

from __future__ import annotations

from pathlib import Path

from storage.base import Storage
from storage.crypto import TextCipher
from storage.opening import OpenProblem, StorageOpenError, shown_url
from storage.people import UNSET
from storage.sqlite import SqliteStorage


class StorageURLError(ValueError):
    """A database URL this program cannot use."""


def storage_from_url(
    url: str,
    base_dir: Path | None = None,
    *,
    cipher: TextCipher | None = None,
    check_key: bool = True,
    check_whole_file: bool = True,
) -> Storage:
    """A (not yet opened) storage for ``url``: ``sqlite:///relative.db``, ``sqlite:////abs.db``,
    or ``postgresql://user:password@host:port/database`` (asyncpg; libpq's URL form).

    A relative SQLite path is taken from ``base_dir`` (default: the working directory).
    ``cipher`` encrypts free text at rest (:mod:`storage.crypto`); without one it is plain.
    Opening refuses a cipher that is not the database's key (:class:`StorageOpenError`),
    unless ``check_key`` is off, which only key rotation does. ``check_whole_file`` reads a
    SQLite file whole before anything is written (seconds on a large one; the short commands
    turn it off, see :meth:`storage.sqlite.connection.SqliteConnection._check`); PostgreSQL
    checks its own pages as it reads them.
    """
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not str(path) or str(path) == ".":
            raise StorageURLError(f"{url!r} names no file")
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        return SqliteStorage(
            path, cipher=cipher, check_key=check_key, check_whole_file=check_whole_file
        )
    if url.startswith(("postgresql://", "postgres://")):
        try:
            from storage.postgres import PostgresStorage
        except ImportError:  # asyncpg is the optional extra `postgres`
            raise StorageURLError(
                "PostgreSQL needs the asyncpg driver: pip install 'peer-support-bot[postgres]'"
            ) from None
        return PostgresStorage(url, cipher=cipher, check_key=check_key)
    raise StorageURLError(
        f"{url!r} is not a database URL this program knows"
        " (sqlite:///FILE or postgresql://USER@HOST/DATABASE)"
    )


__all__ = [
    "UNSET",
    "OpenProblem",
    "SqliteStorage",
    "Storage",
    "StorageOpenError",
    "StorageURLError",
    "shown_url",
    "storage_from_url",
]
