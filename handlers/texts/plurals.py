"""Plural forms of counted words ("1 day", "3 days"), through gettext.

Every count shown to a person goes through :func:`counted`, which asks ``ngettext`` of the
catalogue of the language in use (:mod:`handlers.i18n`): English's two forms, Spanish's two,
and whatever rule another language's catalogue declares (one, three or six forms work the same
way).
"""

from __future__ import annotations

from handlers.i18n import Plural, ngettext


def plural(singular: str, plural_form: str, n: int) -> str:
    """The form of ``singular``/``plural_form`` for ``n`` in the language in use, with ``{n}``
    replaced by it: ``plural("{n} day", "{n} days", 1) == "1 day"``. Other ``{placeholders}``
    are left for the caller's ``format``."""
    return ngettext(singular, plural_form, n).replace("{n}", str(n))


# The counted words the bot says (extracted as plural messages by handlers.i18n.extract).
DAY = Plural("{n} day", "{n} days")
CHECKIN = Plural("{n} check-in", "{n} check-ins")
ALERT = Plural("{n} alert", "{n} alerts")
GOAL = Plural("{n} goal", "{n} goals")
TIME = Plural("{n} time", "{n} times")
USE = Plural("{n} use", "{n} uses")
MENTEE = Plural("{n} mentee", "{n} mentees")
PERSON = Plural("{n} person", "{n} people")
SIGNUP = Plural("{n} peer-circle sign-up or visit", "{n} peer-circle sign-ups and visits")
LEDGER_ROW = Plural("{n} ledger row", "{n} ledger rows")
AUDIT_ROW = Plural("{n} audit row", "{n} audit rows")
CONVERSATION = Plural("{n} idle conversation", "{n} idle conversations")
LINK_CODE = Plural("{n} expired link code", "{n} expired link codes")


def counted(forms: Plural, n: int) -> str:
    """``counted(DAY, 1) == "1 day"``: :func:`plural` of one of the phrases above."""
    return plural(forms.one, forms.many, n)
