"""Data rights: ``/mydata`` (the export), ``/deleteme`` (the erasure) and the retention purge."""

from __future__ import annotations

from handlers.context import Capability
from handlers.privacy import commands

CAPABILITY = Capability.combine("privacy", [commands.CAPABILITY])

__all__ = ["CAPABILITY"]
