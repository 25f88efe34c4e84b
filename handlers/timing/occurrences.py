"""Scheduling: when a daily local check-in time next falls due, in UTC, correct across DST.

Daylight-saving rules, applied everywhere a wall-clock time is turned into an instant: a wall
time that does not exist (skipped by a spring-forward) becomes the moment the gap ends; a wall
time that happens twice (fall-back) means its first occurrence.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.texts import timing as texts
from handlers.timing.errors import TimingError
from handlers.timing.zones import is_valid_zone

__all__ = ["local_date", "next_checkin_due", "occurrence_key"]


def next_checkin_due(local_time: time, zone: str, after: datetime) -> datetime:
    """The first occurrence of ``local_time`` in ``zone`` strictly after ``after``, in UTC.

    There is at most one occurrence per local calendar date, and none is skipped:

    * If ``local_time`` does not exist that day (clocks spring forward over it), the check-in
      is due the moment the gap ends, e.g. 02:30 in America/New_York on 2026-03-08 -> 03:00
      local = 07:00 UTC.
    * If ``local_time`` happens twice (clocks fall back), only the first occurrence counts.
    * If the gap runs past midnight (America/Nuuk springs from Saturday 23:00 to Sunday 00:00),
      a skipped time is due in the last minute before the gap instead (Saturday 22:59), so that
      Saturday still gets its one check-in and Sunday keeps its own.
    * A day that does not exist at all in ``zone`` (e.g. Pacific/Apia, 2011-12-30) has none.

    Args:
        local_time: naive wall-clock time.
        zone: IANA zone name.
        after: aware datetime (any zone; usually "now" in UTC).

    Raises:
        ValueError: if ``after`` is naive or ``local_time`` has a tzinfo.
        TimingError: if ``zone`` is not in the installed tz database.
    """
    _require_aware(after, "after")
    if local_time.tzinfo is not None:
        raise ValueError("local_time must be a naive wall-clock time")
    tz = _zone_info(zone)
    after_utc = after.astimezone(UTC)
    wall_time = local_time.replace(fold=0)
    after_local_date = after_utc.astimezone(tz).date()
    for days_ahead in range(-1, 8):
        day = after_local_date + timedelta(days=days_ahead)
        due = _occurrence_on(day, wall_time, tz)
        if due is not None and due > after_utc:
            return due
    raise RuntimeError(f"no occurrence of {local_time} in {zone} within a week of {after}")


def _occurrence_on(day: date, wall_time: time, tz: ZoneInfo) -> datetime | None:
    """The UTC instant a daily ``wall_time`` is due on local date ``day``, if that day exists.

    The first occurrence, or the end of a spring-forward gap. If the gap runs past midnight,
    so its end falls on the next date, the last minute before the gap is used instead, keeping
    exactly one occurrence per date.
    """
    due = _first_instant_showing(datetime.combine(day, wall_time), tz)
    if due.astimezone(tz).date() == day:
        return due
    last_minute_before_gap = due - timedelta(minutes=1)
    if last_minute_before_gap.astimezone(tz).date() == day:
        return last_minute_before_gap
    return None


def occurrence_key(due_at_utc: datetime, zone: str) -> str:
    """The local calendar date an occurrence counts for, as ``"YYYY-MM-DD"``."""
    return local_date(due_at_utc, zone).isoformat()


def local_date(at: datetime, zone: str) -> date:
    """The calendar date in ``zone`` at the instant ``at`` (an aware datetime)."""
    _require_aware(at, "at")
    return at.astimezone(_zone_info(zone)).date()


def _require_aware(moment: datetime, name: str) -> None:
    """Raise ``ValueError`` if ``moment`` is a naive datetime."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


@functools.cache  # ZoneInfo's own strong cache keeps 8 zones; a program spans more
def _zone_info(zone: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name, or a ``TimingError`` asking for the city again."""
    if not is_valid_zone(zone):
        raise TimingError(texts.ZONE_STALE)
    return ZoneInfo(zone)


def _instants_showing(wall: datetime, tz: ZoneInfo) -> list[datetime]:
    """Every UTC instant at which the clock in ``tz`` reads the naive ``wall``, earliest first.

    Empty in a spring-forward gap, two instants in a fall-back overlap, otherwise one.
    """
    instants: list[datetime] = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC)
        reads_wall = instant.astimezone(tz).replace(tzinfo=None, fold=0) == wall
        if reads_wall and instant not in instants:
            instants.append(instant)
    return sorted(instants)


def _gap_end(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant a spring-forward gap containing the naive ``wall`` ends.

    In a gap, ``fold=1`` reads ``wall`` with the offset from after the transition, giving an
    instant before it, and ``fold=0`` with the offset from before, giving one at or after it.
    The transition lies between them; find it by bisection to the second.
    """
    before_transition = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    after_transition = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    offset_after_transition = after_transition.astimezone(tz).utcoffset()
    low_seconds = 0
    high_seconds = int((after_transition - before_transition).total_seconds())
    while high_seconds - low_seconds > 1:
        middle_seconds = (low_seconds + high_seconds) // 2
        middle = before_transition + timedelta(seconds=middle_seconds)
        if middle.astimezone(tz).utcoffset() == offset_after_transition:
            high_seconds = middle_seconds
        else:
            low_seconds = middle_seconds
    return before_transition + timedelta(seconds=high_seconds)


def _first_instant_showing(wall: datetime, tz: ZoneInfo) -> datetime:
    """When a wall-clock reading first happens: its first occurrence, or the end of its gap."""
    instants = _instants_showing(wall, tz)
    return instants[0] if instants else _gap_end(wall, tz)
