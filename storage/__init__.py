"""Storage: the interface the core uses and its backends."""

from __future__ import annotations

from pathlib import Path

from storage.base import Storage
from storage.crypto import TextCipher
from storage.people import UNSET
from storage.sqlite import SqliteStorage


class StorageURLError(ValueError):
    """A database URL this program cannot use."""


def storage_from_url(
    url: str, base_dir: Path | None = None, *, cipher: TextCipher | None = None
) -> Storage:
    """A (not yet opened) storage for ``url``: ``sqlite:///relative.db``, ``sqlite:////abs.db``.

    A relative SQLite path is taken from ``base_dir`` (default: the working directory).
    ``cipher`` encrypts free text at rest (:mod:`storage.crypto`); without one it is plain.
    """
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not str(path) or str(path) == ".":
            raise StorageURLError(f"{url!r} names no file")
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        return SqliteStorage(path, cipher=cipher)
    if url.startswith(("postgresql://", "postgres://")):
        raise StorageURLError("PostgreSQL storage is not available in this version yet")
    raise StorageURLError(f"{url!r} is not a database URL this program knows (sqlite:///FILE)")


__all__ = ["UNSET", "SqliteStorage", "Storage", "StorageURLError", "storage_from_url"]
