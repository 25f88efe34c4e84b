"""Goals: what a person is working towards, broken into steps they tick off.

The rows here are independent of any backend, like those in the other area modules.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


class GoalTerm(enum.StrEnum):
    SHORT = "short"
    LONG = "long"


@dataclass(frozen=True, slots=True)
class GoalStep:
    id: int
    position: int
    title: str
    done_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True, slots=True)
class Goal:
    id: int
    person_id: int
    title: str
    term: GoalTerm
    created_at: datetime
    target_date: date | None = None
    completed_at: datetime | None = None
    set_aside_at: datetime | None = None
    steps: tuple[GoalStep, ...] = ()

    @property
    def open(self) -> bool:
        return self.completed_at is None and self.set_aside_at is None

    @property
    def steps_done(self) -> int:
        return sum(1 for step in self.steps if step.done)


@dataclass(frozen=True, slots=True)
class GoalComment:
    id: int
    goal_id: int
    author_id: int | None
    text: str
    created_at: datetime


class GoalStore(Protocol):
    """Goals, their steps and comments, and the weekly review day."""

    async def create_goal(
        self,
        person_id: int,
        *,
        title: str,
        term: GoalTerm,
        target_date: date | None,
        steps: Sequence[str],
        now: datetime,
    ) -> Goal: ...

    async def get_goal(self, goal_id: int) -> Goal | None: ...

    async def goals_of(self, person_id: int, *, include_closed: bool = False) -> list[Goal]:
        """Open goals, oldest first (with ``include_closed``, done and set-aside ones too)."""
        ...

    async def set_step_done(self, goal_id: int, step_id: int, done: bool, now: datetime) -> Goal:
        """Tick or untick one step; the goal is complete exactly when every step is ticked.

        Raises ``KeyError`` if the step is not one of the goal's.
        """
        ...

    async def set_goal_done(self, goal_id: int, done: bool, now: datetime) -> Goal:
        """Mark a goal done (or not yet) by hand, e.g. one without steps."""
        ...

    async def set_goal_aside(self, goal_id: int, now: datetime) -> bool:
        """Let an open goal go; False if it was not open."""
        ...

    async def add_goal_comment(
        self, goal_id: int, author_id: int | None, text: str, now: datetime
    ) -> GoalComment: ...

    async def comments_of(self, goal_id: int) -> list[GoalComment]:
        """Oldest first."""
        ...

    async def goal_review_day(self, person_id: int) -> int | None:
        """The weekday (0 = Monday) of the person's weekly goal review, or None."""
        ...

    async def set_goal_review_day(
        self, person_id: int, weekday: int | None, now: datetime
    ) -> None: ...
