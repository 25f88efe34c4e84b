"""Durations: reading a length of time such as "2h", "90m" or "3h30m" as a ``timedelta``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta

from handlers.texts import timing as texts
from handlers.timing.errors import TimingError

__all__ = ["parse_duration"]

_DURATION_UNITS: Mapping[str, str] = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "seconds"),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "minutes"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "hours"),
    **dict.fromkeys(("d", "day", "days"), "days"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "weeks"),
}
_DURATION_PART = re.compile(
    r"\s*(?:(?:,|and)\s*)?(?P<amount>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>[a-z]+)\s*"
)


def parse_duration(text: str) -> timedelta:
    """Read a length of time such as ``"2h"``, ``"90m"``, ``"3h30m"``, ``"7d"``, ``"1w"``.

    Units: s/sec/second(s), m/min/minute(s), h/hr/hour(s), d/day(s), w/wk/week(s); parts may
    be separated by spaces, commas or "and" (``"1 hour and 30 minutes"``), each unit at most
    once; decimals are allowed (``"1.5h"``).

    Raises:
        TimingError: for anything else, for zero, and for months or years (not a fixed length).
    """
    normalized = text.strip().casefold()
    total = timedelta()
    units_seen: set[str] = set()
    position = 0
    while position < len(normalized):
        part = _DURATION_PART.match(normalized, position)
        if part is None:
            raise TimingError(texts.DURATION_NOT_UNDERSTOOD)
        unit_word = part["unit"]
        if unit_word.startswith(("mo", "y")):
            raise TimingError(texts.DURATION_MONTHS_OR_YEARS)
        unit = _DURATION_UNITS.get(unit_word)
        if unit is None or unit in units_seen:
            raise TimingError(texts.DURATION_NOT_UNDERSTOOD)
        units_seen.add(unit)
        try:
            total += timedelta(**{unit: float(part["amount"])})
        except OverflowError:
            raise TimingError(texts.DURATION_TOO_LONG) from None
        position = part.end()
    if not units_seen:
        raise TimingError(texts.DURATION_NOT_UNDERSTOOD)
    if total <= timedelta():
        raise TimingError(texts.DURATION_ZERO)
    return total
