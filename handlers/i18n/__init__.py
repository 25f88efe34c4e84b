"""Which language a message is rendered in, and the catalogues that say it.

**Per message, not per process.** The language in use is a context variable
(:func:`speaking`), set for the span in which one recipient's messages are built:

- the dispatcher sets it for a person's turn (their stored language, else what their platform
  says they read), so everything a flow or command returns is in that person's language;
- a proactive send sets it for the person it goes to (:func:`speaking_to`), so a Spanish
  mentee's alert reaches an English-speaking mentor in English.

**Texts stay plain constants.** Each capability's ``texts`` module keeps its sentences as
English constants and ends with :func:`translated_module`. Reading ``texts.NAME`` then returns
that sentence in the language in use (a ``dict`` or ``tuple`` of sentences is translated item
by item), so call sites keep writing ``texts.NAME.format(...)`` and cannot forget to translate.
A text read outside a function (a default argument, a module-level table) would freeze English
at import; ``tests/test_i18n.py`` refuses that.

**Catalogues.** The English constants are the message ids (``locales/peerbot.pot`` is their
template, extracted with Babel: ``pybabel extract -F babel.cfg -o
handlers/i18n/locales/peerbot.pot .``). A language is one
``locales/<code>/LC_MESSAGES/peerbot.po``; it is compiled with Babel (``read_po``) the first
time the language is used in a process, so there is no build step and no ``.mo`` to keep in
step. Dropping a new ``.po`` there adds the language: :data:`LANGUAGES` is read from the folder.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext as _gettext
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SOURCE_LANGUAGE = "en"
"""The language the texts are written in: its catalogue is the message ids themselves."""

DOMAIN = "peerbot"
LOCALES = Path(__file__).resolve().parent / "locales"


def _available() -> tuple[str, ...]:
    found = sorted(p.parent.parent.name for p in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE_LANGUAGE, *(code for code in found if code != SOURCE_LANGUAGE))


LANGUAGES: tuple[str, ...] = _available()
"""Every language the bot speaks: English, then each catalogue in ``locales/``."""

_current: contextvars.ContextVar[str] = contextvars.ContextVar(
    "peerbot_language", default=SOURCE_LANGUAGE
)


def current_language() -> str:
    """The language messages are being built in now."""
    return _current.get()


@contextlib.contextmanager
def speaking(language: str | None) -> Iterator[str]:
    """Build messages in ``language`` (a supported code; anything else means English) inside
    the ``with`` block, then go back to what was in use before."""
    chosen = supported(language) or SOURCE_LANGUAGE
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def supported(code: str | None) -> str | None:
    """The supported language a platform's or person's code names (``es-MX`` -> ``es``,
    ``pt_BR`` -> ``None`` while there is no Portuguese), or ``None``."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].strip().casefold()
    return base if base in LANGUAGES else None


@functools.cache
def translations(language: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``language`` (English: the ids themselves)."""
    if language == SOURCE_LANGUAGE or language not in LANGUAGES:
        return _gettext.NullTranslations()
    # Babel's catalogue machinery loads only when a translation is first needed; the .po is
    # compiled in memory, so a fresh clone runs without a build step or a committed .mo.
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with (LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext(message: str, language: str | None = None) -> str:
    """``message`` in ``language`` (default: the one in use)."""
    if not message:
        return message
    return translations(language or current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int, language: str | None = None) -> str:
    """The form of ``singular``/``plural`` for ``n`` in ``language`` (default: the one in use),
    by that language's plural rule (two forms in English and Spanish; any number elsewhere)."""
    return translations(language or current_language()).ngettext(singular, plural, n)


@dataclass(frozen=True, slots=True)
class Plural:
    """A counted phrase, its English forms for one and for many: ``Plural("{n} day",
    "{n} days")``. Extracted as one plural message; see :func:`handlers.texts.plurals.counted`."""

    one: str
    many: str


def translate(value: Any, language: str | None = None) -> Any:
    """A text constant in ``language``: a string, or each sentence of a dict's values, a tuple
    or a list (keys and anything else are left as they are)."""
    if isinstance(value, str):
        return gettext(value, language)
    if isinstance(value, dict):
        return {key: translate(item, language) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(translate(item, language) for item in value)
    if isinstance(value, list):
        return [translate(item, language) for item in value]
    return value


class _TextsModule(types.ModuleType):
    """A texts module whose UPPERCASE constants read in the language in use."""

    def __getattribute__(self, name: str) -> Any:
        value = super().__getattribute__(name)
        if not name[:1].isupper() or _current.get() == SOURCE_LANGUAGE:
            return value
        return translate(value)


def with_english(module: types.ModuleType, name: str) -> tuple[Any, Any]:
    """A texts constant in the language in use and in English: for what people type, which
    may be either (a Spanish speaker may type "yes"), e.g. the words a yes/no answer takes."""
    return getattr(module, name), types.ModuleType.__getattribute__(module, name)


def in_every_language(module: types.ModuleType, name: str) -> tuple[Any, ...]:
    """A texts constant in every language the bot speaks: for reading what anyone may type
    whatever their setting (``"tomorrow"``, ``"mañana"``)."""
    source = types.ModuleType.__getattribute__(module, name)
    return tuple(translate(source, language) for language in LANGUAGES)


def translated_module(name: str) -> None:
    """Call as ``translated_module(__name__)`` at the end of a texts module: its constants are
    then read in the language in use (see the module docstring)."""
    sys.modules[name].__class__ = _TextsModule


def is_translated_module(module: types.ModuleType) -> bool:
    return isinstance(module, _TextsModule)


def language_name(language: str, *, in_a_sentence: bool = False) -> str:
    """The language's own name (CLDR), as a button says it (``English``, ``Español``) or, with
    ``in_a_sentence``, as its own language writes it mid-sentence (``English``, ``español``)."""
    from babel import Locale

    name = Locale.parse(language).get_display_name(language) or language
    return name if in_a_sentence else name[:1].upper() + name[1:]
