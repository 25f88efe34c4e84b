"""The CLI's and the runner's way to the database: opened from the config, always closed.

:func:`open_problem_line` is the one line the command line prints when a database cannot be
opened as configured (a missing or wrong data key, a damaged file, a read-only folder, a full
disk): what is wrong and what to do next,
never a key and never a traceback.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from bot.config import Config
from handlers.app import assemble
from handlers.context import Context
from storage import OpenProblem, Storage, StorageOpenError, storage_from_url
from storage.sqlite.connection import damage_found


def with_database(config: Config, path: Path) -> Config:
    """The config with its database replaced by the SQLite file ``path`` (``--database``)."""
    return replace(config, database_url=f"sqlite:///{path}")


def missing_database(config: Config) -> Path | None:
    """The configured SQLite file when it does not exist yet (a reading command says so
    instead of creating an empty one); None when it exists or is not a file."""
    path = sqlite_file(config)
    return None if path is None or path.exists() else path


@asynccontextmanager
async def opened_storage(
    config: Config, *, check_key: bool = True, check_whole_file: bool = False
) -> AsyncIterator[Storage]:
    """The configured storage (with the data key's cipher), migrated and open for the block.

    Opening raises :class:`StorageOpenError` when the data key is not the database's;
    ``check_key=False`` is for ``peerbot rotate-key`` alone, which checks every value itself.
    A SQLite file is not read whole first (``check_whole_file``): that takes seconds on a
    year of data, and is what ``peerbot run`` and ``peerbot check-db`` do; a command that
    meets a damaged page stops with :func:`damage_line`.
    """
    storage = storage_from_url(
        config.database_url,
        cipher=config.cipher,
        check_key=check_key,
        check_whole_file=check_whole_file,
    )
    await storage.open()
    try:
        yield storage
    finally:
        await storage.close()


@asynccontextmanager
async def assembled(config: Config) -> AsyncIterator[Context]:
    """The assembled core on the configured storage, closed after the block: what the CLI's
    commands call the core's use cases on (no messengers: what they say the running bot
    sends, through the due queue)."""
    async with opened_storage(config) as storage:
        yield assemble(Context(storage=storage, program=config.program))


def sqlite_file(config: Config) -> Path | None:
    """The configured SQLite file, or None for another kind of database."""
    url = config.database_url
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def damage_line(exc: BaseException, config: Config) -> str | None:
    """The one line for a command that met a damaged page of the SQLite file (its
    transaction was rolled back); None when ``exc`` is something else."""
    path = sqlite_file(config)
    found = None if path is None else damage_found(exc, path)
    return None if found is None else open_problem_line(found)


def open_problem_line(err: StorageOpenError) -> str:
    """What to tell the person starting the bot, in one line."""
    path = err.path
    match err.problem:
        case OpenProblem.KEY_MISSING:
            return (
                f"The database {path} is encrypted, but PEERBOT_DATA_KEY is not set. Set it to "
                "the key the database was made with, then start again. Nothing was changed."
            )
        case OpenProblem.KEY_WRONG:
            return (
                f"PEERBOT_DATA_KEY does not match the key {path} was encrypted with. Set the "
                "key it was made with (to move to a new key, see `peerbot rotate-key --help`). "
                "Nothing was changed."
            )
        case OpenProblem.NOT_ENCRYPTED:
            return (
                f"PEERBOT_DATA_KEY is set, but {path} holds text stored before it was. Run "
                "`peerbot rotate-key` once to encrypt it, then start again. Nothing was changed."
            )
        case OpenProblem.CORRUPT:
            return (
                f"The database {path} is damaged (SQLite found damaged pages; `peerbot check-db` "
                "lists them). Nothing was changed. Restore it from a backup, or move it aside "
                "to start with an empty one."
            )
        case OpenProblem.READ_ONLY:
            return (
                f"The database {path} is read-only here: the bot must be able to write the file "
                f"and its folder {path.parent if isinstance(path, Path) else path}. Give it write "
                "access there, or set [storage] url to a writable place."
            )
        case OpenProblem.DISK_FULL:
            return (
                f"The disk holding {path} is full (disk full). Free some space, then start again."
            )
        case OpenProblem.CANNOT_OPEN:
            return (
                f"The database {path} cannot be opened ({err.detail}). Check [storage] url, "
                "then start again."
            )
