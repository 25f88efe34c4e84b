"""Platform-neutral time logic for check-ins: parsing what people type, and DST-correct scheduling.

Everything here is pure (standard library ``zoneinfo`` and ``datetime`` only). The one piece of
I/O is reading ``handlers/data/zones.toml`` (city aliases and related tables), once, on first use.

Conventions:

* Instants are aware ``datetime`` objects; results are always in UTC.
* A "zone" is an IANA time-zone name such as ``"America/Denver"``.
* A "local time" is a naive ``time`` meaning a wall-clock reading in the person's zone.
* Daylight-saving rules, applied everywhere a wall-clock time is turned into an instant:
  a wall time that does not exist (skipped by a spring-forward) becomes the moment the gap ends;
  a wall time that happens twice (fall-back) means its first occurrence.
* ``TimingError`` messages are short, kind, user-facing sentences; they never echo user input.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

__all__ = [
    "QuietHours",
    "TimingError",
    "ZoneMatch",
    "is_valid_zone",
    "local_date",
    "next_checkin_due",
    "occurrence_key",
    "parse_duration",
    "parse_local_date",
    "parse_quiet_hours",
    "parse_time_of_day",
    "resolve_zone",
]

_ZONES_DATA_PATH = Path(__file__).parent / "data" / "zones.toml"


class TimingError(ValueError):
    """Input that cannot be understood.

    ``str(err)`` is a short, kind, user-facing sentence saying what was expected, with an
    example, e.g. 'I couldn't read that as a time. Try "8pm" or "20:30".'
    """


# --------------------------------------------------------------------------------------------
# Times of day
# --------------------------------------------------------------------------------------------

_TIME_NOT_UNDERSTOOD = 'I couldn\'t read that as a time. Try "8pm" or "20:30".'

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
            raise TimingError(_TIME_NOT_UNDERSTOOD)
        has_minutes = clock["minute"] is not None
        if not has_minutes and not clock["hour_suffix"] and not clock["meridiem"]:
            _refuse_bare_hour_that_could_be_am_or_pm(hour_text)
        return _build_time(int(hour_text), int(clock["minute"] or 0), clock["meridiem"])

    run_together = _RUN_TOGETHER_TIME_PATTERN.fullmatch(normalized)
    if run_together is not None:
        digits = run_together["digits"]
        return _build_time(int(digits[:-2]), int(digits[-2:]), run_together["meridiem"])

    raise TimingError(_TIME_NOT_UNDERSTOOD)


def _normalize_time_text(text: str) -> str:
    """Lower-case, collapse spaces and turn "a.m."/"p.m." into "am"/"pm"."""
    collapsed = " ".join(text.casefold().split())
    return re.sub(r"([ap])\.\s?m\.?$", r"\1m", collapsed)


def _refuse_bare_hour_that_could_be_am_or_pm(hour_text: str) -> None:
    """Refuse "1" to "12" with no am/pm (but allow "08", "0" and "13" to "23")."""
    hour = int(hour_text)
    if 1 <= hour <= 12 and not hour_text.startswith("0"):
        raise TimingError(f'Did you mean {hour}am or {hour}pm? Try "{hour}pm" or "{hour:02d}:00".')


def _build_time(hour: int, minute: int, meridiem: str | None) -> time:
    """Check the numbers and build a ``time``, converting from the 12-hour clock if needed."""
    if minute > 59:
        raise TimingError('Minutes go from 00 to 59. Try something like "8:45pm" or "20:30".')
    if meridiem is None:
        if hour > 23:
            raise TimingError(
                'Hours go from 0 to 23, so that\'s past the end of the day. Try "8pm" or "20:30".'
            )
        return time(hour, minute)
    if 13 <= hour <= 23:
        raise TimingError(
            f'That mixes the 24-hour and 12-hour clocks. Try "{hour - 12}{meridiem[0]}m" '
            f'or "{hour}:{minute:02d}".'
        )
    if not 1 <= hour <= 12:
        raise TimingError('On the 12-hour clock, hours go from 1 to 12. Try "8pm" or "20:30".')
    is_afternoon = meridiem.startswith("p")
    return time(hour % 12 + (12 if is_afternoon else 0), minute)


# --------------------------------------------------------------------------------------------
# Time zones
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ZoneMatch:
    """A time zone we understood from what someone typed."""

    zone: str
    """IANA name in canonical case, e.g. ``"America/Denver"``."""
    label: str
    """What we understood, for confirmation, e.g. ``"Denver (America/Denver)"``."""


_UTC_MATCH = ZoneMatch(zone="UTC", label="UTC")
_UTC_SPELLINGS = frozenset({"utc", "etc/utc", "coordinated universal time"})

# IANA areas whose zones are named after a real place (unlike "Etc", "US", "Canada" ...).
_PLACE_AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)

# Files some systems keep next to the tz database that are not real zones.
_NOT_REAL_ZONES = frozenset({"localtime", "posixrules", "Factory"})

_OFFSET_PATTERNS = (
    # "+2", "-05:00", "+0530", "UTC+5", "GMT-7", "utc+5:30", "+5h"
    re.compile(r"(?:utc|gmt|z)?[+-][0-9]{1,2}(?:[:.]?[0-9]{2})?(?:h|hrs?|hours?)?"),
    # "UTC5", "GMT0"
    re.compile(r"(?:utc|gmt)[0-9]{1,2}(?:[:.]?[0-9]{2})?"),
    # "Etc/GMT+5", "Etc/GMT", "Etc/Greenwich": fixed offsets in IANA clothing
    re.compile(r"etc/(?:gmt|greenwich)(?:[+-]?[0-9]{1,2})?"),
)
# POSIX-style zone names such as "EST5EDT".
_POSIX_STYLE_ZONE_PATTERN = re.compile(r"[a-z]{3}[0-9]{1,2}[a-z]{3}")

_OFFSET_REFUSAL = (
    "A fixed UTC offset doesn't follow daylight-saving changes, so your check-ins would drift "
    'by an hour. Tell me your city instead, like "Denver" or "Berlin" (or "UTC" if you mean it).'
)
_ABBREVIATION_REFUSAL = (
    "Abbreviations like EST flip with daylight saving and some mean more than one place, so "
    'I\'d rather not guess. Tell me your city instead, like "New York" or "London".'
)
_UNKNOWN_PLACE = (
    'I don\'t know that place yet. Try the nearest big city, like "Chicago" or "Berlin", '
    'or a zone name like "Europe/Berlin".'
)
_NO_PLACE_GIVEN = 'Tell me your city, like "Denver" or "London", and I\'ll work out the time zone.'


@dataclass(frozen=True, slots=True)
class _ZoneTables:
    """``zones.toml`` plus indexes of the tz database, keyed by ``_lookup_key``."""

    aliases: Mapping[str, ZoneMatch]
    ambiguous_places: Mapping[str, tuple[str, ...]]
    renamed_zones: Mapping[str, str]
    abbreviations: frozenset[str]
    zones_by_full_name: Mapping[str, str]
    zones_by_city: Mapping[str, str]


def resolve_zone(text: str) -> ZoneMatch:
    """Work out an IANA time zone from a city or zone name someone typed.

    Matching ignores case, accents, dots and apostrophes, and treats spaces, underscores and
    hyphens alike: ``"Denver"``, ``"america/denver"``, ``"New York"``, ``"new_york"`` and
    ``"São Paulo"`` all work. Places are looked up in ``zones.toml`` aliases (``"Mumbai"`` ->
    ``Asia/Kolkata``), then full IANA names, then the last part of every IANA zone name.
    Old IANA spellings become current ones (``"Calcutta"`` -> ``Asia/Kolkata``). If nothing
    matches and the text has a comma (``"Paris, France"``), the part before it is tried.
    ``"UTC"`` is allowed.

    Raises:
        TimingError: for UTC offsets (``"+2"``, ``"UTC+5"``, ``"GMT-7"``, ``"-05:00"``) and
            abbreviations (``"EST"``, ``"PST"``), which break on daylight-saving changes; for
            places spanning several zones (``"Australia"``); and for unknown places.
    """
    stripped = text.strip()
    if not stripped:
        raise TimingError(_NO_PLACE_GIVEN)
    _refuse_offsets_and_abbreviations(stripped)
    if _lookup_key(stripped) in _UTC_SPELLINGS:
        return _UTC_MATCH

    match = _match_place(stripped)
    if match is None and "," in stripped:
        before_comma = stripped.split(",", 1)[0]
        if before_comma.strip():
            _refuse_offsets_and_abbreviations(before_comma)
            match = _match_place(before_comma)
    if match is None:
        raise TimingError(_UNKNOWN_PLACE)
    return match


def is_valid_zone(zone: str) -> bool:
    """Whether ``zone`` is an IANA zone name (exact case) in the installed tz database.

    False for names that are not (or are no longer) in the database, and for system files
    like ``"localtime"`` that are not real zones.
    """
    return zone in _installed_zone_names()


def _refuse_offsets_and_abbreviations(text: str) -> None:
    """Raise ``TimingError`` if ``text`` is a UTC offset or a time-zone abbreviation."""
    compact = re.sub(r"\s+", "", text.casefold()).replace("\u2212", "-")
    if any(pattern.fullmatch(compact) for pattern in _OFFSET_PATTERNS):
        raise TimingError(_OFFSET_REFUSAL)
    key = _lookup_key(text)
    if key in _zone_tables().abbreviations or _POSIX_STYLE_ZONE_PATTERN.fullmatch(key):
        raise TimingError(_ABBREVIATION_REFUSAL)


def _match_place(text: str) -> ZoneMatch | None:
    """Look ``text`` up as an alias, a full IANA name or a city; None if nothing matches."""
    tables = _zone_tables()
    key = _lookup_key(text)
    if not key:
        return None
    if key in tables.ambiguous_places:
        raise TimingError(_ambiguous_place_message(tables.ambiguous_places[key]))
    if key in tables.aliases:
        return tables.aliases[key]
    if "/" in key:
        full_name = tables.zones_by_full_name.get(key)
        if full_name is None:
            return None
        current = tables.renamed_zones.get(full_name, full_name)
        return ZoneMatch(zone=current, label=_zone_label(_place_name(current), current))
    city_zone = tables.zones_by_city.get(key)
    if city_zone is None:
        return None
    current = tables.renamed_zones.get(city_zone, city_zone)
    return ZoneMatch(zone=current, label=_zone_label(_place_name(city_zone), current))


def _ambiguous_place_message(suggestions: tuple[str, ...]) -> str:
    """'That covers more than one time zone. Which is nearest to you: A, B or C?'."""
    if len(suggestions) == 1:
        listed = suggestions[0]
    else:
        listed = ", ".join(suggestions[:-1]) + " or " + suggestions[-1]
    return f"That covers more than one time zone. Which is nearest to you: {listed}?"


def _lookup_key(text: str) -> str:
    """Normalize a place or zone name for matching.

    Case, accents, apostrophes, dots and commas are ignored; runs of spaces, underscores and
    hyphens become one space; spaces around "/" are dropped.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    folded = re.sub(r"['’.,]", "", without_accents.casefold())
    folded = re.sub(r"\s*/\s*", "/", folded)
    return re.sub(r"[\s_-]+", " ", folded).strip()


def _place_name(zone: str) -> str:
    """The human-readable place in a zone name: ``"America/St_Johns"`` -> ``"St Johns"``."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def _zone_label(place: str, zone: str) -> str:
    """Confirmation label such as ``"Denver (America/Denver)"``."""
    return f"{place} ({zone})"


@functools.cache
def _installed_zone_names() -> frozenset[str]:
    """Every real IANA zone name in the installed tz database."""
    return frozenset(available_timezones() - _NOT_REAL_ZONES)


@functools.cache
def _zone_tables() -> _ZoneTables:
    """Load ``zones.toml`` (once) and index the tz database for lookups."""
    with _ZONES_DATA_PATH.open("rb") as data_file:
        document = tomllib.load(data_file)

    installed = _installed_zone_names()
    renamed = {
        old: new
        for old, new in _string_table(document, "renamed").items()
        if old in installed and new in installed
    }

    aliases: dict[str, ZoneMatch] = {}
    for place, target in _table(document, "aliases").items():
        zone, label = _alias_zone_and_label(place, target)
        if zone in installed:
            aliases[_lookup_key(place)] = ZoneMatch(zone=zone, label=_zone_label(label, zone))

    ambiguous_places = {
        _lookup_key(place): tuple(_string_list(suggestions, f"ambiguous.{place}"))
        for place, suggestions in _table(document, "ambiguous").items()
    }
    not_city_names = frozenset(
        _string_list(_table(document, "not_city_names").get("zones"), "not_city_names.zones")
    )
    abbreviations = frozenset(
        _lookup_key(name)
        for name in _string_list(_table(document, "abbreviations").get("names"), "abbreviations")
    )

    zones_by_full_name = {_lookup_key(zone): zone for zone in installed}
    zones_by_city: dict[str, str] = {}
    # Deeper names first, so "America/Argentina/Buenos_Aires" wins over "America/Buenos_Aires".
    for zone in sorted(installed, key=lambda name: (-name.count("/"), name)):
        area = zone.split("/", 1)[0]
        if "/" in zone and area in _PLACE_AREAS and zone not in not_city_names:
            zones_by_city.setdefault(_lookup_key(_place_name(zone)), zone)

    return _ZoneTables(
        aliases=aliases,
        ambiguous_places=ambiguous_places,
        renamed_zones=renamed,
        abbreviations=abbreviations,
        zones_by_full_name=zones_by_full_name,
        zones_by_city=zones_by_city,
    )


def _table(document: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A top-level table of the zones file (empty if missing)."""
    value = document.get(name, {})
    if not isinstance(value, dict):
        raise RuntimeError(f"{_ZONES_DATA_PATH}: [{name}] must be a table")
    return value


def _string_table(document: Mapping[str, Any], name: str) -> dict[str, str]:
    """A top-level table of the zones file whose values are all strings."""
    table = _table(document, name)
    if not all(isinstance(value, str) for value in table.values()):
        raise RuntimeError(f"{_ZONES_DATA_PATH}: [{name}] values must be strings")
    return table


def _string_list(value: Any, where: str) -> list[str]:
    """Check that a zones-file value is a list of strings."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RuntimeError(f"{_ZONES_DATA_PATH}: {where} must be a list of strings")
    return value


def _alias_zone_and_label(place: str, target: Any) -> tuple[str, str]:
    """An alias is ``"Place" = "Zone"`` or ``"Place" = { zone = "Zone", label = "..." }``."""
    if isinstance(target, str):
        return target, place
    if (
        isinstance(target, dict)
        and isinstance(target.get("zone"), str)
        and isinstance(target.get("label", place), str)
    ):
        return target["zone"], target.get("label", place)
    raise RuntimeError(f"{_ZONES_DATA_PATH}: alias {place!r} must be a zone name or a table")


# --------------------------------------------------------------------------------------------
# Scheduling
# --------------------------------------------------------------------------------------------

_STALE_ZONE = "I don't recognise that time zone any more. Could you tell me your city again?"


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


def _zone_info(zone: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name, or a ``TimingError`` asking for the city again."""
    if not is_valid_zone(zone):
        raise TimingError(_STALE_ZONE)
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


# --------------------------------------------------------------------------------------------
# Quiet hours
# --------------------------------------------------------------------------------------------


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
_QUIET_HOURS_NOT_UNDERSTOOD = (
    'I couldn\'t read those quiet hours. Try "22:00-07:00", "10pm-7am" or "off".'
)
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
        raise TimingError(_QUIET_HOURS_NOT_UNDERSTOOD)
    try:
        start, end = parse_time_of_day(parts[0]), parse_time_of_day(parts[1])
    except TimingError:
        raise TimingError(_QUIET_HOURS_NOT_UNDERSTOOD) from None
    if start == end:
        raise TimingError(
            'Quiet hours need different start and end times, like "22:00-07:00". '
            'To turn them off, say "off".'
        )
    return QuietHours(start=start, end=end)


# --------------------------------------------------------------------------------------------
# Durations
# --------------------------------------------------------------------------------------------

_DURATION_NOT_UNDERSTOOD = (
    'I couldn\'t read that as a length of time. Try "90m", "2h", "3h30m" or "7d".'
)
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
            raise TimingError(_DURATION_NOT_UNDERSTOOD)
        unit_word = part["unit"]
        if unit_word.startswith(("mo", "y")):
            raise TimingError(
                "Months and years vary in length, so I can't count them exactly. "
                'Try days or weeks instead, like "30d" or "4w".'
            )
        unit = _DURATION_UNITS.get(unit_word)
        if unit is None or unit in units_seen:
            raise TimingError(_DURATION_NOT_UNDERSTOOD)
        units_seen.add(unit)
        try:
            total += timedelta(**{unit: float(part["amount"])})
        except OverflowError:
            raise TimingError('That\'s longer than I can count. Try something like "7d".') from None
        position = part.end()
    if not units_seen:
        raise TimingError(_DURATION_NOT_UNDERSTOOD)
    if total <= timedelta():
        raise TimingError('That works out to no time at all. Try something like "2h" or "90m".')
    return total


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

_DATE_NOT_UNDERSTOOD = 'I couldn\'t read that as a date. Try "2026-12-01", "1 Dec" or "tomorrow".'
_DATE_DOES_NOT_EXIST = 'That date doesn\'t exist on the calendar. Try something like "2026-12-01".'
_DATE_ORDER_AMBIGUOUS = (
    "Dates written with only numbers mean different days in different countries, so I'd "
    'rather not guess. Try "2026-12-01" or "1 Dec".'
)
_RELATIVE_DAYS: Mapping[str, int] = {"today": 0, "tomorrow": 1, "yesterday": -1}
_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_NUMBERS: Mapping[str, int] = {
    **{name: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    **{name[:3]: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}
_YEAR_FIRST_DATE = re.compile(
    r"(?P<year>[0-9]{4})[-/.](?P<month>[0-9]{1,2})[-/.](?P<day>[0-9]{1,2})"
)
_DAY_SUFFIX = r"(?:st|nd|rd|th)?"
_YEAR_SUFFIX = r"(?:(?:,\s*|\s+)(?P<year>[0-9]{4}))?"
_DAY_MONTH_DATE = re.compile(
    rf"(?P<day>[0-9]{{1,2}}){_DAY_SUFFIX}(?:\s+of)?\s*(?P<month>[a-z]+)\.?{_YEAR_SUFFIX}"
)
_MONTH_DAY_DATE = re.compile(
    rf"(?P<month>[a-z]+)\.?\s*(?P<day>[0-9]{{1,2}}){_DAY_SUFFIX}{_YEAR_SUFFIX}"
)
_NUMBERS_ONLY_DATE = re.compile(r"[0-9]{1,4}\s*[-/.]\s*[0-9]{1,2}(?:\s*[-/.]\s*[0-9]{1,4})?")


def parse_local_date(text: str, today: date) -> date:
    """Read a calendar date: ``"2026-12-01"``, ``"today"``, ``"tomorrow"``, ``"yesterday"``,
    ``"dec 1"``, ``"1 dec"``, ``"December 1st"``, ``"1 Dec 2026"``, ``"Dec 1, 2026"``.

    ``today`` is the person's current local date. Without a year, the date nearest to
    ``today`` is chosen (up to about six months either way; a tie goes to the future).
    Year-first numeric dates (``"2026/12/01"``) are accepted as ISO.

    Raises:
        TimingError: for day/month-order-ambiguous numeric forms (``"12/01"``,
            ``"01.12.2026"``), impossible dates (``"2026-02-30"``) and anything else.
    """
    if isinstance(today, datetime):
        today = today.date()
    normalized = " ".join(text.casefold().split())
    if normalized in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[normalized])

    year_first = _YEAR_FIRST_DATE.fullmatch(normalized)
    if year_first is not None:
        return _build_date(
            int(year_first["year"]), int(year_first["month"]), int(year_first["day"])
        )
    if _NUMBERS_ONLY_DATE.fullmatch(normalized):
        raise TimingError(_DATE_ORDER_AMBIGUOUS)

    for pattern in (_DAY_MONTH_DATE, _MONTH_DAY_DATE):
        named = pattern.fullmatch(normalized)
        if named is None or named["month"] not in _MONTH_NUMBERS:
            continue
        month, day = _MONTH_NUMBERS[named["month"]], int(named["day"])
        if named["year"] is not None:
            return _build_date(int(named["year"]), month, day)
        return _nearest_date_without_year(month, day, today)
    raise TimingError(_DATE_NOT_UNDERSTOOD)


def _build_date(year: int, month: int, day: int) -> date:
    """``date(year, month, day)``, or a ``TimingError`` if there is no such day."""
    try:
        return date(year, month, day)
    except ValueError:
        raise TimingError(_DATE_DOES_NOT_EXIST) from None


def _nearest_date_without_year(month: int, day: int, today: date) -> date:
    """The valid ``month``/``day`` closest to ``today`` (last, this or next year)."""
    candidates: list[date] = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        raise TimingError(_DATE_DOES_NOT_EXIST)
    return min(candidates, key=lambda candidate: (abs(candidate - today), candidate < today))
