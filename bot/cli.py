"""The ``peerbot`` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from bot import cli_mentoring, cli_privacy, cli_report
from bot.config import DEFAULT_PATH, EXAMPLE_PATH, Config, ConfigError, load_config
from bot.database import assembled, open_problem_line, opened_storage, with_database
from bot.errors import AdapterStartError
from handlers.mentoring import pairing
from handlers.texts.plurals import USE, counted
from handlers.timing import TimingError, parse_duration
from storage import StorageOpenError, StorageURLError, shown_url
from storage.people import Role

EXIT_FAILED = 1
EXIT_USAGE = 2
OUR_PACKAGES = ("bot", "handlers", "scheduling", "storage")

# Modules that add subcommands: each has ``add_commands(subparsers)``, and every parser it adds
# sets ``handler``, an ``async (config, args) -> exit status``.
COMMAND_MODULES: list[CommandModule] = [cli_mentoring, cli_report, cli_privacy]


class CommandModule(Protocol):
    def add_commands(self, subparsers: Any) -> None: ...


CONFIG_HELP = "config file (default: ./config.toml if present, else built-in defaults)"
WITHOUT_PROGRAM_DATA = frozenset({"new-data-key", "resources", "demo-data"})
"""Commands that never open the program's database (demo-data writes its own file)."""


def _version() -> str:
    try:
        return metadata.version("peer-support-bot")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peerbot",
        description="peer-support-bot: daily check-ins, mentors and peer circles for a "
        "recovery peer-mentorship program.",
    )
    parser.add_argument("--config", type=Path, default=None, help=CONFIG_HELP)
    parser.add_argument("--version", action="version", version=f"peerbot {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the bot: every adapter with a token, or the console adapter when none is set",
    )
    run.add_argument(
        "--demo",
        action="store_true",
        help="open the console on a ready-made demo program (coordinator, mentor, facilitator, "
        "two mentees, a circle), in its own fresh file peerbot-demo.db; your program's database "
        "is not touched",
    )
    run.add_argument(
        "--log-file",
        type=Path,
        metavar="FILE",
        help="write log lines to FILE (the console in a terminal uses peerbot.log by default)",
    )
    run.set_defaults(handler=_run)
    commands.add_parser("init", help="write config.toml from the example and create the database")
    invite = commands.add_parser("invite", help="make an invite code that grants a role")
    invite.add_argument(
        "--role",
        choices=[r.value for r in Role],
        default=Role.MENTEE.value,
        help="the role the code grants",
    )
    invite.add_argument("--uses", type=int, default=1, help="how many people may use it")
    invite.add_argument("--expires", default="7d", help="how long it is valid, e.g. 7d or 12h")
    invite.set_defaults(handler=_invite)
    for module in COMMAND_MODULES:
        module.add_commands(commands)
    for name, command in commands.choices.items():
        command.formatter_class = argparse.ArgumentDefaultsHelpFormatter
        if name in WITHOUT_PROGRAM_DATA:
            continue
        # On the command too, so `peerbot report --database demo.db` reads as people type it;
        # SUPPRESS leaves the value given before the command alone when none is given here.
        command.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=CONFIG_HELP)
        command.add_argument(
            "--database",
            dest="database_file",
            type=Path,
            metavar="FILE",
            default=argparse.SUPPRESS,
            help="use this SQLite file instead of [storage] url (e.g. peerbot-demo.db)",
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    database: Path | None = getattr(args, "database_file", None)
    if args.command == "init":
        return _init(args.config, database)
    if not getattr(args, "needs_config", True):  # e.g. new-data-key: works with a bad config
        return int(asyncio.run(args.handler(None, args)))
    try:
        config = load_config(args.config)
    except ConfigError as err:
        print(err, file=sys.stderr)
        return EXIT_USAGE
    if database is not None:
        config = with_database(config, database)
    _setup_logging(config)
    try:
        return int(asyncio.run(args.handler(config, args)))
    except StorageURLError as err:
        print(f"{config.source}: [storage] url: {err}", file=sys.stderr)
        return EXIT_USAGE
    except StorageOpenError as err:
        print(open_problem_line(err), file=sys.stderr)
        return EXIT_USAGE
    except AdapterStartError as err:
        print(err, file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


def _setup_logging(config: Config) -> None:
    # [logging] level applies to our own packages. Libraries log at INFO at most: at DEBUG,
    # python-telegram-bot and discord.py log whole API payloads (message texts) and aiosqlite
    # logs every SQL call with its values (notes).
    level = logging.getLevelNamesMapping()[config.log_level]
    logging.basicConfig(
        level=max(level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for package in OUR_PACKAGES:
        logging.getLogger(package).setLevel(level)
    # httpx logs every request URL, and a Telegram URL carries the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


async def _run(config: Config, args: argparse.Namespace) -> int:
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


def _init(path: Path | None, database: Path | None) -> int:
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


async def _invite(config: Config, args: argparse.Namespace) -> int:
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


if __name__ == "__main__":
    sys.exit(main())
