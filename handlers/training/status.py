"""Where a mentor stands against the program's ``[training]`` requirements: pure, no I/O.

A required course is *lapsed* when its latest entry has expired, *missing* when there is none;
any other logged course whose latest entry expired is *expired*; any course is *expiring* when
its latest entry expires within ``SOON``. Hours count trainings completed
in the last 365 days, supervision the sessions of the last 30 days. The standing is ``lapsed``
when any required course lapsed, ``due`` when anything else is missing, expired, short or
soon, else ``ok``.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from handlers.program import TrainingSettings
from storage.training import Supervision, Training

SOON = timedelta(days=30)
HOURS_WINDOW = timedelta(days=365)
SUPERVISION_WINDOW = timedelta(days=30)


class Standing(enum.StrEnum):
    OK = "ok"
    DUE = "due"
    LAPSED = "lapsed"


@dataclass(frozen=True, slots=True)
class TrainingStatus:
    standing: Standing
    lapsed: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    expired: tuple[str, ...] = ()
    """Courses the program does not require whose latest entry expired (worth renewing)."""
    expiring: tuple[tuple[str, date], ...] = ()
    hours: float = 0.0
    hours_needed: float = 0.0
    supervision: int = 0
    supervision_needed: int = 0

    @property
    def hours_short(self) -> bool:
        return self.hours < self.hours_needed

    @property
    def supervision_short(self) -> bool:
        return self.supervision < self.supervision_needed


def _key(course: str) -> str:
    return " ".join(course.casefold().split())


def latest_by_course(trainings: Sequence[Training]) -> dict[str, Training]:
    """Each course's latest entry (by completion day), keyed by its folded name."""
    latest: dict[str, Training] = {}
    for entry in trainings:
        key = _key(entry.course)
        if key not in latest or entry.completed_on > latest[key].completed_on:
            latest[key] = entry
    return latest


def training_status(
    trainings: Sequence[Training],
    supervision: Sequence[Supervision],
    settings: TrainingSettings,
    today: date,
) -> TrainingStatus:
    latest = latest_by_course(trainings)
    lapsed: list[str] = []
    missing: list[str] = []
    expired: list[str] = []
    expiring: list[tuple[str, date]] = []
    required = {_key(course): course for course in settings.required}
    for course in settings.required:
        if _key(course) not in latest:
            missing.append(course)
    for key, entry in sorted(latest.items()):
        name = required.get(key, entry.course)
        if entry.expires_on is None:
            continue
        if entry.expires_on < today:
            (lapsed if key in required else expired).append(name)
        elif entry.expires_on - today <= SOON:
            expiring.append((name, entry.expires_on))
    hours = sum(t.hours for t in trainings if today - t.completed_on < HOURS_WINDOW)
    sessions = sum(1 for s in supervision if today - s.held_on < SUPERVISION_WINDOW)
    standing = Standing.OK
    short = hours < settings.hours_per_year or sessions < settings.supervision_per_month
    if lapsed:
        standing = Standing.LAPSED
    elif missing or expired or expiring or short:
        standing = Standing.DUE
    return TrainingStatus(
        standing,
        tuple(lapsed),
        tuple(missing),
        tuple(expired),
        tuple(expiring),
        round(hours, 2),
        settings.hours_per_year,
        sessions,
        settings.supervision_per_month,
    )
