"""Safety outranks everything: the crisis screening every text passes, and its port.

Every incoming text passes the screen before any flow sees it. The kernel states that rule
(:class:`handlers.dispatcher.Dispatcher` applies it); the crisis capability supplies the
screen and the reply, and the mentoring capability the alert, through :class:`SafetyNet`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from handlers.context import Context
from handlers.messaging import IncomingEvent, OutgoingMessage


@dataclass(frozen=True, slots=True)
class CrisisAssessment:
    """The screen's verdict on one message.

    ``matched`` is the name of the phrase-list entry that fired (e.g. ``"kill_myself"``),
    never text from the message. ``is_crisis`` is true exactly when ``category`` is set.
    """

    is_crisis: bool
    category: str | None
    matched: str | None


NOT_CRISIS: Final = CrisisAssessment(is_crisis=False, category=None, matched=None)


CrisisReply = Callable[[Context, IncomingEvent, CrisisAssessment, bool], Awaitable[OutgoingMessage]]
"""Builds the reply to a hit: the resources at once; the flag says whether a mentor was told."""

CrisisAlert = Callable[[Context, IncomingEvent, CrisisAssessment], Awaitable[bool]]
"""Alerts the person's helpers on a hit; returns whether a mentor was alerted."""


@dataclass(frozen=True, slots=True)
class SafetyNet:
    """What the dispatcher calls on every text: ``assess`` it, and on a hit ``alert`` the
    person's helpers and ``reply`` with the crisis resources."""

    assess: Callable[[str], CrisisAssessment]
    reply: CrisisReply
    alert: CrisisAlert | None = None
