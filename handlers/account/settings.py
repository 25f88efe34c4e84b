"""``/settings``, ``/pause``, ``/resume`` and ``/stop``: a person's control over the bot.

``/settings`` also sets the date a person counts their recovery from (any past date; see
:mod:`handlers.checkins.recovery` for how the journey start moves with it), and lets staff,
whose daily check-ins are off by default, turn them on by choosing a time (and off again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from handlers import flowstate, profile
from handlers.account import settings_texts as texts
from handlers.checkins import recovery
from handlers.context import Capability, CommandSpec, Context, Replies, Turn, end_flow, save_state
from handlers.dispatcher import stale_button
from handlers.i18n import current_language, language_name, speaking
from handlers.messaging import OutgoingMessage
from handlers.profile import (
    LanguagePress,
    NamePress,
    ProfileAnswerError,
    TimePress,
    ZoneNoPress,
    ZoneYesPress,
    profile_routes,
)
from handlers.routes import Route, decode_any
from handlers.texts import profile as profile_texts
from handlers.timing import TimingError, parse_local_date, parse_quiet_hours
from storage.conversations import ConversationState
from storage.people import Role

FLOW = "st"
EVERYONE = frozenset(Role)


@dataclass(frozen=True, slots=True)
class MenuPress:
    """A settings menu button: ``name``, ``zone``, ``time``, ``quiet``, ``since`` or ``done``."""

    choice: str


@dataclass(frozen=True, slots=True)
class CheckinsOffPress:
    """No daily check-ins (offered to staff, whose check-ins are optional)."""


MENU = Route(FLOW, "menu:{choice}", MenuPress)
CHECKINS_OFF = Route(FLOW, "checkins:off", CheckinsOffPress)
ROUTES: tuple[Route[Any], ...] = (MENU, CHECKINS_OFF, *profile_routes(FLOW).all)
STAFF_ROLES = frozenset({Role.MENTOR, Role.FACILITATOR, Role.COORDINATOR})

_STEP_OF_PRESS: dict[type, str] = {
    MenuPress: "menu",
    NamePress: "name",
    ZoneYesPress: "zone_confirm",
    ZoneNoPress: "zone_confirm",
    TimePress: "time",
    CheckinsOffPress: "time",
    LanguagePress: "language",
}
"""The step a person must be at for a press of each kind to count."""

STEPS = frozenset({"menu", "name", "zone", "zone_confirm", "time", "quiet", "since", "language"})


@dataclass(frozen=True, slots=True)
class SettingsState:
    """What /settings keeps between messages: the step and a time zone awaiting a yes."""

    step: str
    zone: str | None = None


@dataclass(frozen=True, slots=True)
class _Saved:
    """The state's data as stored: a time zone awaiting a yes."""

    zone: str | None = None


def load_state(state: ConversationState | None) -> SettingsState | None:
    """The saved settings state, or None if there is none or its shape is unknown (saved by
    an older version): the caller treats that as stale."""
    if state is None or state.flow != FLOW or state.step not in STEPS:
        return None
    saved = flowstate.load(_Saved, state)
    return None if saved is None else SettingsState(state.step, zone=saved.zone)


@dataclass(frozen=True, slots=True)
class _MenuChoice:
    """Where a menu button leads: the step it opens and the question it asks."""

    step: str
    ask: Callable[[Turn], OutgoingMessage]


def _ask_time(turn: Turn) -> OutgoingMessage:
    """The check-in time question; staff may also choose no daily check-ins."""
    asked = profile.ask_time(FLOW)
    if not _checkins_optional(turn.roles):
        return asked
    off = CHECKINS_OFF.button(texts.CHECKINS_OFF_BUTTON, CheckinsOffPress())
    return OutgoingMessage(asked.text, rows=(*asked.rows, (off,)))


def _checkins_optional(roles: frozenset[Role]) -> bool:
    """Staff who are not (also) mentees: their daily check-ins are theirs to turn off."""
    return Role.MENTEE not in roles and bool(roles & STAFF_ROLES)


_MENU: flowstate.Steps[_MenuChoice] = flowstate.Steps(
    {
        "name": _MenuChoice("name", lambda turn: profile.ask_name(FLOW)),
        "zone": _MenuChoice("zone", lambda turn: OutgoingMessage(profile_texts.ZONE_RETYPE)),
        "time": _MenuChoice("time", _ask_time),
        "quiet": _MenuChoice("quiet", lambda turn: OutgoingMessage(texts.ASK_QUIET)),
        "since": _MenuChoice("since", lambda turn: OutgoingMessage(texts.ASK_SINCE)),
        "language": _MenuChoice(
            "language",
            lambda turn: OutgoingMessage.with_buttons(
                texts.ASK_LANGUAGE, profile.language_buttons(FLOW), per_row=2
            ),
        ),
    }
)
"""The menu's step table; ``done`` closes the menu."""


async def show_settings(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    assert turn.person is not None
    settings = await ctx.storage.get_settings(turn.person.id)
    shown_time = (
        profile.format_time(profile.time_from_setting(settings.checkin_time))
        if settings.checkin_time
        else texts.CHECKINS_ARE_OFF
    )
    since = turn.person.streak_start
    shown_since = recovery.show_date(since) if since is not None else texts.NO_RECOVERY_DATE
    await save_state(ctx, turn, FLOW, "menu")
    return [
        OutgoingMessage.with_buttons(
            texts.MENU.format(
                name=turn.person.display_name,
                zone=settings.timezone or "-",
                time=shown_time,
                quiet=settings.quiet_hours or ctx.program.checkin.quiet_hours,
                since=shown_since,
                language=language_name(current_language(), in_a_sentence=True),
            ),
            [
                MENU.button(texts.MENU_NAME, MenuPress("name")),
                MENU.button(texts.MENU_ZONE, MenuPress("zone")),
                MENU.button(texts.MENU_TIME, MenuPress("time")),
                MENU.button(texts.MENU_QUIET, MenuPress("quiet")),
                MENU.button(texts.MENU_SINCE, MenuPress("since")),
                MENU.button(texts.MENU_LANGUAGE, MenuPress("language")),
                MENU.button(texts.MENU_DONE, MenuPress("done")),
            ],
            per_row=2,
        )
    ]


class SettingsFlow:
    name = FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = decode_any(payload, ROUTES)
        state = load_state(turn.state)
        if (
            turn.person is None
            or press is None
            or state is None
            or _STEP_OF_PRESS[type(press)] != state.step
        ):
            return [stale_button(texts.STALE_NEXT_STEP)]
        match press:
            case MenuPress(choice=choice) if choice in _MENU or choice == "done":
                return await self._menu(ctx, turn, choice)
            case NamePress(name=name):
                return await self._name(ctx, turn, name)
            case ZoneYesPress():
                return await self._zone_confirmed(ctx, turn, state)
            case ZoneNoPress():
                await save_state(ctx, turn, FLOW, "zone")
                return [OutgoingMessage(profile_texts.ZONE_RETYPE)]
            case TimePress(time=chosen):
                return await self._time(ctx, turn, chosen)
            case CheckinsOffPress() if _checkins_optional(turn.roles):
                return await self._checkins_off(ctx, turn)
            case LanguagePress(code=code):
                return await self._language(ctx, turn, code)
        return [stale_button(texts.STALE_NEXT_STEP)]

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        saved = load_state(turn.state)
        if turn.person is None or saved is None:
            await end_flow(ctx, turn)
            return [stale_button()]
        step = saved.step
        if step == "name":
            return await self._name(ctx, turn, text)
        if step in ("zone", "zone_confirm"):
            return await self._zone(ctx, turn, text)
        if step == "time":
            return await self._time(ctx, turn, text)
        if step == "quiet":
            return await self._quiet(ctx, turn, text)
        if step == "since":
            return await self._since(ctx, turn, text)
        return [OutgoingMessage(texts.TAP_A_BUTTON)]

    async def _menu(self, ctx: Context, turn: Turn, choice: str) -> Replies:
        assert turn.person is not None
        opened = _MENU.get(choice)
        if opened is not None:
            await save_state(ctx, turn, FLOW, opened.step)
            return [opened.ask(turn)]
        await end_flow(ctx, turn)
        return [OutgoingMessage(texts.MENU_CLOSED)]

    async def _language(self, ctx: Context, turn: Turn, code: str) -> Replies:
        assert turn.person is not None
        try:
            chosen = await profile.save_language(ctx, turn.person.id, code)
        except ProfileAnswerError as err:
            return [OutgoingMessage(str(err))]
        await end_flow(ctx, turn)
        with speaking(chosen):  # the answer is already in the language they chose
            return [
                OutgoingMessage(
                    texts.LANGUAGE_SAVED.format(language=language_name(chosen, in_a_sentence=True))
                )
            ]

    async def _name(self, ctx: Context, turn: Turn, text: str) -> Replies:
        assert turn.person is not None
        try:
            name = await profile.save_name(ctx, turn.person.id, text)
        except ProfileAnswerError as err:
            return [OutgoingMessage(str(err))]
        await end_flow(ctx, turn)
        return [OutgoingMessage(texts.NAME_SAVED.format(name=name))]

    async def _zone(self, ctx: Context, turn: Turn, text: str) -> Replies:
        return await profile.answer_zone(ctx, turn, FLOW, text)

    async def _zone_confirmed(self, ctx: Context, turn: Turn, state: SettingsState) -> Replies:
        assert turn.person is not None
        try:
            zone = await profile.save_zone(ctx, turn.person.id, state.zone)
        except ProfileAnswerError as err:
            await save_state(ctx, turn, FLOW, "zone")
            return [OutgoingMessage(str(err))]
        await end_flow(ctx, turn)
        await ctx.capabilities.schedule_changed(ctx, turn.person.id)
        return [OutgoingMessage(texts.ZONE_SAVED.format(zone=zone))]

    async def _time(self, ctx: Context, turn: Turn, text: str) -> Replies:
        assert turn.person is not None
        try:
            chosen, _ = await profile.save_time(ctx, turn.person.id, text)
        except ProfileAnswerError as err:
            return [OutgoingMessage(str(err))]
        await end_flow(ctx, turn)
        await ctx.capabilities.schedule_changed(ctx, turn.person.id)
        return [OutgoingMessage(texts.TIME_SAVED.format(time=profile.format_time(chosen)))]

    async def _checkins_off(self, ctx: Context, turn: Turn) -> Replies:
        assert turn.person is not None
        await ctx.storage.update_settings(turn.person.id, checkin_time=None)
        await end_flow(ctx, turn)
        await ctx.capabilities.schedule_changed(ctx, turn.person.id)
        return [OutgoingMessage(texts.CHECKINS_TURNED_OFF)]

    async def _since(self, ctx: Context, turn: Turn, text: str) -> Replies:
        assert turn.person is not None
        today, _ = await profile.local_today(ctx, turn.person.id)
        start = recovery.read_recovery_date(text, today)
        if isinstance(start, str):
            return [OutgoingMessage(start)]
        await recovery.set_recovery_date(ctx, turn.person, start, correction=True)
        await end_flow(ctx, turn)
        return [OutgoingMessage(recovery.counted_from(start, today))]

    async def _quiet(self, ctx: Context, turn: Turn, text: str) -> Replies:
        assert turn.person is not None
        try:
            quiet = parse_quiet_hours(text)
        except TimingError as err:
            return [OutgoingMessage(str(err))]
        if quiet.start == quiet.end:
            stored, shown = "off", texts.QUIET_OFF
        else:
            stored = f"{quiet.start:%H:%M}-{quiet.end:%H:%M}"
            shown = f"{profile.format_time(quiet.start)} to {profile.format_time(quiet.end)}"
        await ctx.storage.update_settings(turn.person.id, quiet_hours=stored)
        await end_flow(ctx, turn)
        return [OutgoingMessage(texts.QUIET_SAVED.format(quiet=shown))]


async def pause(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/pause`` (until /resume) or ``/pause until DATE`` (check-ins start again that day)."""
    assert turn.person is not None
    words = [a for a in args if a.lower() != "until"]
    settings = await ctx.storage.get_settings(turn.person.id)
    zone = ZoneInfo(settings.timezone or "UTC")
    now = ctx.clock()
    today = now.astimezone(zone).date()
    if not words:
        await ctx.storage.update_settings(turn.person.id, paused_until=profile.PAUSED_INDEFINITELY)
        await ctx.capabilities.schedule_changed(ctx, turn.person.id)
        return [OutgoingMessage(texts.PAUSED_OPEN)]
    try:
        until = parse_local_date(" ".join(words), today)
    except TimingError as err:
        return [OutgoingMessage(str(err))]
    if until <= today:
        example = today.replace(day=min(today.day, 28)).isoformat()
        return [OutgoingMessage(texts.PAUSE_IN_PAST.format(example=example))]
    resume_at = datetime.combine(until, time(0, 0), tzinfo=zone)
    await ctx.storage.update_settings(turn.person.id, paused_until=resume_at)
    await ctx.capabilities.schedule_changed(ctx, turn.person.id)
    return [
        OutgoingMessage(
            texts.PAUSED_UNTIL.format(
                date=profile.format_date(until, profile.DateStyle.WEEKDAY_DAY_MONTH_LONG)
            )
        )
    ]


async def resume(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    assert turn.person is not None
    settings = await ctx.storage.get_settings(turn.person.id)
    if settings.paused_until is None or settings.paused_until <= ctx.clock():
        return [OutgoingMessage(texts.NOT_PAUSED)]
    settings = await ctx.storage.update_settings(
        turn.person.id, paused_until=None, paused_reason=None
    )
    await ctx.capabilities.schedule_changed(ctx, turn.person.id)
    shown = (
        profile.format_time(profile.time_from_setting(settings.checkin_time))
        if settings.checkin_time
        else "-"
    )
    return [OutgoingMessage(texts.RESUMED.format(time=shown))]


async def stop(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    assert turn.person is not None
    await ctx.storage.set_stopped(turn.person.id, ctx.clock())
    await end_flow(ctx, turn)
    await ctx.capabilities.schedule_changed(ctx, turn.person.id)
    return [OutgoingMessage(texts.STOPPED)]


CAPABILITY = Capability(
    commands=(
        CommandSpec(
            "settings",
            "change your name, time zone, check-in time or language",
            show_settings,
            EVERYONE,
        ),
        CommandSpec(
            "pause", "take a break from check-ins", pause, EVERYONE, arg_hint="[until DATE]"
        ),
        CommandSpec("resume", "turn check-ins back on", resume, EVERYONE),
        CommandSpec("stop", "stop all messages from me", stop, EVERYONE),
    ),
    flows=(SettingsFlow(),),
)
