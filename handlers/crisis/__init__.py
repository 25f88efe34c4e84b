"""The crisis screen and reply, and the safety plan.

``assess(text)`` is the phrase screen (:mod:`handlers.crisis.screen`), the fast first net,
and :mod:`handlers.crisis.model` the learned second stage; ``respond`` builds the reply
with the region's resources (:mod:`handlers.crisis.reply`); :class:`SafetyQuestion` asks the
person directly when the verdict is ``possible`` (:mod:`handlers.crisis.ask`). The kernel's
dispatcher reaches them through :class:`handlers.screening.SafetyNet`, built in
``handlers.app``.

The registration record is made by :func:`capability` from the safety question, because the
question's answers raise alerts through a port the composition root fills in (alerts belong to
mentoring, which uses this package).
"""

from __future__ import annotations

from handlers.context import Capability
from handlers.crisis import model, safety_plan
from handlers.crisis.ask import AlertPerson, SafetyQuestion
from handlers.crisis.reply import crisis_line, crisis_reply, respond
from handlers.crisis.screen import CATEGORIES, assess, assess_every_locale
from handlers.screening import CrisisAssessment


def capability(question: SafetyQuestion) -> Capability:
    """The crisis capability's record, with ``question`` answering its buttons and deadlines."""
    return Capability.combine(
        "crisis",
        [safety_plan.CAPABILITY, question.capability()],
        ledger_kinds=question.ledger_kinds,
    )


__all__ = [
    "CATEGORIES",
    "AlertPerson",
    "CrisisAssessment",
    "SafetyQuestion",
    "assess",
    "assess_every_locale",
    "capability",
    "crisis_line",
    "crisis_reply",
    "model",
    "respond",
]
