"""The parsers of the coordinator's mentoring commands: ``peerbot pair``, ``unpair``,
``roster``, ``audit``, ``oncall`` and ``capacity`` (what they do: :mod:`bot.commands.mentoring`).

Standard library only at the top: see :mod:`bot.commands`.
"""

from __future__ import annotations

from typing import Any

from bot.commands import Lazy


def add_commands(subparsers: Any) -> None:
    pair = subparsers.add_parser("pair", help="pair a mentee with a mentor (ids: peerbot roster)")
    pair.add_argument("mentee", type=int, help="the mentee's person id")
    pair.add_argument("mentor", type=int, help="the mentor's person id")
    pair.add_argument("--backup", type=int, help="a backup mentor's person id")
    pair.add_argument(
        "--over-capacity", action="store_true", help="pair even if the mentor is at their limit"
    )
    pair.set_defaults(handler=Lazy("bot.commands.mentoring", "pair_command"))

    unpair = subparsers.add_parser("unpair", help="end a mentee's pairing with their mentor")
    unpair.add_argument("mentee", type=int, help="the mentee's person id")
    unpair.set_defaults(handler=Lazy("bot.commands.mentoring", "unpair_command"))

    roster = subparsers.add_parser("roster", help="list mentors, mentees and who is on duty")
    roster.set_defaults(handler=Lazy("bot.commands.mentoring", "roster_command"))

    audit_parser = subparsers.add_parser(
        "audit", help="print who viewed whose data, and when, and repeated failed code attempts"
    )
    audit_parser.add_argument("--person", type=int, help="only views of this person's data")
    audit_parser.add_argument("--since", default="30d", help="how far back, e.g. 7d or 12h")
    audit_parser.add_argument("--limit", type=int, default=200, help="at most this many rows")
    audit_parser.set_defaults(handler=Lazy("bot.commands.mentoring", "audit_command"))

    oncall = subparsers.add_parser(
        "oncall", help="set (or show) the coordinator on duty, last on every escalation chain"
    )
    oncall.add_argument("person", type=int, nargs="?", help="the coordinator's person id")
    oncall.add_argument("--clear", action="store_true", help="nobody on duty")
    oncall.set_defaults(handler=Lazy("bot.commands.mentoring", "oncall_command"))

    capacity = subparsers.add_parser("capacity", help="set one mentor's limit of mentees")
    capacity.add_argument("mentor", type=int, help="the mentor's person id")
    capacity.add_argument("limit", help='a number, or "default" for [mentoring] max_mentees')
    capacity.set_defaults(handler=Lazy("bot.commands.mentoring", "capacity_command"))
