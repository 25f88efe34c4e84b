"""Data rights: ``/mydata`` (the export), ``/deleteme`` (the erasure) and the retention purge."""

from __future__ import annotations

from handlers.context import Capability
from handlers.privacy import commands, data

CAPABILITY = Capability.combine(
    "privacy",
    [commands.CAPABILITY, Capability(due_handlers={data.LEFT_NOTICE: data.run_left_notice})],
)

__all__ = ["CAPABILITY"]
