"""Which crisis lines a person sees: those of the country their time zone is in.

The person's country comes from their IANA time zone, read in the tz database's own
``zone.tab`` and ``zone1970.tab``; without one (no zone yet, ``UTC``) the program's
``[crisis] region`` stands in; a region with no lines gets the international fallback
(findahelpline.com). For each region, ``[crisis.resources]`` in
``config.toml`` wins over the lines shipped in ``helplines.toml`` (read once per process).
"""

from __future__ import annotations

import importlib.resources
import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from handlers.crisis import texts
from handlers.i18n import current_language, gettext
from handlers.program import FALLBACK_CRISIS_RESOURCES, CrisisResource, CrisisSettings

log = logging.getLogger(__name__)

DATA_FILE = "helplines.toml"
SYSTEM_ZONEINFO = Path("/usr/share/zoneinfo")


@dataclass(frozen=True, slots=True)
class Helplines:
    """The lines for one place, and the emergency number to name (``None``: not known)."""

    region: str | None
    listed: tuple[CrisisResource, ...]
    emergency: str | None
    emergency_line: bool = True
    """Whether :attr:`lines` ends with the emergency number (the shipped lines do; a region
    the program configured shows exactly its own lines)."""

    @property
    def lines(self) -> tuple[CrisisResource, ...]:
        """The lines as shown, in the language in use: a line's name and contact pass through
        the catalogue (the shipped fallback's sentences are in it; a named line is a proper
        name and stays as written), then the emergency number."""
        shown = tuple(CrisisResource(gettext(r.name), gettext(r.contact)) for r in self.listed)
        if self.emergency is None or not self.emergency_line:
            return shown
        return (*shown, _emergency_line(self.emergency))


FALLBACK = Helplines(None, FALLBACK_CRISIS_RESOURCES, None)


def helplines_for(
    settings: CrisisSettings, zone: str | None = None, language: str | None = None
) -> Helplines:
    """The lines for someone in ``zone`` who reads ``language`` (default: the language in
    use), e.g. the US lines in Spanish for a Spanish speaker in Los Angeles.

    A zone in a country we have no lines for gets the international fallback, never the
    program's region: someone in Tokyo must not be told to call 911. Only someone whose
    country we cannot tell (no zone, ``UTC``) gets the program's region.
    """
    region = country_of_zone(zone) or settings.region
    language = language or current_language()
    shipped = builtin()
    for key in ([f"{region}-{language}"] if language else []) + [region]:
        configured = settings.resources.get(key)
        found = shipped.get(key)
        if configured:
            return Helplines(
                key, configured, found.emergency if found else None, emergency_line=False
            )
        if found is not None:
            return found
    return FALLBACK


@cache
def builtin() -> Mapping[str, Helplines]:
    """The shipped lines by region, with their emergency line last."""
    text = importlib.resources.files("handlers.crisis").joinpath(DATA_FILE).read_text("utf-8")
    return parse(tomllib.loads(text))


def parse(data: Mapping[str, Any]) -> dict[str, Helplines]:
    found: dict[str, Helplines] = {}
    for region, entry in data.items():
        if region == "eu_112":
            continue
        emergency = str(entry["emergency"])
        lines = tuple(CrisisResource(line["name"], line["contact"]) for line in entry["lines"])
        found[region] = Helplines(region, lines, emergency)
    for country in data.get("eu_112", {}).get("countries", []):
        found.setdefault(country, Helplines(country, (FALLBACK_CRISIS_RESOURCES[0],), "112"))
    return found


def _emergency_line(number: str) -> CrisisResource:
    return CrisisResource(texts.EMERGENCY_NAME, texts.EMERGENCY_CONTACT.format(number=number))


def country_of_zone(zone: str | None) -> str | None:
    """The ISO 3166 country of an IANA zone (``Europe/Paris`` -> ``FR``), if the tz database
    places it in one (``UTC`` is in none)."""
    if not zone:
        return None
    return _zone_countries().get(zone)


@cache
def _zone_countries() -> dict[str, str]:
    countries: dict[str, str] = {}
    # zone.tab gives one country per zone, including zones that zone1970.tab folds into
    # another country's (Europe/Amsterdam, Europe/Oslo); zone1970.tab adds the rest.
    for name in ("zone.tab", "zone1970.tab"):
        for line in _tab(name).splitlines():
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) < 3:
                continue
            # A zone1970.tab row may name several countries ("BE,LU,NL  Europe/Brussels"); the
            # first is the one the zone is named for, and the one we pick.
            countries.setdefault(fields[2], fields[0].split(",")[0])
    return countries


def _tab(name: str) -> str:
    """A table from the ``tzdata`` package, else from the system's tz database."""
    try:
        return importlib.resources.files("tzdata").joinpath("zoneinfo", name).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        pass
    try:
        return (SYSTEM_ZONEINFO / name).read_text("utf-8")
    except OSError:
        log.warning("no %s in tzdata or %s: crisis lines by zone are off", name, SYSTEM_ZONEINFO)
        return ""
