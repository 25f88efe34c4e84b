"""The parsers of ``peerbot report``, ``peerbot resources check`` and ``peerbot demo-data``
(what they do: :mod:`bot.commands.report`).

Standard library only at the top: see :mod:`bot.commands`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.commands import Lazy

FORMATS = ("table", "csv", "json")
"""The report's formats (``handlers.reporting.format.FORMATS``; a test keeps them equal)."""
DEFAULT_DEMO_DB = Path("demo.db")


def add_commands(subparsers: Any) -> None:
    report = subparsers.add_parser(
        "report", help="the program's outcomes: engagement, retention, escalations, circles"
    )
    report.add_argument("--since", default="30d", help="how far back, e.g. 30d or 12w")
    report.add_argument(
        "--format", choices=FORMATS, default="table", help="a table to read, or csv/json for tools"
    )
    report.add_argument(
        "--charts",
        type=Path,
        metavar="DIR",
        help="also write PNG charts (and their alt texts) into this folder; its parent must exist",
    )
    report.add_argument(
        "--lang",
        default="en",
        metavar="CODE",
        help="the language of the report and its charts: en (the default) or es",
    )
    report.add_argument(
        "--by-match",
        action="store_true",
        help="also break completion and retention down by match (same pathway or language)",
    )
    report.set_defaults(handler=Lazy("bot.commands.report", "report_command"))

    resources = subparsers.add_parser("resources", help="work with a resource directory file")
    actions = resources.add_subparsers(dest="resources_action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="validate a resources.toml and list every problem")
    check.add_argument("file", type=Path, help="the resource directory file (TOML)")
    check.set_defaults(handler=Lazy("bot.commands.report", "resources_check_command"))

    demo = subparsers.add_parser(
        "demo-data", help="seed a realistic small demo program into a separate database"
    )
    demo.add_argument(
        "--database",
        type=Path,
        default=DEFAULT_DEMO_DB,
        metavar="FILE",
        help="the new demo database (never the program's own)",
    )
    demo.add_argument(
        "--replace", action="store_true", help="overwrite an existing demo database and chart"
    )
    demo.add_argument(
        "--progress-chart",
        type=Path,
        metavar="PNG",
        help="also draw one demo mentee's /progress chart to this file (in a folder that exists; "
        "an existing file only with --replace)",
    )
    demo.set_defaults(handler=Lazy("bot.commands.report", "demo_data_command"))
