"""What ``peerbot run``, ``init``, ``invite`` and ``check-db`` do (parsers: :mod:`bot.cli`)."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from bot.config import DEFAULT_PATH, EXAMPLE_PATH, Config, ConfigError, load_config
from bot.database import (
    assembled,
    open_problem_line,
    opened_storage,
    sqlite_file,
    with_database,
)
from handlers.mentoring import pairing
from handlers.texts.plurals import USE, counted
from handlers.timing import TimingError, parse_duration
from storage import OpenProblem, StorageOpenError, shown_url
from storage.people import Role
from storage.sqlite.connection import integrity_problems

EXIT_USAGE = 2


async def run_command(config: Config, args: argparse.Namespace) -> int:
    from bot.runner import CONSOLE_LOG, run

    log_file: Path | None = args.log_file
    console = args.demo or not (config.secrets.telegram_token or config.secrets.discord_token)
    if log_file is None and console and sys.stderr.isatty():
        log_file = CONSOLE_LOG  # a terminal shows stderr among the chat: log to a file
    if not args.demo:
        return await run(config, log_file=log_file)
    from bot import console_demo

    if log_file is not None:  # before the demo is made, so its log lines go there too
        from bot.runner import log_to_file

        log_to_file(log_file)
    config, note = await console_demo.make_demo(config)
    return await run(config, make_adapters=_no_platforms, console_note=note, log_file=log_file)


def _no_platforms(*_: object) -> list[Any]:
    """The demo is the console's, whatever tokens are set."""
    return []


def init(path: Path | None, database: Path | None) -> int:
    target = path or DEFAULT_PATH
    if target.exists():
        print(f"{target} already exists; leaving it as it is.")
    elif not EXAMPLE_PATH.exists():
        print(f"cannot find the example config at {EXAMPLE_PATH}", file=sys.stderr)
        return EXIT_USAGE
    else:
        shutil.copyfile(EXAMPLE_PATH, target)
        print(f"wrote {target}: edit it, then start the bot with `peerbot run`.")
    try:
        config = load_config(target)
    except ConfigError as err:
        print(err, file=sys.stderr)
        return EXIT_USAGE
    if database is not None:
        config = with_database(config, database)
    try:
        asyncio.run(_create_database(config))
    except StorageOpenError as err:
        print(open_problem_line(err), file=sys.stderr)
        return EXIT_USAGE
    print(f"database ready at {shown_url(config.database_url)}")
    return 0


async def _create_database(config: Config) -> None:
    async with opened_storage(config):
        pass  # opening applies the migrations


async def invite_command(config: Config, args: argparse.Namespace) -> int:
    role, uses, expires = args.role, args.uses, args.expires
    if uses < 1:
        print("--uses must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    try:
        valid_for = parse_duration(expires)
    except TimingError:
        print(f'--expires "{expires}" is not a duration (write it like 7d or 12h)', file=sys.stderr)
        return EXIT_USAGE
    async with assembled(config) as ctx:
        made = await pairing.make_invite(ctx, Role(role), uses=uses, valid_for=valid_for)
    code = made.code
    print(code)
    print(
        f"{role} invite, {counted(USE, uses)}, valid until "
        f"{made.expires_at:%Y-%m-%d %H:%M} UTC. "
        f"People send /start {code} (or /join {code} if they already use the bot).",
        file=sys.stderr,
    )
    return 0


async def check_db_command(config: Config, args: argparse.Namespace) -> int:
    path = sqlite_file(config)
    if path is None:
        print(
            f"check-db reads a SQLite file; {shown_url(config.database_url)} is PostgreSQL, "
            "which checks its own pages as it reads them.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not path.exists():
        print(f"There is no database at {path} to check.", file=sys.stderr)
        return EXIT_USAGE
    started = time.perf_counter()
    problems = await asyncio.to_thread(integrity_problems, path)
    took = time.perf_counter() - started
    if not problems:
        size = path.stat().st_size / 1e6
        print(f"{path}: no damage found ({size:.0f} MB read in {took:.1f} s).")
        return 0
    for problem in problems:  # page and table names, never the data on them
        print(f"  {problem}", file=sys.stderr)
    print(open_problem_line(StorageOpenError(OpenProblem.CORRUPT, path)), file=sys.stderr)
    return EXIT_USAGE
