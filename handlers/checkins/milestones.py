"""Milestones of a streak, and which of them to celebrate.

The rule (see also ``storage/sqlite/migrations/0016_milestones.sql``):

* Day milestones count days with the first day as day 1 (``7d`` is reached on the streak's
  seventh day); year milestones are anniversaries of the start date (``1y`` on the same
  date a year later; a start on 29 February has its anniversary on 28 February).
* Each milestone of a streak is celebrated once: storage records it, so a second check-in on
  the same day, or a later one, never repeats it.
* A check-in celebrates the largest milestone reached and not yet celebrated, and records
  every reached one: a backdated recovery date (14 months ago) celebrates the one year the
  person actually has, not "your first day" and then "one week" a week later.
* A streak is known by the date it began: after a relapse (a reported use, or ``/reset`` to a
  new date), its milestones count again from the new date, as recovery programs do. The day
  a relapse is reported records its first day without a cheer (the reply says "day 1 again").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from handlers.checkins import texts

DAY_MILESTONES = (1, 7, 14, 30, 60, 90, 180)


@dataclass(frozen=True, slots=True)
class Milestone:
    """One milestone: its stored key, its rank (days it stands for) and its cheer."""

    key: str
    rank: int
    cheer: str


def anniversary(start: date, years: int) -> date:
    """``start`` plus ``years`` calendar years; 29 February falls on the 28th."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a year without one
        return start.replace(year=start.year + years, day=28)


def reached(start: date, today: date) -> list[Milestone]:
    """Every milestone of the streak begun on ``start`` reached by ``today``, smallest first."""
    found = [
        Milestone(f"{days}d", days, texts.CELEBRATE[days])
        for days in DAY_MILESTONES
        if start + timedelta(days=days - 1) <= today
    ]
    years = 1
    while anniversary(start, years) <= today:
        cheer = texts.CELEBRATE_ONE_YEAR if years == 1 else texts.CELEBRATE_YEARS
        found.append(Milestone(f"{years}y", years * 366, cheer.format(years=years)))
        years += 1
    return found


def largest_new(milestones: list[Milestone], new: frozenset[str]) -> Milestone | None:
    """The largest of ``milestones`` whose key is in ``new`` (just recorded), if any."""
    fresh = [m for m in milestones if m.key in new]
    return max(fresh, key=lambda m: m.rank) if fresh else None
