"""The parsers of ``peerbot match`` and ``peerbot training`` (what they do:
:mod:`bot.commands.matching`).

Standard library only at the top: see :mod:`bot.commands`.
"""

from __future__ import annotations

from typing import Any

from bot.commands import Lazy


def add_commands(subparsers: Any) -> None:
    match = subparsers.add_parser(
        "match", help="suggested mentors for mentees who are waiting (approve with peerbot pair)"
    )
    match.add_argument(
        "--suggest", action="store_true", help="print the ranked short lists with their reasons"
    )
    match.add_argument("--mentee", type=int, help="only this mentee (a person id)")
    match.set_defaults(handler=Lazy("bot.commands.matching", "match_command"))

    training = subparsers.add_parser(
        "training", help="mentors' training and supervision: who is due or lapsed"
    )
    training.add_argument("--due", action="store_true", help="only mentors who are due or lapsed")
    training.set_defaults(handler=Lazy("bot.commands.matching", "training_command"))
