"""The crisis screen and reply, and the safety plan.

``assess(text)`` is the screen (:mod:`handlers.crisis.screen`); ``respond`` builds the reply
with the region's resources (:mod:`handlers.crisis.reply`). The kernel's dispatcher reaches
them through :class:`handlers.screening.SafetyNet`, built in ``handlers.app``.
"""

from __future__ import annotations

from handlers.context import Capability
from handlers.crisis import safety_plan
from handlers.crisis.reply import crisis_line, crisis_reply, respond
from handlers.crisis.screen import CATEGORIES, assess
from handlers.screening import CrisisAssessment

CAPABILITY = Capability.combine("crisis", [safety_plan.CAPABILITY])

__all__ = [
    "CAPABILITY",
    "CATEGORIES",
    "CrisisAssessment",
    "assess",
    "crisis_line",
    "crisis_reply",
    "respond",
]
