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


# The counted words the bot says, each as (one, many) for ngettext.
DAY = ("{n} day", "{n} days")
CHECKIN = ("{n} check-in", "{n} check-ins")
ALERT = ("{n} alert", "{n} alerts")
GOAL = ("{n} goal", "{n} goals")
TIME = ("{n} time", "{n} times")
USE = ("{n} use", "{n} uses")
MENTEE = ("{n} mentee", "{n} mentees")
PERSON = ("{n} person", "{n} people")
SIGNUP = ("{n} peer-circle sign-up or visit", "{n} peer-circle sign-ups and visits")
LEDGER_ROW = ("{n} ledger row", "{n} ledger rows")
AUDIT_ROW = ("{n} audit row", "{n} audit rows")
CONVERSATION = ("{n} idle conversation", "{n} idle conversations")
LINK_CODE = ("{n} expired link code", "{n} expired link codes")


def counted(forms: tuple[str, str], n: int) -> str:
    """``counted(DAY, 1) == "1 day"``: :func:`plural` of one of the pairs above."""
    return plural(forms[0], forms[1], n)
