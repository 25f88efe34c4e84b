"""Matching mentees with mentors: the optional profiles (``/profile``), the ranked suggestions
with their reasons, and the coordinator's approval (``/match``, ``peerbot match --suggest``)."""

from __future__ import annotations

from handlers.context import Capability
from handlers.matching import preferences, suggest

CAPABILITY = Capability.combine("matching", [preferences.CAPABILITY, suggest.CAPABILITY])

__all__ = ["CAPABILITY"]
