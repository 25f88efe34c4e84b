"""The crisis screen's public face: ``assess`` and the reply a hit gets.

The screen itself (phrase lists per locale, normalisation) lives in
:mod:`handlers.crisis_screen`; this module turns an assessment into what the person sees.
"""

from __future__ import annotations

from handlers.crisis_screen import CATEGORIES, CrisisAssessment, assess
from handlers.messaging import OutgoingMessage
from handlers.program import ProgramSettings
from handlers.texts import crisis as texts

__all__ = ["CATEGORIES", "CrisisAssessment", "assess", "crisis_line", "crisis_reply"]


def crisis_line(program: ProgramSettings, region: str | None = None) -> str:
    """The first resource in one line, for welcomes and /help footers."""
    first = program.crisis.resources_for(region)[0]
    return f"{first.name}, {first.contact}"


def crisis_reply(
    program: ProgramSettings,
    assessment: CrisisAssessment | None = None,
    *,
    mentor_alerted: bool = False,
    region: str | None = None,
) -> OutgoingMessage:
    """The whole crisis answer in one message: resources first, then hope, then next steps."""
    lines = [texts.CRISIS_OPENING]
    lines += [
        texts.CRISIS_RESOURCE_LINE.format(name=r.name, contact=r.contact)
        for r in program.crisis.resources_for(region)
    ]
    if assessment is not None and assessment.category == "overdose":
        lines.append(texts.CRISIS_OVERDOSE)
    lines.append(texts.CRISIS_HOPE)
    lines.append(texts.CRISIS_MENTOR_ALERTED if mentor_alerted else texts.CRISIS_NO_MENTOR_YET)
    return OutgoingMessage("\n".join(lines))
