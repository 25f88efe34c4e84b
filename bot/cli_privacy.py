"""The parsers of the coordinator's data-rights commands: ``peerbot export``, ``erase``,
``purge``, ``rotate-key`` and ``new-data-key`` (what they do: :mod:`bot.commands.privacy`).

Standard library only at the top: see :mod:`bot.commands`.
"""

from __future__ import annotations

from typing import Any

from bot.commands import Lazy

DEFAULT_OLD_KEY_ENV = "PEERBOT_DATA_KEY_OLD"


def add_commands(subparsers: Any) -> None:
    export = subparsers.add_parser(
        "export", help="write everything stored about a person as JSON (a data access request)"
    )
    export.add_argument("person", type=int, help="the person's id (peerbot roster)")
    export.add_argument("--out", help="write to this file instead of standard output")
    export.set_defaults(handler=Lazy("bot.commands.privacy", "export_command"))

    erase = subparsers.add_parser(
        "erase", help="erase everything stored about a person, as /deleteme does"
    )
    erase.add_argument("person", type=int, help="the person's id (peerbot roster)")
    erase.add_argument("--yes", action="store_true", help="really erase (it cannot be undone)")
    erase.set_defaults(handler=Lazy("bot.commands.privacy", "erase_command"))

    purge = subparsers.add_parser(
        "purge", help="delete now what [privacy] retention no longer keeps (runs daily anyway)"
    )
    purge.set_defaults(handler=Lazy("bot.commands.privacy", "purge_command"))

    rotate = subparsers.add_parser(
        "rotate-key", help="re-encrypt stored free text with the key in PEERBOT_DATA_KEY"
    )
    rotate.add_argument(
        "--old-key-env",
        default=DEFAULT_OLD_KEY_ENV,
        help=f"the variable holding the previous key (default {DEFAULT_OLD_KEY_ENV})",
    )
    rotate.set_defaults(handler=Lazy("bot.commands.privacy", "rotate_key_command"))

    new_key = subparsers.add_parser("new-data-key", help="print a new key for PEERBOT_DATA_KEY")
    new_key.set_defaults(
        handler=Lazy("bot.commands.privacy", "new_data_key_command"), needs_config=False
    )
