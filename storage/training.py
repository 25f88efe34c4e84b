"""The training area of the storage interface: the courses mentors took and the supervision
sessions they had.

Course, provider and supervisor names are free text, encrypted at rest when a data key is set.
A supervision session keeps its date, the supervisor's name and its length: never what was said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Training:
    id: int
    person_id: int
    course: str
    provider: str
    completed_on: date
    hours: float
    expires_on: date | None
    logged_at: datetime


@dataclass(frozen=True, slots=True)
class Supervision:
    id: int
    person_id: int
    held_on: date
    supervisor: str
    minutes: int
    logged_at: datetime


class TrainingStore(Protocol):
    """Mentors' trainings and supervision sessions."""

    async def log_training(
        self,
        person_id: int,
        *,
        course: str,
        provider: str,
        completed_on: date,
        hours: float,
        expires_on: date | None,
        now: datetime,
    ) -> Training: ...

    async def get_training(self, training_id: int) -> Training | None: ...

    async def trainings_of(self, person_id: int) -> list[Training]:
        """Newest first (by the day it was completed)."""
        ...

    async def delete_training(self, person_id: int, training_id: int) -> bool:
        """Remove one of the person's own entries (a mistake); False if it is not theirs."""
        ...

    async def log_supervision(
        self, person_id: int, *, held_on: date, supervisor: str, minutes: int, now: datetime
    ) -> Supervision: ...

    async def supervision_of(self, person_id: int, since: date | None = None) -> list[Supervision]:
        """Sessions held on or after ``since`` (all without it), newest first."""
        ...
