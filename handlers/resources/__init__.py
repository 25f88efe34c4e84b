"""The local resource directory: ``/resources`` for everyone, and a mentor sending one on."""

from __future__ import annotations

from handlers.context import Capability
from handlers.resources import browse, sending

CAPABILITY = Capability.combine("resources", [browse.CAPABILITY, sending.CAPABILITY])

__all__ = ["CAPABILITY"]
