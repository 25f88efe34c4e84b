"""The circle set-up's saved state and buttons, shared by `/circle create` and `/circle edit`."""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.circles.common import CREATE_FLOW
from handlers.routes import Route


@dataclass(frozen=True, slots=True)
class CircleDraft:
    """What the guided set-up has gathered so far (and, for ``/circle edit``, which circle).

    Saved with the conversation after every answer, so a restart resumes at the question.
    ``venue`` is the chat ``/circle create`` was sent in (``p``latform, ``c``hat, ``t``hread).
    """

    mode: str = "create"
    venue: dict[str, str | None] | None = None
    circle_id: int | None = None
    title: str = ""
    desc: str = ""
    guide: str = ""
    days: list[int] = field(default_factory=list)
    time: str = ""
    zone: str = ""
    repeat: str = ""
    minutes: int = 0
    capacity: int | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class AnswerPress:
    """A button of the set-up: ``cc:<step>:<value>`` (``menu`` and ``confirm`` included)."""

    step: str
    value: str


ANSWER = Route(CREATE_FLOW, "{step}:{value}", AnswerPress)
