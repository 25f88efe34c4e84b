"""The parsers of the operator's commands, ``peerbot copy-db`` (move a program between
databases) and ``peerbot backup`` (a verified copy of a SQLite database while the bot runs);
what they do: :mod:`bot.commands.ops`.

Standard library only at the top: see :mod:`bot.commands`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.commands import Lazy

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
    copy.set_defaults(handler=Lazy("bot.commands.ops", "copy_db_command"))
    backup = subparsers.add_parser(
        "backup",
        help="back up the SQLite database while the bot runs (PostgreSQL: prints pg_dump)",
        description=BACKUP_HELP,
    )
    backup.add_argument("dest", metavar="DEST", type=Path, help="a new file, or a folder")
    backup.set_defaults(handler=Lazy("bot.commands.ops", "backup_command"))
