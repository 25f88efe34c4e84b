"""Quiet hours: a daily stretch of local time without reminders, and reading it from text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from handlers.texts import timing as texts
from handlers.timing.errors import TimingError
from handlers.timing.occurrences import _gap_end, _instants_showing, _require_aware, _zone_info
from handlers.timing.times import parse_time_of_day

__all__ = ["QuietHours", "parse_quiet_hours"]


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily stretch of local time, from ``start`` (inclusive) to ``end`` (exclusive).

    It may wrap past midnight (22:00-07:00). ``start == end`` means no quiet hours.
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        """Quiet hours are wall-clock times, so they must be naive."""
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("quiet hours must be naive wall-clock times")

    def contains(self, local: time) -> bool:
        """Whether the wall-clock time ``local`` falls within the quiet hours."""
        wall = local.replace(tzinfo=None, fold=0)
        if self.start < self.end:
            return self.start <= wall < self.end
        if self.start > self.end:
            return wall >= self.start or wall < self.end
        return False

    def end_after(self, moment_utc: datetime, zone: str) -> datetime:
        """When quiet hours that cover ``moment_utc`` end, as a UTC instant.

        If the local time at ``moment_utc`` is not in quiet hours, returns ``moment_utc``
        unchanged. Otherwise returns the first instant after it at which the clock in ``zone``
        reads ``end`` (on a fall-back night that may be either pass of the repeated hour);
        if ``end`` is skipped by a spring-forward, the moment the gap ends.

        Raises:
            ValueError: if ``moment_utc`` is naive.
            TimingError: if ``zone`` is not in the installed tz database.
        """
        _require_aware(moment_utc, "moment_utc")
        tz = _zone_info(zone)
        moment = moment_utc.astimezone(UTC)
        local_now = moment.astimezone(tz)
        if not self.contains(local_now.time()):
            return moment_utc
        candidates: list[datetime] = []
        for days_ahead in range(-1, 3):
            wall = datetime.combine(local_now.date() + timedelta(days=days_ahead), self.end)
            instants = _instants_showing(wall, tz) or [_gap_end(wall, tz)]
            candidates.extend(instant for instant in instants if instant > moment)
        return min(candidates)


_QUIET_HOURS_OFF_WORDS = frozenset({"off", "none", "no", "never", "disable", "disabled"})
_QUIET_HOURS_SEPARATOR = re.compile(r"\s*(?:-|–|—|\bto\b|\buntil\b|\btill\b)\s*")


def parse_quiet_hours(text: str) -> QuietHours:
    """Read quiet hours such as ``"22:00-07:00"``, ``"10pm-7am"`` or ``"10pm to 7am"``.

    ``"off"`` or ``"none"`` (also "no", "never", "disable(d)") give ``start == end``: no quiet
    hours. Each side is read by ``parse_time_of_day``.

    Raises:
        TimingError: if either side isn't a time, or both sides are the same time.
    """
    normalized = " ".join(text.casefold().split())
    if normalized in _QUIET_HOURS_OFF_WORDS:
        return QuietHours(start=time(0, 0), end=time(0, 0))
    parts = _QUIET_HOURS_SEPARATOR.split(normalized, maxsplit=1)
    if len(parts) != 2 or not all(parts):
        raise TimingError(texts.QUIET_HOURS_NOT_UNDERSTOOD)
    try:
        start, end = parse_time_of_day(parts[0]), parse_time_of_day(parts[1])
    except TimingError:
        raise TimingError(texts.QUIET_HOURS_NOT_UNDERSTOOD) from None
    if start == end:
        raise TimingError(texts.QUIET_HOURS_SAME_START_AND_END)
    return QuietHours(start=start, end=end)
