"""What the operator's ``peerbot copy-db`` and ``peerbot backup`` do (their parsers:
:mod:`bot.cli_ops`).

They check arguments and print; the work is :mod:`storage.transfer` and
:mod:`storage.sqlite.backup`. A database URL is only ever printed through
:func:`storage.shown_url` (no password), and a stored value never.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bot.config import Config
from storage import shown_url
from storage.sqlite.backup import BackupError, backup_path, backup_sqlite
from storage.transfer import CopyError, copy_database, is_postgres, sqlite_path

EXIT_FAILED = 1
EXIT_USAGE = 2


async def copy_db_command(config: Config, args: argparse.Namespace) -> int:
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


async def backup_command(config: Config, args: argparse.Namespace) -> int:
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
