"""Dates: reading a calendar date such as "2026-12-01", "tomorrow" or "1 Dec" as a ``date``."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from handlers.i18n import LANGUAGES, in_every_language
from handlers.texts import timing as texts
from handlers.timing.errors import TimingError

__all__ = ["parse_local_date"]


def _relative_days() -> dict[str, int]:
    """ "today", "mañana", ...: the words of every language the bot speaks (the catalogue's)."""
    found: dict[str, int] = {}
    for name, offset in (("TODAY_WORDS", 0), ("TOMORROW_WORDS", 1), ("YESTERDAY_WORDS", -1)):
        for listed in in_every_language(texts, name):
            found.update({word.strip().casefold(): offset for word in listed.split("|")})
    return found


@functools.cache
def _month_names() -> dict[str, int]:
    """Month names and abbreviations of every language the bot speaks, from CLDR (Babel):
    "december", "dec", "diciembre", "dic"; accents and dots dropped."""
    from babel.dates import get_month_names

    found: dict[str, int] = {}
    for language in LANGUAGES:
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=language).items():
                found.setdefault(_plain(name), number)
    return found


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).rstrip(".")


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
    "setiembre": 9,
}
_YEAR_FIRST_DATE = re.compile(
    r"(?P<year>[0-9]{4})[-/.](?P<month>[0-9]{1,2})[-/.](?P<day>[0-9]{1,2})"
)
_DAY_SUFFIX = r"(?:st|nd|rd|th)?"
_YEAR_SUFFIX = r"(?:(?:,\s*|\s+(?:de\s+)?)(?P<year>[0-9]{4}))?"
_DAY_MONTH_DATE = re.compile(
    rf"(?P<day>[0-9]{{1,2}}){_DAY_SUFFIX}(?:\s+(?:of|de)(?=\s))?\s*(?P<month>[a-z]+)\.?{_YEAR_SUFFIX}"
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
    relative = _relative_days()
    if normalized in relative:
        return today + timedelta(days=relative[normalized])
    normalized = _plain(normalized)

    year_first = _YEAR_FIRST_DATE.fullmatch(normalized)
    if year_first is not None:
        return _build_date(
            int(year_first["year"]), int(year_first["month"]), int(year_first["day"])
        )
    if _NUMBERS_ONLY_DATE.fullmatch(normalized):
        raise TimingError(texts.DATE_ORDER_AMBIGUOUS)

    for pattern in (_DAY_MONTH_DATE, _MONTH_DAY_DATE):
        named = pattern.fullmatch(normalized)
        if named is None:
            continue
        month_number = _MONTH_NUMBERS.get(named["month"]) or _month_names().get(named["month"])
        if month_number is None:
            continue
        month, day = month_number, int(named["day"])
        if named["year"] is not None:
            return _build_date(int(named["year"]), month, day)
        return _nearest_date_without_year(month, day, today)
    raise TimingError(texts.DATE_NOT_UNDERSTOOD)


def _build_date(year: int, month: int, day: int) -> date:
    """``date(year, month, day)``, or a ``TimingError`` if there is no such day."""
    try:
        return date(year, month, day)
    except ValueError:
        raise TimingError(texts.DATE_DOES_NOT_EXIST) from None


def _nearest_date_without_year(month: int, day: int, today: date) -> date:
    """The valid ``month``/``day`` closest to ``today`` (last, this or next year)."""
    candidates: list[date] = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        raise TimingError(texts.DATE_DOES_NOT_EXIST)
    return min(candidates, key=lambda candidate: (abs(candidate - today), candidate < today))
