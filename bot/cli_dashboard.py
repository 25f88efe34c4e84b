"""The parser of ``peerbot dashboard-link PERSON_ID`` (what it does:
:mod:`bot.commands.dashboard`).

Standard library only at the top: see :mod:`bot.commands`.
"""

from __future__ import annotations

from typing import Any

from bot.commands import Lazy


def add_commands(subparsers: Any) -> None:
    link = subparsers.add_parser(
        "dashboard-link",
        help="print a coordinator's one-time link to the web dashboard (valid 10 minutes)",
    )
    link.add_argument("person", type=int, help="the coordinator's person id (peerbot roster)")
    link.set_defaults(handler=Lazy("bot.commands.dashboard", "dashboard_link_command"))
