"""Plural forms of counted words ("1 day", "3 days"), through gettext.

Every count shown to a person goes through :func:`plural`, which asks ``ngettext`` of the
translations in use: English's two forms by default (:class:`gettext.NullTranslations`), and
whatever a language's catalogue says once one is installed with :func:`use_translations`
(languages with one, three or six forms work the same way).
"""

from __future__ import annotations

import gettext

_translations: gettext.NullTranslations = gettext.NullTranslations()


def use_translations(translations: gettext.NullTranslations) -> None:
    """Put a catalogue (e.g. ``gettext.translation("peerbot", ...)``) behind every count."""
    global _translations
    _translations = translations


def plural(singular: str, plural_form: str, n: int) -> str:
    """The form of ``singular``/``plural_form`` for ``n``, with ``{n}`` replaced by it:
    ``plural("{n} day", "{n} days", 1) == "1 day"``. Other ``{placeholders}`` are left for
    the caller's ``format``."""
    return _translations.ngettext(singular, plural_form, n).replace("{n}", str(n))
