"""A person's account: onboarding (``/start``, ``/join``), ``/settings`` and pausing,
linking a second platform (``/link``), who may add the bot to a group, and ``/help``."""

from __future__ import annotations

from handlers.account import help, linking, onboarding, settings
from handlers.context import Capability

CAPABILITY = Capability.combine(
    "account",
    [onboarding.CAPABILITY, settings.CAPABILITY, linking.CAPABILITY, help.CAPABILITY],
)

__all__ = ["CAPABILITY"]
