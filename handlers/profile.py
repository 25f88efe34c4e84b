"""A person's profile: the questions onboarding and /settings share (name, time zone, check-in
time), and how a person's name, local date and times are shown.

Each ``ask_*`` builds the question (with buttons whose payloads start with the calling flow's
name), and each ``read_*`` turns an answer into a value or raises :class:`ProfileAnswerError`
with a kind sentence saying what to do instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import logging
import secrets
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from handlers.context import Context, Turn, save_state
from handlers.i18n import (
    LANGUAGES,
    SOURCE_LANGUAGE,
    current_language,
    language_name,
    speaking,
    supported,
)
from handlers.logsafe import describe_exception
from handlers.messaging import Button, IncomingEvent, OutgoingMessage
from handlers.routes import Route
from handlers.texts import common as common_texts
from handlers.texts import profile as texts
from handlers.timing import TimingError, ZoneMatch, parse_time_of_day, resolve_zone
from storage.people import AccountAddress, Settings

log = logging.getLogger(__name__)

MAX_NAME_CHARS = 40

LANGUAGE_LOOKUP_SECONDS = 2.0
"""How long a turn waits to learn the sender's language before answering in the platform's."""

PAUSED_INDEFINITELY = datetime(9999, 12, 31, tzinfo=UTC)
"""``paused_until`` for a /pause with no end date (or an unreachable person): until /resume."""

# Bidirectional overrides and isolates can make a name display as something else.
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}

_NAME_WORDS_A = ("Calm", "Bright", "Steady", "Brave", "Kind", "Quiet", "Hopeful", "Gentle")
_NAME_WORDS_B = ("River", "Heron", "Maple", "Harbor", "Meadow", "Sparrow", "Cedar", "Lantern")

COMMON_TIMES = (time(8, 0), time(12, 0), time(18, 0), time(20, 0))


class ProfileAnswerError(ValueError):
    """An answer we could not use; ``str()`` is the kind sentence to send back."""


@dataclass(frozen=True, slots=True)
class NamePress:
    """The suggested name, pressed."""

    name: str


@dataclass(frozen=True, slots=True)
class ZoneYesPress:
    """Yes, that is my time zone."""


@dataclass(frozen=True, slots=True)
class ZoneNoPress:
    """No, let me type it again."""


@dataclass(frozen=True, slots=True)
class TimePress:
    """A check-in time (``HH:MM``), pressed."""

    time: str


@dataclass(frozen=True, slots=True)
class LanguagePress:
    """A language (its code, e.g. ``es``), pressed."""

    code: str


@dataclass(frozen=True, slots=True)
class ProfileRoutes:
    """The profile questions' buttons in one flow; their payloads start with the flow's name."""

    name: Route[NamePress]
    zone_yes: Route[ZoneYesPress]
    zone_no: Route[ZoneNoPress]
    time: Route[TimePress]
    language: Route[LanguagePress]

    @property
    def all(
        self,
    ) -> tuple[
        Route[NamePress],
        Route[ZoneYesPress],
        Route[ZoneNoPress],
        Route[TimePress],
        Route[LanguagePress],
    ]:
        return (self.name, self.zone_yes, self.zone_no, self.time, self.language)


@functools.cache
def profile_routes(flow: str) -> ProfileRoutes:
    """The routes of the profile questions asked by ``flow`` (onboarding and /settings)."""
    return ProfileRoutes(
        name=Route(flow, "name:{name}", NamePress),
        zone_yes=Route(flow, "zone:yes", ZoneYesPress),
        zone_no=Route(flow, "zone:no", ZoneNoPress),
        time=Route(flow, "time:{time}", TimePress),
        language=Route(flow, "lang:{code}", LanguagePress),
    )


def language_buttons(flow: str, *, besides: str | None = None) -> list[Button]:
    """A button per language the bot speaks, each labelled in its own language (``English``,
    ``Español``), leaving out ``besides`` (the one in use, when offering the others)."""
    route = profile_routes(flow).language
    return [
        route.button(language_name(code), LanguagePress(code))
        for code in LANGUAGES
        if code != besides
    ]


async def save_language(ctx: Context, person_id: int, code: str) -> str:
    """Store the language a person chose (a pressed button: only a supported code counts;
    anything else raises :class:`ProfileAnswerError`)."""
    chosen = supported(code)
    if chosen is None:
        raise ProfileAnswerError(texts.LANGUAGE_UNKNOWN)
    await ctx.storage.update_settings(person_id, language=chosen)
    return chosen


def suggest_pseudonym() -> str:
    return f"{secrets.choice(_NAME_WORDS_A)} {secrets.choice(_NAME_WORDS_B)}"


def read_name(text: str) -> str:
    """A display name: trimmed, one line, no control or bidi-override characters."""
    cleaned = "".join(
        ch
        for ch in text
        if (ch not in _BIDI_CONTROLS and unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
        or ch == "\u200d"  # zero-width joiner: part of many emoji
    )
    name = " ".join(cleaned.split())
    if not name:
        raise ProfileAnswerError(texts.NAME_EMPTY)
    if len(name) > MAX_NAME_CHARS:
        raise ProfileAnswerError(texts.NAME_TOO_LONG.format(limit=MAX_NAME_CHARS))
    return name


def ask_name(flow: str) -> OutgoingMessage:
    suggestion = suggest_pseudonym()
    return OutgoingMessage.with_buttons(
        texts.ASK_NAME,
        [
            profile_routes(flow).name.button(
                texts.USE_SUGGESTION.format(name=suggestion), NamePress(suggestion)
            )
        ],
    )


def ask_zone(name: str) -> OutgoingMessage:
    return OutgoingMessage(texts.ASK_ZONE.format(name=name))


def read_zone(text: str) -> ZoneMatch:
    try:
        return resolve_zone(text)
    except TimingError as err:
        raise ProfileAnswerError(str(err)) from None


async def answer_zone(ctx: Context, turn: Turn, flow: str, text: str) -> list[OutgoingMessage]:
    """Read a typed city or zone; ask to confirm it (moving ``flow`` to ``zone_confirm``)."""
    try:
        match = read_zone(text)
    except ProfileAnswerError as err:
        return [OutgoingMessage(str(err))]
    await save_state(ctx, turn, flow, "zone_confirm", zone=match.zone)
    return [confirm_zone(flow, match, ctx.clock())]


def confirm_zone(flow: str, match: ZoneMatch, now: datetime) -> OutgoingMessage:
    local = now.astimezone(ZoneInfo(match.zone))
    return OutgoingMessage.with_buttons(
        texts.CONFIRM_ZONE.format(label=match.label, local_time=format_time(local.time())),
        [
            profile_routes(flow).zone_yes.button(texts.ZONE_YES, ZoneYesPress()),
            profile_routes(flow).zone_no.button(texts.ZONE_NO, ZoneNoPress()),
        ],
    )


def ask_time(flow: str, question: str | None = None) -> OutgoingMessage:
    route = profile_routes(flow).time
    buttons = [route.button(format_time(t), TimePress(t.strftime("%H:%M"))) for t in COMMON_TIMES]
    return OutgoingMessage.with_buttons(question or texts.ASK_TIME, buttons, per_row=4)


def read_time(text: str) -> time:
    try:
        return parse_time_of_day(text)
    except TimingError as err:
        raise ProfileAnswerError(str(err)) from None


class DateStyle(enum.Enum):
    """How a date is shown to people. Each is a CLDR pattern in ``handlers.texts.profile``
    (``DATE_PATTERNS``), so a catalogue gives each language its own order and words, and Babel
    fills in the month and weekday names of the language in use."""

    DAY_MONTH = "day_month"
    """``4 Dec`` / ``4 dic``"""
    WEEKDAY_DAY_MONTH = "weekday_day_month"
    """``Fri 4 Dec`` / ``vie 4 dic``"""
    WEEKDAY_DAY_MONTH_YEAR = "weekday_day_month_year"
    """``Fri 4 Dec 2026``"""
    DAY_MONTH_YEAR_LONG = "day_month_year_long"
    """``4 December 2026`` / ``4 de diciembre de 2026``"""
    WEEKDAY_DAY_MONTH_LONG = "weekday_day_month_long"
    """``Friday 4 December`` / ``viernes 4 de diciembre``"""


def format_date(day: date, style: DateStyle = DateStyle.WEEKDAY_DAY_MONTH) -> str:
    """``day`` as people read it, in the language in use (Babel's CLDR data)."""
    from babel.dates import format_date as babel_date

    return babel_date(day, texts.DATE_PATTERNS[style.value], locale=current_language())


async def save_name(ctx: Context, person_id: int, text: str) -> str:
    """Read a typed or pressed name and store it; raises :class:`ProfileAnswerError`."""
    name = read_name(text)
    await ctx.storage.set_display_name(person_id, name)
    return name


async def save_zone(ctx: Context, person_id: int, zone: str | None) -> str:
    """Store the zone the person confirmed. A confirmation with no zone waiting (an old
    button, a lost state) raises :class:`ProfileAnswerError` asking for the city again,
    rather than storing an empty zone that would silently stop their check-ins."""
    if not zone:
        raise ProfileAnswerError(texts.ZONE_RETYPE)
    await ctx.storage.update_settings(person_id, timezone=zone)
    return zone


async def save_time(ctx: Context, person_id: int, text: str) -> tuple[time, Settings]:
    """Read a typed or pressed check-in time and store it; raises :class:`ProfileAnswerError`.
    Returns the time and the person's settings after the change."""
    chosen = read_time(text)
    settings = await ctx.storage.update_settings(person_id, checkin_time=chosen.strftime("%H:%M"))
    return chosen, settings


def format_time(value: time) -> str:
    """A time of day as people read it in the language in use: ``8:30 pm``, ``20:30``
    (``TIME_PATTERN``, a CLDR pattern each catalogue sets; day periods in lower case)."""
    from babel.dates import format_time as babel_time

    return babel_time(value, texts.TIME_PATTERN, locale=current_language()).lower()


def time_from_setting(value: str) -> time:
    """The stored ``HH:MM`` as a time."""
    return time.fromisoformat(value)


async def local_today(ctx: Context, person_id: int) -> tuple[date, str]:
    """The person's local date now, and their zone (UTC if unknown or gone from tzdata)."""
    settings = await ctx.storage.get_settings(person_id)
    zone = settings.timezone or "UTC"
    try:
        tz = ZoneInfo(zone)
    except (KeyError, ValueError):
        zone, tz = "UTC", ZoneInfo("UTC")
    return ctx.clock().astimezone(tz).date(), zone


async def language_of(ctx: Context, person_id: int | None) -> str:
    """The language ``person_id`` reads: the one they chose, else English. Never raises (a
    message in English beats no message)."""
    if person_id is None:
        return SOURCE_LANGUAGE
    try:
        chosen = (await ctx.storage.get_settings(person_id)).language
    except Exception as exc:
        log.warning("no language for person %s: %s", person_id, describe_exception(exc))
        return SOURCE_LANGUAGE
    return supported(chosen) or SOURCE_LANGUAGE


async def language_of_sender(ctx: Context, event: IncomingEvent) -> str:
    """The language to answer ``event`` in: the sender's chosen one, else the one their
    platform names (if we speak it), else English. Never raises: a crisis reply goes out in
    the platform's language, or English, even when storage cannot be read."""
    hinted = supported(event.language_hint) or SOURCE_LANGUAGE
    try:
        # Bounded: it runs before the crisis screen answers, which must not wait on a slow store.
        async with asyncio.timeout(LANGUAGE_LOOKUP_SECONDS):
            person = await ctx.storage.person_for_account(
                AccountAddress(event.ref.platform, event.ref.user_id)
            )
            if person is None:
                return hinted
            chosen = (await ctx.storage.get_settings(person.id)).language
    except Exception as exc:
        log.warning("event %s: no language: %s", event.event_id, describe_exception(exc))
        return hinted
    return supported(chosen) or hinted


@contextlib.asynccontextmanager
async def speaking_to(ctx: Context, person_id: int | None) -> AsyncIterator[str]:
    """Build what is sent to ``person_id`` in their language: ``async with speaking_to(ctx,
    mentor_id): message = ...``. Every proactive message is built inside one."""
    with speaking(await language_of(ctx, person_id)) as language:
        yield language


async def display_name(ctx: Context, person_id: int | None) -> str:
    """The name the person chose, or a kind placeholder until they choose one."""
    person = await ctx.storage.get_person(person_id) if person_id is not None else None
    if person is None or not person.display_name:
        return common_texts.UNNAMED
    return person.display_name


@dataclass(frozen=True, slots=True)
class PersonLabel:
    """Who a staff listing names: the person's id and their chosen name as stored.

    ``name`` is ``None`` when nobody has that id (any more), and ``""`` when the person has not
    chosen a name; how either is shown is the listing's choice (the CLI prints ``#12 Sam``).
    """

    id: int
    name: str | None


async def person_label(ctx: Context, person_id: int) -> PersonLabel:
    person = await ctx.storage.get_person(person_id)
    return PersonLabel(person_id, person.display_name if person is not None else None)


async def maybe_label(ctx: Context, person_id: int | None) -> PersonLabel | None:
    return await person_label(ctx, person_id) if person_id is not None else None
