"""Platform-neutral crisis screen: does a chat message disclose a crisis?

``assess(text)`` answers with a :class:`CrisisAssessment`: whether the message looks like a
crisis disclosure, which of :data:`CATEGORIES` it falls in, and the *name* of the phrase-list
entry that matched (never the person's own words, so it is safe to log).

The phrase lists are data, one TOML file per locale in ``handlers/crisis/phrases/``; the English
file documents the format. They are compiled once per locale into one regex holding one group
per category (plus one for idioms), so a message is scanned once. This module is the public
face; the file is read by :mod:`handlers.crisis.phrase_file` and the rules below live in
:mod:`handlers.crisis.matching`.

How a message is screened:

1. It is normalised (see :func:`normalise`); sentence punctuation becomes a line break, and
   every hit's context (negation, subject, past time) is read only within its own sentence and
   a bounded distance of it, so work per hit stays constant however long the message is.
2. Letter runs are squashed (``kill`` -> ``kil``, ``diiie`` -> ``die``) in the text and, at
   compile time, in the patterns, so repeated letters and doubled-letter typos still match.
3. Idioms ("the suspense is killing me") are skipped: they are alternatives tried before any
   phrase, and a phrase hit that overlaps an idiom is dropped.
4. Each hit is checked against its context, and dropped when
   * a negation cue governs it ("I'm *not* suicidal"): a cue among the few words before it,
     with no new subject or conjunction in between ("I'm not ok, I want to die" still fires);
   * it is about someone else ("my sponsor's brother wanted to die"): the nearest subject
     word before it is third person. A person who is only the object of a preposition or
     verb ("I talked *to my sponsor* about ...") is not the subject. Overdose and medical
     emergencies are exempt: "my friend is overdosing" is an emergency whoever it happens to;
   * it is talk *about* the topic ("suicide prevention training", "overdose awareness day");
   * its sentence is set in the past ("five years ago I overdosed"), unless the message also
     states present intent ("... and I want to do it again tonight"): safety first.
5. Any surviving hit makes the message a crisis; when several categories survive, the one
   earliest in the file's ``[screen].order`` is reported (overdose first).

Nothing here does I/O after the first call for a locale, and nothing is platform specific.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Final

from handlers.crisis.matching import CATEGORIES, Screen
from handlers.crisis.phrase_file import build
from handlers.screening import NOT_CRISIS, CrisisAssessment, stronger

__all__ = [
    "CATEGORIES",
    "DEFAULT_LOCALE",
    "CrisisAssessment",
    "assess",
    "assess_every_locale",
    "normalise",
]

DEFAULT_LOCALE: Final = "en"
"""The locale used when the requested one has no phrase file."""

DATA_DIR: Final = Path(__file__).resolve().parent / "phrases"
"""Where the per-locale phrase files (``<locale>.toml``) live."""


@functools.cache
def _available_locales() -> frozenset[str]:
    return frozenset(path.stem for path in DATA_DIR.glob("*.toml"))


@functools.lru_cache(maxsize=256)
def _resolve_locale(locale: str) -> str:
    """The phrase file to use for ``locale``: exact tag, then language, then the default."""
    available = _available_locales()
    tag = locale.strip().lower().replace("_", "-") if isinstance(locale, str) else ""
    if tag in available:
        return tag
    language = tag.split("-", 1)[0]
    return language if language in available else DEFAULT_LOCALE


@functools.cache
def _screen(locale: str) -> Screen:
    """Load and compile one locale's phrase file (once per process)."""
    with (DATA_DIR / f"{locale}.toml").open("rb") as handle:
        data = tomllib.load(handle)
    return build(locale, data)


# --- public API ---------------------------------------------------------------------------------


def assess(text: str, locale: str = DEFAULT_LOCALE) -> CrisisAssessment:
    """Screen one chat message for a crisis disclosure.

    Unknown locales fall back to English. Never raises for any string input.
    """
    return _screen(_resolve_locale(locale)).assess(text)


def assess_every_locale(text: str) -> CrisisAssessment:
    """:func:`assess` with every locale's phrase file, whatever the person's language: the
    first that finds a crisis answers, otherwise the strongest verdict."""
    found = NOT_CRISIS
    for locale in sorted(_available_locales()):
        found = stronger(found, _screen(locale).assess(text))
        if found.is_crisis:
            break
    return found


def normalise(text: str, locale: str = DEFAULT_LOCALE) -> str:
    """The text the screen reads, as one line.

    Lower case, Unicode NFKC, curly quotes straightened, apostrophes dropped (``don't`` and
    ``dont`` both become ``dont``), punctuation and emoji removed, runs of three or more of
    a letter collapsed to one (``diiiie`` -> ``die``), the locale's misspelling map applied
    (``suicidle`` -> ``suicidal``) and whitespace collapsed.
    """
    return _screen(_resolve_locale(locale)).normaliser.public(text)
