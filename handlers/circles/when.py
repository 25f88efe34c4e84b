"""When a circle meets: its dated occurrences in UTC, DST-correct, and how times are shown.

A circle meets at a local time of day on some weekdays, in a named zone, once, weekly or every
other week from its start date. Each occurrence is computed from the local date with
:func:`handlers.timing.next_checkin_due`, so it keeps its local time across DST changes, and a
local time that does not exist that day (spring forward) moves to the moment the gap ends.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.circles import texts
from handlers.i18n import with_english
from handlers.profile import format_time
from handlers.timing import is_valid_zone, next_checkin_due
from storage.circles import Circle, Recurrence

SEARCH_DAYS = 800
"""How far ahead a next occurrence is looked for (covers every other week for a year+)."""


@dataclass(frozen=True, slots=True)
class Slot:
    """One date a circle meets, and the instant it starts."""

    local_date: date
    starts_at: datetime
    moved: bool = False
    """The local time does not exist that day (a DST gap): it starts when the gap ends."""


def starts_at_on(day: date, at: time, zone: str) -> Slot | None:
    """When ``at`` on local date ``day`` in ``zone`` happens, or None if that date has none."""
    tz = ZoneInfo(zone)
    day_begins = datetime.combine(day, time(0, 0), tzinfo=tz)
    due = next_checkin_due(at, zone, day_begins - timedelta(microseconds=1))
    local = due.astimezone(tz)
    if local.date() != day:
        return None
    return Slot(day, due, moved=local.time().replace(tzinfo=None) != at)


def meets_on(circle: Circle, day: date) -> bool:
    """Whether ``day`` is one of the circle's dates (ignoring cancellations)."""
    if day < circle.start_date or day.weekday() not in circle.weekdays:
        return False
    if circle.recurrence is Recurrence.ONCE:
        return day == circle.start_date
    if circle.recurrence is Recurrence.BIWEEKLY:
        anchor = circle.start_date - timedelta(days=circle.start_date.weekday())
        return ((day - anchor).days // 7) % 2 == 0
    return True


def slots(circle: Circle, after: datetime) -> Iterator[Slot]:
    """The circle's dates starting strictly after ``after``, soonest first."""
    if not is_valid_zone(circle.zone):
        return
    if circle.recurrence is Recurrence.ONCE:
        only = starts_at_on(circle.start_date, circle.local_time, circle.zone)
        if only is not None and only.starts_at > after:
            yield only
        return
    first = max(after.astimezone(ZoneInfo(circle.zone)).date(), circle.start_date)
    for offset in range(-1, SEARCH_DAYS):
        day = first + timedelta(days=offset)
        if not meets_on(circle, day):
            continue
        slot = starts_at_on(day, circle.local_time, circle.zone)
        if slot is not None and slot.starts_at > after:
            yield slot


def first_date(weekdays: tuple[int, ...], at: time, zone: str, now: datetime) -> date:
    """The first local date on one of ``weekdays`` whose ``at`` is still ahead of ``now``."""
    today = now.astimezone(ZoneInfo(zone)).date()
    for offset in range(15):
        day = today + timedelta(days=offset)
        if day.weekday() not in weekdays:
            continue
        slot = starts_at_on(day, at, zone)
        if slot is not None and slot.starts_at > now:
            return day
    raise ValueError("no upcoming date")  # only if every date of two weeks does not exist


def first_gap(circle: Circle, after: datetime, within: timedelta) -> Slot | None:
    """The first upcoming occurrence whose local time falls in a DST gap, if any."""
    for slot in slots(circle, after):
        if slot.starts_at > after + within:
            return None
        if slot.moved:
            return slot
    return None


def gap_warning(circle: Circle, now: datetime) -> str | None:
    """Tell the facilitator if their time does not exist on one of the next year's dates."""
    gap = first_gap(circle, now, within=timedelta(days=366))
    if gap is None:
        return None
    return texts.TIME_GAP.format(
        date=show_date(gap.local_date),
        time=format_time(circle.local_time),
        zone_label=zone_label(circle.zone),
        moved_time=format_time(gap.starts_at.astimezone(ZoneInfo(circle.zone)).time()),
    )


# How times are shown ----------------------------------------------------------------------------


def zone_label(zone: str) -> str:
    """``"New York time"`` for America/New_York, ``"UTC"`` for UTC."""
    if zone in ("UTC", "Etc/UTC"):
        return "UTC"
    return texts.ZONE_TIME.format(place=zone.rsplit("/", 1)[-1].replace("_", " "))


def show_date(day: date) -> str:
    """``Tue 1 Dec``."""
    return texts.DATE.format(
        weekday=texts.WEEKDAYS_SHORT[day.weekday()],
        day=day.day,
        month=texts.MONTHS_SHORT[day.month - 1],
    )


def show_when(instant: datetime, zone: str, *, own_zone: bool = False) -> str:
    """``Tue 1 Dec, 7:00 pm New York time`` (or ``your time`` when it is the viewer's)."""
    local = instant.astimezone(ZoneInfo(zone) if is_valid_zone(zone) else UTC)
    return texts.WHEN.format(
        date=show_date(local.date()),
        time=format_time(local.time()),
        zone=texts.YOUR_TIME if own_zone else zone_label(zone),
    )


def show_days(weekdays: tuple[int, ...]) -> str:
    """``Tuesday`` or ``Monday and Thursday``."""
    names = [texts.WEEKDAYS[day] for day in sorted(weekdays)]
    if len(names) == 1:
        return names[0]
    return texts.AND.join([", ".join(names[:-1]), names[-1]])


def show_cadence(circle: Circle) -> str:
    if circle.recurrence is Recurrence.ONCE:
        return texts.CADENCE_ONCE
    template = texts.CADENCE_WEEKLY
    if circle.recurrence is Recurrence.BIWEEKLY:
        template = texts.CADENCE_BIWEEKLY
    return template.format(days=show_days(circle.weekdays))


def show_minutes(length: timedelta) -> str:
    """``45 min``, ``1 h``, ``1 h 30 min``."""
    minutes = max(0, round(length.total_seconds() / 60))
    hours, rest = divmod(minutes, 60)
    if not hours:
        return texts.MINUTES.format(minutes=rest)
    if not rest:
        return texts.HOURS.format(hours=hours)
    return texts.HOURS_MINUTES.format(hours=hours, minutes=rest)


_FILLERS = frozenset({"and", "on", "every", "each", "y", "e", "el", "los", "cada", "todos"})
"""Words between day names, in English and Spanish ("Mon and Thu", "lun y jue")."""


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace(".", "")


def parse_weekdays(text: str) -> tuple[int, ...]:
    """``"Tuesday"``, ``"tue"``, ``"Mon and Thu"``, ``"mon, wed"``, in the person's language
    or English (``"lun y jue"``); ValueError otherwise."""
    words = _plain(text).replace(",", " ").replace("&", " ").replace("/", " ").split()
    days: set[int] = set()
    names = [_plain(name) for name in texts.WEEKDAYS]  # the person's language (and English):
    english = [_plain(name) for name in with_english(texts, "WEEKDAYS")[1]]
    for word in words:
        if word in _FILLERS:
            continue
        word = word.removesuffix("s") if word.endswith("days") else word
        matches = [n for n, name in enumerate(names) if name.startswith(word)] or [
            n for n, name in enumerate(english) if name.startswith(word)
        ]
        if len(word) < 2 or len(matches) != 1:
            raise ValueError(word)
        days.add(matches[0])
    if not days:
        raise ValueError(text)
    return tuple(sorted(days))
