"""Platform-neutral time logic for check-ins: parsing what people type, and DST-correct scheduling.

Everything here is pure (standard library ``zoneinfo`` and ``datetime`` only). The one piece of
I/O is reading ``handlers/timing/zones.toml`` (city aliases and related tables), once, on first use.

Submodules, by concern: ``times`` (times of day), ``zones`` (time zones), ``occurrences``
(when a check-in is due), ``quiet_hours``, ``durations`` and ``dates``; ``errors`` holds
``TimingError``. Import from ``handlers.timing`` itself; this package re-exports the public API.

Conventions:

* Instants are aware ``datetime`` objects; results are always in UTC.
* A "zone" is an IANA time-zone name such as ``"America/Denver"``.
* A "local time" is a naive ``time`` meaning a wall-clock reading in the person's zone.
* Daylight-saving rules, applied everywhere a wall-clock time is turned into an instant:
  a wall time that does not exist (skipped by a spring-forward) becomes the moment the gap ends;
  a wall time that happens twice (fall-back) means its first occurrence.
* ``TimingError`` messages are short, kind, user-facing sentences; they never echo user input.
  They live in ``handlers.texts.timing``.
"""

from __future__ import annotations

from handlers.timing.dates import parse_local_date
from handlers.timing.durations import parse_duration
from handlers.timing.errors import TimingError
from handlers.timing.occurrences import local_date, next_checkin_due, occurrence_key
from handlers.timing.quiet_hours import QuietHours, parse_quiet_hours
from handlers.timing.times import parse_time_of_day
from handlers.timing.zones import ZoneMatch, is_valid_zone, resolve_zone

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
