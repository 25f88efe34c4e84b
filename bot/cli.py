"""The ``peerbot`` command line.

Building the parser imports the standard library only (``bot.cli_*`` and :mod:`bot.commands`
too), so ``peerbot --help`` and ``peerbot COMMAND --help`` answer without loading the core: a
command's parser names its function with :class:`bot.commands.Lazy`, and :func:`main` loads
the config, the storage errors and that function only once the arguments are parsed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bot import cli_dashboard, cli_matching, cli_mentoring, cli_ops, cli_privacy, cli_report
from bot.commands import Lazy

if TYPE_CHECKING:
    from bot.config import Config

EXIT_FAILED = 1
EXIT_USAGE = 2
OUR_PACKAGES = ("bot", "handlers", "scheduling", "storage")

# Modules that add subcommands: each has ``add_commands(subparsers)``, and every parser it adds
# sets ``handler``, an ``async (config, args) -> exit status``.
COMMAND_MODULES: list[CommandModule] = [
    cli_mentoring,
    cli_matching,
    cli_report,
    cli_privacy,
    cli_ops,
    cli_dashboard,
]


class CommandModule(Protocol):
    def add_commands(self, subparsers: Any) -> None: ...


CONFIG_HELP = "config file (default: ./config.toml if present, else built-in defaults)"
ROLES = ("mentee", "mentor", "facilitator", "coordinator")
"""The roles an invite grants (``storage.people.Role``; a test keeps them equal)."""
WITHOUT_PROGRAM_DATA = frozenset({"new-data-key", "resources", "demo-data", "copy-db"})
"""Commands that never open the program's database (demo-data writes its own file, copy-db
names both of its own)."""


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
    run.set_defaults(handler=Lazy("bot.commands.basics", "run_command"))
    commands.add_parser("init", help="write config.toml from the example and create the database")
    invite = commands.add_parser("invite", help="make an invite code that grants a role")
    invite.add_argument(
        "--role",
        choices=ROLES,
        default="mentee",
        help="the role the code grants",
    )
    invite.add_argument("--uses", type=int, default=1, help="how many people may use it")
    invite.add_argument("--expires", default="7d", help="how long it is valid, e.g. 7d or 12h")
    invite.set_defaults(handler=Lazy("bot.commands.basics", "invite_command"))
    check_db = commands.add_parser(
        "check-db",
        help="read the whole SQLite file and list any damage (PRAGMA integrity_check); "
        "`peerbot run` reads it whole at start, the other commands do not",
    )
    check_db.set_defaults(handler=Lazy("bot.commands.basics", "check_db_command"))
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
    args = parser.parse_args(argv)  # --help and --version end here, with nothing else loaded
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    from bot.config import ConfigError, load_config
    from bot.database import damage_line, open_problem_line, with_database
    from bot.errors import AdapterStartError
    from storage import StorageOpenError, StorageURLError

    database: Path | None = getattr(args, "database_file", None)
    if args.command == "init":
        from bot.commands.basics import init

        return init(args.config, database)
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
    except Exception as exc:
        line = damage_line(exc, config)  # a damaged page met while the command ran
        if line is None:
            raise
        print(line, file=sys.stderr)
        return EXIT_USAGE


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


if __name__ == "__main__":
    sys.exit(main())
