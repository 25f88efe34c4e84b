"""What each ``peerbot`` command runs, imported only when that command runs.

The parsers (``bot/cli.py`` and ``bot/cli_*.py``) import only the standard library, so
``peerbot --help`` and ``peerbot COMMAND --help`` load no part of the core (which brings numpy
with the crisis model, aiosqlite, cryptography...). A parser names its command's function here
by module and name, ``handler=Lazy("bot.commands.report", "report_command")``, and that module
is imported when the command is run. ``tests/test_import_weight.py`` checks both halves: help
imports none of the heavy libraries, and every ``Lazy`` names a function that exists.
"""

from __future__ import annotations

import importlib
from argparse import Namespace
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Config


@dataclass(frozen=True, slots=True)
class Lazy:
    """A command's handler, ``async (config, args) -> exit status``, named rather than
    imported: ``module`` is imported when the command runs."""

    module: str
    function: str

    async def __call__(self, config: Config | None, args: Namespace) -> int:
        handler = getattr(importlib.import_module(self.module), self.function)
        return int(await handler(config, args))
