"""Time zones: turning a city or zone name someone typed into an IANA zone.

City aliases, places spanning several zones, renamed zones and refused abbreviations come from
``handlers/timing/zones.toml``, read once, on first use, and indexed with the installed tz database.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

from handlers.texts import timing as texts
from handlers.timing.errors import TimingError

__all__ = ["ZoneMatch", "is_valid_zone", "resolve_zone"]

_ZONES_DATA_PATH = Path(__file__).parent / "zones.toml"


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
        raise TimingError(texts.ZONE_NO_PLACE_GIVEN)
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
        raise TimingError(texts.ZONE_UNKNOWN_PLACE)
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
        raise TimingError(texts.ZONE_OFFSET_REFUSAL)
    key = _lookup_key(text)
    if key in _zone_tables().abbreviations or _POSIX_STYLE_ZONE_PATTERN.fullmatch(key):
        raise TimingError(texts.ZONE_ABBREVIATION_REFUSAL)


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
        listed = (
            texts.ZONE_CHOICES_SEPARATOR.join(suggestions[:-1])
            + texts.ZONE_CHOICES_LAST_SEPARATOR
            + suggestions[-1]
        )
    return texts.ZONE_AMBIGUOUS_PLACE.format(places=listed)


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
    return texts.ZONE_LABEL.format(place=place, zone=zone)


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
