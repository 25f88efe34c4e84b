"""Times of day: reading what people type ("8pm", "20:30", "noon") as a wall-clock ``time``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time

from handlers.texts import timing as texts
from handlers.timing.errors import TimingError

__all__ = ["parse_time_of_day"]

_NAMED_TIMES: Mapping[str, time] = {
    "noon": time(12, 0),
    "12 noon": time(12, 0),
    "midday": time(12, 0),
    "midnight": time(0, 0),
    "12 midnight": time(0, 0),
}

# "8", "8pm", "8 pm", "8:30", "8.30pm", "20h", "20h30".
_CLOCK_TIME_PATTERN = re.compile(
    r"""
    (?P<hour>[0-9]{1,2})
    (?:
        [:.h](?P<minute>[0-9]{2})
      | (?P<hour_suffix>h)
    )?
    \s*
    (?P<meridiem>am|pm|a|p)?
    """,
    re.VERBOSE,
)

# "0830", "830", "830pm": hours and minutes run together.
_RUN_TOGETHER_TIME_PATTERN = re.compile(r"(?P<digits>[0-9]{3,4})\s*(?P<meridiem>am|pm|a|p)?")


def parse_time_of_day(text: str) -> time:
    """Read a wall-clock time such as ``"8pm"``, ``"20:00"``, ``"8:30 am"`` or ``"noon"``.

    Accepted forms (case and surrounding spaces ignored): ``8pm``, ``8 pm``, ``8 p.m.``,
    ``8:30 am``, ``8.30pm``, ``20:00``, ``20h``, ``20h30``, ``0830``, ``830pm``, ``noon``,
    ``midday``, ``midnight``; a bare hour of 0 or 13-23 (``"20"``) or with a leading zero
    (``"08"``).

    Raises:
        TimingError: for anything else, including impossible times (``"25:00"``, ``"8:75"``),
            mixed clocks (``"13pm"``) and a bare ``"1"``-``"12"``, which could be am or pm.
    """
    normalized = _normalize_time_text(text)
    if normalized in _NAMED_TIMES:
        return _NAMED_TIMES[normalized]

    clock = _CLOCK_TIME_PATTERN.fullmatch(normalized)
    if clock is not None:
        hour_text = clock["hour"]
        if clock["hour_suffix"] and clock["meridiem"]:
            raise TimingError(texts.TIME_NOT_UNDERSTOOD)
        has_minutes = clock["minute"] is not None
        if not has_minutes and not clock["hour_suffix"] and not clock["meridiem"]:
            _refuse_bare_hour_that_could_be_am_or_pm(hour_text)
        return _build_time(int(hour_text), int(clock["minute"] or 0), clock["meridiem"])

    run_together = _RUN_TOGETHER_TIME_PATTERN.fullmatch(normalized)
    if run_together is not None:
        digits = run_together["digits"]
        return _build_time(int(digits[:-2]), int(digits[-2:]), run_together["meridiem"])

    raise TimingError(texts.TIME_NOT_UNDERSTOOD)


def _normalize_time_text(text: str) -> str:
    """Lower-case, collapse spaces and turn "a.m."/"p.m." into "am"/"pm"."""
    collapsed = " ".join(text.casefold().split())
    return re.sub(r"([ap])\.\s?m\.?$", r"\1m", collapsed)


def _refuse_bare_hour_that_could_be_am_or_pm(hour_text: str) -> None:
    """Refuse "1" to "12" with no am/pm (but allow "08", "0" and "13" to "23")."""
    hour = int(hour_text)
    if 1 <= hour <= 12 and not hour_text.startswith("0"):
        raise TimingError(texts.TIME_AM_OR_PM.format(hour=hour))


def _build_time(hour: int, minute: int, meridiem: str | None) -> time:
    """Check the numbers and build a ``time``, converting from the 12-hour clock if needed."""
    if minute > 59:
        raise TimingError(texts.TIME_MINUTES_OUT_OF_RANGE)
    if meridiem is None:
        if hour > 23:
            raise TimingError(texts.TIME_HOURS_OUT_OF_RANGE)
        return time(hour, minute)
    if 13 <= hour <= 23:
        raise TimingError(
            texts.TIME_MIXED_CLOCKS.format(
                hour_12=hour - 12, meridiem_letter=meridiem[0], hour=hour, minute=minute
            )
        )
    if not 1 <= hour <= 12:
        raise TimingError(texts.TIME_TWELVE_HOUR_OUT_OF_RANGE)
    is_afternoon = meridiem.startswith("p")
    return time(hour % 12 + (12 if is_afternoon else 0), minute)
