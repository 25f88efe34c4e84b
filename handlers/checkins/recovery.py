"""The date a person counts their recovery from: read from what they type, and set.

Onboarding asks for it (optional), ``/settings`` changes it, and ``/reset DATE`` moves the
current streak. Any past date is accepted: someone with 14 months joins at day 430, not day 1.

Two dates are kept: the journey start (the earliest date the person counts from) and the
streak start (the current run). How each command moves them:

* ``/reset DATE`` (a new streak, usually after a relapse): the streak starts on DATE; the
  journey start moves back with it if DATE is earlier, and never forward.
* ``/settings`` and onboarding (the date you count from): the same, except that while the
  two dates are one (no relapse since the journey began, or none set yet) both move, so a
  typo can always be put right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from handlers.checkins import texts
from handlers.context import Context
from handlers.profile import DateStyle, format_date
from handlers.texts import timing as timing_texts
from handlers.timing import TimingError, parse_local_date
from storage.people import Person

EARLIEST = date(1900, 1, 1)
"""Dates before this are a typo, not a recovery date."""


@dataclass(frozen=True, slots=True)
class RecoveryDates:
    """A person's journey and streak starts after a change."""

    journey_start: date
    streak_start: date


def read_recovery_date(text: str, today: date) -> date | str:
    """The date typed, or the kind sentence asking again (never echoing what was typed).

    Numeric dates with the day and month in either order ("10/1/2025") are refused with an
    example rather than guessed: in the US that is 1 October, in most other places 10 January,
    and a wrong guess would show the person a wrong count every day.
    """
    try:
        day = parse_local_date(text, today)
    except TimingError as err:
        if str(err) == timing_texts.DATE_ORDER_AMBIGUOUS:
            return texts.RECOVERY_DATE_AMBIGUOUS
        if str(err) == timing_texts.DATE_DOES_NOT_EXIST:
            return texts.RECOVERY_DATE_NO_SUCH_DAY
        return texts.RECOVERY_DATE_NOT_UNDERSTOOD
    if day > today:
        return texts.RECOVERY_DATE_FUTURE
    if day < EARLIEST:
        return texts.RECOVERY_DATE_TOO_EARLY
    return day


def moved(person: Person, start: date, *, correction: bool) -> RecoveryDates:
    """The journey and streak starts once the person counts from ``start`` (see the module
    docstring): ``correction`` for onboarding and /settings, not for /reset."""
    journey, streak = person.journey_start, person.streak_start
    if journey is None or (correction and (streak is None or streak == journey)):
        return RecoveryDates(start, start)
    return RecoveryDates(min(journey, start), start)


async def set_recovery_date(
    ctx: Context, person: Person, start: date, *, correction: bool
) -> RecoveryDates:
    """Store the person's new starts (see :func:`moved`); returns them."""
    dates = moved(person, start, correction=correction)
    await ctx.storage.set_streak(
        person.id, journey_start=dates.journey_start, streak_start=dates.streak_start
    )
    return dates


def show_date(day: date) -> str:
    return format_date(day, DateStyle.DAY_MONTH_YEAR_LONG)


def day_number(start: date, today: date) -> int:
    """Which day of recovery ``today`` is: the start date is day 1."""
    return (today - start).days + 1


def counted_from(start: date, today: date) -> str:
    """The sentence confirming a recovery date, with the day ``today`` is."""
    return texts.RECOVERY_DATE_SET.format(date=show_date(start), days=day_number(start, today))
