"""The operator's commands: ``peerbot copy-db`` (move a program between databases) and
``peerbot backup`` (a verified copy of a SQLite database while the bot runs).

They parse arguments and print; the work is :mod:`storage.transfer` and
:mod:`storage.sqlite.backup`. A database URL is only ever printed through
:func:`storage.shown_url` (no password), and a stored value never.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bot.config import Config
from storage import shown_url
from storage.sqlite.backup import BackupError, backup_path, backup_sqlite
from storage.transfer import CopyError, copy_database, is_postgres, sqlite_path

EXIT_FAILED = 1
EXIT_USAGE = 2

COPY_HELP = """\
Copy a whole program from FROM to TO: SQLite to PostgreSQL, PostgreSQL to SQLite (or alike).
FROM and TO are sqlite:///FILE (or just a file path) or postgresql://USER@HOST:PORT/DATABASE.
TO must be empty (a new file, or a database made with createdb); both end at the latest
schema. Every table is copied in one transaction, then each table's row count and rows are
compared and every encrypted value in TO is opened with PEERBOT_DATA_KEY. Stop the bot first
(or copy while it runs: FROM is read as one snapshot, and what it writes later stays behind).
Keep a PostgreSQL password out of the command line (ps shows it): use PGPASSWORD or ~/.pgpass.
"""

BACKUP_HELP = """\
Back up the program's SQLite database to DEST (a new file, or a folder for a dated file) with
SQLite's online backup API: the bot may keep running. The copy is checked before it is kept.
For PostgreSQL this prints the pg_dump command to run instead.
"""


def add_commands(subparsers: Any) -> None:
    copy = subparsers.add_parser(
        "copy-db",
        help="copy a whole program between databases (SQLite <-> PostgreSQL) and verify it",
        description=COPY_HELP,
    )
    copy.add_argument("from_url", metavar="FROM", help="the database to copy from")
    copy.add_argument("to_url", metavar="TO", help="the empty database to copy into")
    copy.set_defaults(handler=_copy_db)
    backup = subparsers.add_parser(
        "backup",
        help="back up the SQLite database while the bot runs (PostgreSQL: prints pg_dump)",
        description=BACKUP_HELP,
    )
    backup.add_argument("dest", metavar="DEST", type=Path, help="a new file, or a folder")
    backup.set_defaults(handler=_backup)


async def _copy_db(config: Config, args: argparse.Namespace) -> int:
    source, target = args.from_url, args.to_url
    for which, url in (("FROM", source), ("TO", target)):
        if problem := _url_problem(url):
            print(f"{which}: {problem}", file=sys.stderr)
            return EXIT_USAGE

    def progress(table: str, rows: int) -> None:
        print(f"  {table}: {rows} rows", file=sys.stderr)

    print(f"copying {shown_url(source)} -> {shown_url(target)}", file=sys.stderr)
    try:
        report = await copy_database(source, target, config.cipher, progress=progress)
    except CopyError as err:
        print(f"copy-db: {err}", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"copied {report.rows} rows in {len(report.tables)} tables from {report.source} to "
        f"{report.target}; verified: every table's row count and rows match, "
        f"{report.sealed_opened} encrypted values open with the data key."
    )
    return 0


def _url_problem(url: str) -> str | None:
    if is_postgres(url):
        return None  # libpq's forms are many (a socket, ?host=): the driver judges it
    try:
        sqlite_path(url)
    except CopyError as err:
        return str(err)
    return None


async def _backup(config: Config, args: argparse.Namespace) -> int:
    url = config.database_url
    if is_postgres(url):
        print(pg_dump_advice(url, args.dest))
        return EXIT_FAILED  # nothing was backed up here: a script must not think otherwise
    source = Path(url.removeprefix("sqlite:///"))
    target = backup_path(args.dest, source)
    try:
        made = await asyncio.to_thread(backup_sqlite, source, target, config.cipher)
    except BackupError as err:
        print(f"backup: {err}", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"backed up {source} to {made.path}: {made.tables} tables, {made.rows} rows, "
        f"{made.bytes // 1024} KiB, checked (quick_check, schema, data key)."
    )
    return 0


def without_password(url: str) -> str:
    """``url`` with any password taken out (pg_dump reads PGPASSWORD or ~/.pgpass)."""
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    if at and ":" in userinfo:
        parts = parts._replace(netloc=f"{userinfo.split(':', 1)[0]}@{host}")
    query = "&".join(
        pair for pair in parts.query.split("&") if pair and not pair.startswith("password=")
    )
    return urlunsplit(parts._replace(query=query))


def pg_dump_advice(url: str, dest: Path) -> str:
    """What to run to back up (and restore) a PostgreSQL program; never the password."""
    plain = without_password(url)
    target = dest / "peerbot.dump" if dest.is_dir() else dest
    return (
        "peerbot backup does not dump PostgreSQL itself: use PostgreSQL's own tool, which takes "
        "a consistent dump while the bot runs. Run (the password from PGPASSWORD or "
        "~/.pgpass):\n"
        f"  pg_dump --format=custom --file='{target}' '{plain}'\n"
        "Restore it into a new, empty database (made with createdb) with:\n"
        f"  pg_restore --no-owner --dbname='postgresql://USER@HOST/NEW_DATABASE' '{target}'\n"
        "(or move the program to SQLite and back with `peerbot copy-db`)."
    )
