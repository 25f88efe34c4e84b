"""How goals look in chat: the progress bar, one-line summaries and the goal's card.

Pure formatting, shared by ``/goals`` (:mod:`handlers.goals.flow`) and the weekly review
(:mod:`handlers.goals.review`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from handlers.goals import texts
from handlers.messaging import Button, OutgoingMessage
from handlers.profile import DateStyle, format_date
from handlers.routes import Route
from storage.goals import Goal, GoalComment, GoalTerm

FLOW = "gl"
"""The goals flow: the conversation state's flow name and the buttons' payload prefix."""


@dataclass(frozen=True, slots=True)
class ShowPress:
    """Show this goal's card."""

    goal: int


@dataclass(frozen=True, slots=True)
class TickPress:
    """Tick (or untick) one step of a goal."""

    goal: int
    step: int


@dataclass(frozen=True, slots=True)
class DonePress:
    """Mark a goal without steps reached (or not reached)."""

    goal: int


@dataclass(frozen=True, slots=True)
class DropPress:
    """Set a goal aside: asks first."""

    goal: int


@dataclass(frozen=True, slots=True)
class DropOkPress:
    """Yes, set it aside."""

    goal: int


@dataclass(frozen=True, slots=True)
class ReviewDayPress:
    """The weekly review's day: ``0`` (Monday) to ``6``, or ``off``."""

    day: str


@dataclass(frozen=True, slots=True)
class CancelPress:
    """Never mind: stop adding this goal."""


@dataclass(frozen=True, slots=True)
class TermPress:
    """Short- or long-term (a :class:`GoalTerm` value)."""

    term: str


@dataclass(frozen=True, slots=True)
class NoDatePress:
    """No target date."""


@dataclass(frozen=True, slots=True)
class StepsDonePress:
    """No (more) steps: save the goal."""


SHOW = Route(FLOW, "show:{goal}", ShowPress)
TICK = Route(FLOW, "tick:{goal}:{step}", TickPress)
DONE = Route(FLOW, "done:{goal}", DonePress)
DROP = Route(FLOW, "drop:{goal}", DropPress)
DROP_OK = Route(FLOW, "dropok:{goal}", DropOkPress)
REVIEW_DAY = Route(FLOW, "rday:{day}", ReviewDayPress)
CANCEL = Route(FLOW, "cancel:", CancelPress)
TERM = Route(FLOW, "term:{term}", TermPress)
NO_DATE = Route(FLOW, "date:", NoDatePress)
STEPS_DONE = Route(FLOW, "steps:", StepsDonePress)
ROUTES: tuple[Route[Any], ...] = (
    SHOW,
    TICK,
    DONE,
    DROP,
    DROP_OK,
    REVIEW_DAY,
    CANCEL,
    TERM,
    NO_DATE,
    STEPS_DONE,
)
"""Every goals button; the routes are told apart by their press's class."""

BAR_WIDTH = 10
MAX_LABEL_CHARS = 40


def progress_bar(done: int, total: int) -> str:
    """``▓▓▓░░ 3/5``: one cell per step (scaled to ten cells for longer lists)."""
    if total <= 0:
        return ""
    cells = min(total, BAR_WIDTH)
    filled = round(done / total * cells)
    if 0 < done < total:
        filled = min(max(filled, 1), cells - 1)  # some progress shows; unfinished never looks full
    return f"{'▓' * filled}{'░' * (cells - filled)} {done}/{total}"


def goal_bar(goal: Goal) -> str:
    if goal.steps:
        return progress_bar(goal.steps_done, len(goal.steps))
    return progress_bar(1 if goal.completed_at else 0, 1)


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…"


def show_date(day: date) -> str:
    return format_date(day, DateStyle.WEEKDAY_DAY_MONTH_YEAR)


def goal_card(
    goal: Goal, today: date, comments: list[GoalComment], names: dict[int, str]
) -> OutgoingMessage:
    """The goal with its steps as toggle buttons and its bar; comments below."""
    term = texts.SHORT_LABEL if goal.term is GoalTerm.SHORT else texts.LONG_LABEL
    facts = [term]
    if goal.target_date is not None:
        passed = goal.target_date < today and goal.completed_at is None
        template = texts.TARGET_PASSED if passed else texts.TARGET
        facts.append(template.format(date=show_date(goal.target_date)))
    lines = [f"*{goal.title}*", " · ".join(facts), goal_bar(goal)]
    if goal.completed_at is not None:
        lines.append(texts.REACHED_ON.format(date=show_date(goal.completed_at.date())))
    for comment in comments:
        name = names.get(comment.author_id or 0) or texts.SOMEONE
        lines.append(texts.COMMENT_LINE.format(name=name, text=comment.text))
    buttons = []
    for step in goal.steps:
        mark = texts.STEP_DONE_MARK if step.done else texts.STEP_OPEN_MARK
        buttons.append(TICK.button(_label(f"{mark} {step.title}"), TickPress(goal.id, step.id)))
    if not goal.steps:
        label = texts.MARK_NOT_DONE if goal.completed_at else texts.MARK_DONE
        buttons.append(DONE.button(label, DonePress(goal.id)))
    if goal.open:
        buttons.append(DROP.button(texts.SET_ASIDE, DropPress(goal.id)))
    lines.append(texts.CARD_FOOTER if goal.steps else texts.CARD_FOOTER_NO_STEPS)
    return OutgoingMessage.with_buttons("\n".join(lines), buttons, per_row=1)


def goal_buttons(goals: list[Goal]) -> list[Button]:
    return [SHOW.button(_label(f"{n}. {g.title}"), ShowPress(g.id)) for n, g in enumerate(goals, 1)]


def goal_lines(goals: list[Goal]) -> list[str]:
    return [
        texts.LIST_LINE.format(number=n, title=g.title, bar=goal_bar(g))
        for n, g in enumerate(goals, start=1)
    ]
