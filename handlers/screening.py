"""Safety outranks everything: the crisis screening every text passes, and its port.

Every incoming text passes the screen before any flow sees it. The kernel states that rule
(:class:`handlers.dispatcher.Dispatcher` applies it); the crisis capability supplies the
screen and the reply, and the mentoring capability the alert, through :class:`SafetyNet`.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from handlers.context import Context
from handlers.messaging import IncomingEvent, OutgoingMessage


class Level(enum.StrEnum):
    """How strongly a message signals a crisis."""

    NONE = "none"
    POSSIBLE = "possible"
    """Signals worth asking about directly and kindly ("Are you safe right now?")."""
    CRISIS = "crisis"
    """The crisis reply at once: resources, the safety plan, an urgent alert."""


@dataclass(frozen=True, slots=True)
class CrisisAssessment:
    """The screen's verdict on one message.

    ``matched`` is the name of the phrase-list entry (or model stage) that fired (e.g.
    ``"kill_myself"``), never text from the message; ``category`` is set when ``level`` is
    not ``NONE``.
    """

    level: Level
    category: str | None
    matched: str | None

    @property
    def is_crisis(self) -> bool:
        return self.level is Level.CRISIS

    @property
    def flagged(self) -> bool:
        """Anything but ``NONE``: worth a crisis reply or a direct question."""
        return self.level is not Level.NONE


NOT_CRISIS: Final = CrisisAssessment(Level.NONE, category=None, matched=None)


class Told(enum.Enum):
    """Who on the team an alert reached, so the reply says exactly that and no more."""

    MENTOR = "mentor"
    """Their mentor or backup mentor."""
    COORDINATOR = "coordinator"
    """No mentor, but a coordinator (or every coordinator, with nobody on duty)."""
    NOBODY = "nobody"
    """Nobody: no person yet, nobody on the team to reach, or the alert failed."""


CrisisReply = Callable[[Context, IncomingEvent, CrisisAssessment, Told], Awaitable[OutgoingMessage]]
"""Builds the reply to a hit: the resources at once, and who on the team was told."""

CrisisAlert = Callable[[Context, IncomingEvent, CrisisAssessment], Awaitable[Told]]
"""Alerts the person's helpers on a hit; returns who on the team was told."""

CrisisAsk = Callable[[Context, IncomingEvent, CrisisAssessment], Awaitable[list[OutgoingMessage]]]
"""On a ``possible`` verdict: asks the person directly, with the resources; never raises."""


@dataclass(frozen=True, slots=True, eq=False)
class Late:
    """A second-stage verdict that was not ready while the person's turn waited for it.

    The turn goes on with the phrase screen's verdict; ``wait()`` gives the stage's verdict when
    it is ready (or ``None`` if it gives up, within a bound the stage sets), so the dispatcher
    can still act on it: a message that needed the resources gets them a few seconds late
    rather than never."""

    wait: Callable[[], Awaitable[CrisisAssessment | None]]


SecondStage = Callable[[str], Awaitable[CrisisAssessment | Late | None]]
"""A slower, learned screen run after the phrase screen on the same text: its verdict,
:class:`Late` when it is still working on it, or ``None`` when it has none to give (not loaded,
failed; it logs why)."""


@dataclass(frozen=True, slots=True)
class SafetyNet:
    """What the dispatcher calls on every text: ``assess`` it (the phrase screen, then the
    ``second`` stage if there is one), and on a hit ``alert`` the person's helpers and
    ``reply`` with the crisis resources; on a ``possible`` verdict, ``ask`` the person
    (without ``ask``, a ``possible`` verdict gets the crisis reply)."""

    assess: Callable[[str], CrisisAssessment]
    reply: CrisisReply
    alert: CrisisAlert | None = None
    ask: CrisisAsk | None = None
    second: SecondStage | None = None

    async def screen(self, text: str, late: list[Late] | None = None) -> CrisisAssessment:
        """Both stages over all of ``text`` (see :func:`screen`)."""
        return await screen(self.assess, text, self.second, late)


_RANK: Final = {Level.NONE: 0, Level.POSSIBLE: 1, Level.CRISIS: 2}


def stronger(first: CrisisAssessment, second: CrisisAssessment) -> CrisisAssessment:
    """The verdict with the higher level (``first`` on a tie)."""
    return second if _RANK[second.level] > _RANK[first.level] else first


def combine(phrase: CrisisAssessment, model: CrisisAssessment | None) -> CrisisAssessment:
    """The two stages' verdicts as one: the phrase screen's ``CRISIS`` always stands (and so
    does its verdict when the model has none); otherwise the higher of the two levels."""
    if phrase.is_crisis or model is None:
        return phrase
    return stronger(phrase, model)


SCREEN_CHUNK = 4_000
"""Texts longer than this (more than any platform sends in one message) are screened in
overlapping chunks of this size with the event loop free between them, so a 100 KB payload
never holds everyone else's turn for the ~200 ms one pass over it takes."""
SCREEN_OVERLAP = 400
"""Each chunk repeats the end of the one before: more than a phrase plus the context the screen
reads around it, so a phrase across a boundary is seen whole in one chunk."""


async def screen(
    assess: Callable[[str], CrisisAssessment],
    text: str,
    second: SecondStage | None = None,
    late: list[Late] | None = None,
) -> CrisisAssessment:
    """``assess`` (and ``second``, when given, unless the phrase screen already says crisis)
    over all of ``text``, never skipping any of it, in bounded steps; the first chunk that
    looks like a crisis answers, otherwise the strongest verdict of any chunk. Second-stage
    verdicts that are not ready in time are appended to ``late`` (when given) for the caller
    to follow up; the verdict returned is then the phrase screen's for those chunks."""
    if len(text) <= SCREEN_CHUNK:
        return await _both(assess, text, second, late)
    found = NOT_CRISIS
    for start in range(0, len(text), SCREEN_CHUNK - SCREEN_OVERLAP):
        chunk = text[start : start + SCREEN_CHUNK]
        found = stronger(found, await _both(assess, chunk, second, late))
        if found.is_crisis:
            return found
        await asyncio.sleep(0)  # let other people's turns run between chunks
    return found


async def _both(
    assess: Callable[[str], CrisisAssessment],
    text: str,
    second: SecondStage | None,
    late: list[Late] | None,
) -> CrisisAssessment:
    phrase = assess(text)
    if phrase.is_crisis or second is None:
        return phrase
    model = await second(text)
    if isinstance(model, Late):
        if late is not None:
            late.append(model)
        return phrase
    return combine(phrase, model)
