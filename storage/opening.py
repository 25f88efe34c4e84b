"""Why a database could not be opened: what the command line tells the person starting it.

Storage raises :class:`StorageOpenError` with a :class:`OpenProblem` before anything has been
written; ``bot`` turns it into one line on stderr (never a traceback, never a key).
"""

from __future__ import annotations

import enum
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


class OpenProblem(enum.Enum):
    KEY_MISSING = "the database is encrypted and no data key is set"
    KEY_WRONG = "the data key does not match the one the database was encrypted with"
    NOT_ENCRYPTED = "a data key is set but the database holds text stored without one"
    CORRUPT = "the database file is damaged"
    READ_ONLY = "the database or its folder is read-only"
    DISK_FULL = "the disk is full"
    CANNOT_OPEN = "the database cannot be opened"


def shown_url(url: str) -> str:
    """A database URL as it may be printed or logged: a password in it becomes ``***``
    (``user:password@`` or libpq's ``?password=`` parameter)."""
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")  # as urllib and asyncpg read it
    hidden = bool(at and ":" in userinfo) or "password=" in parts.query
    if not hidden:
        return url  # urlunsplit would rewrite sqlite:/// as sqlite:/
    if at and ":" in userinfo:
        user = userinfo.split(":", 1)[0]
        parts = parts._replace(netloc=f"{user}:***@{host}")
    if "password=" in parts.query:
        query = "&".join(
            "password=***" if pair.startswith("password=") else pair
            for pair in parts.query.split("&")
        )
        parts = parts._replace(query=query)
    return urlunsplit(parts)


class StorageOpenError(Exception):
    """The database at ``path`` (a SQLite file, or a PostgreSQL URL without its password)
    cannot be used as configured; nothing was written to it."""

    def __init__(self, problem: OpenProblem, path: Path | str, detail: str = "") -> None:
        super().__init__(f"{path}: {problem.value}" + (f" ({detail})" if detail else ""))
        self.problem = problem
        self.path = path
        self.detail = detail
        """What SQLite or the system said, for :attr:`OpenProblem.CANNOT_OPEN` (no secrets:
        an error message about a file, never its contents)."""
