"""``/settings``, ``/pause``, ``/resume`` and ``/stop``: a person's control over the bot."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from handlers import profile
from handlers.account import onboarding_texts
from handlers.account import settings_texts as texts
from handlers.context import Capability, CommandSpec, Context, Replies, Turn, end_flow, save_state
from handlers.dispatcher import stale_button
from handlers.messaging import Button, OutgoingMessage
from handlers.profile import ProfileAnswerError
from handlers.timing import TimingError, parse_local_date, parse_quiet_hours
from storage.people import Role

FLOW = "st"
EVERYONE = frozenset(Role)


async def show_settings(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    assert turn.person is not None
    settings = await ctx.storage.get_settings(turn.person.id)
    shown_time = (
        profile.format_time(profile.time_from_setting(settings.checkin_time))
        if settings.checkin_time
        else "-"
    )
    await save_state(ctx, turn, FLOW, "menu")
    return [
        OutgoingMessage.with_buttons(
            texts.MENU.format(
                name=turn.person.display_name,
                zone=settings.timezone or "-",
                time=shown_time,
                quiet=settings.quiet_hours or ctx.program.checkin.quiet_hours,
            ),
            [
                Button(texts.MENU_NAME, f"{FLOW}:menu:name"),
                Button(texts.MENU_ZONE, f"{FLOW}:menu:zone"),
                Button(texts.MENU_TIME, f"{FLOW}:menu:time"),
                Button(texts.MENU_QUIET, f"{FLOW}:menu:quiet"),
                Button(texts.MENU_DONE, f"{FLOW}:menu:done"),
            ],
            per_row=2,
        )
    ]


class SettingsFlow:
    name = FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        step, _, value = payload.partition(":")
        state = turn.state
        if turn.person is None or state is None or state.flow != FLOW:
            return [stale_button(texts.STALE_NEXT_STEP)]
        if step == "menu" and state.step == "menu":
            return await self._menu(ctx, turn, value)
        if step == "name" and state.step == "name":
            return await self._name(ctx, turn, value)
        if step == "zone" and state.step == "zone_confirm":
            if value == "yes":
                return await self._zone_confirmed(ctx, turn)
            await save_state(ctx, turn, FLOW, "zone")
            return [OutgoingMessage(onboarding_texts.ZONE_RETYPE)]
        if step == "time" and state.step == "time":
            return await self._time(ctx, turn, value)
        return [stale_button(texts.STALE_NEXT_STEP)]

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        step = turn.state.step if turn.state is not None else "menu"
        if turn.person is None:
            await end_flow(ctx, turn)
            return [stale_button()]
        if step == "name":
            return await self._name(ctx, turn, text)
        if step in ("zone", "zone_confirm"):
            return await self._zone(ctx, turn, text)
        if step == "time":
            return await self._time(ctx, turn, text)
        if step == "quiet":
            return await self._quiet(ctx, turn, text)
        return [OutgoingMessage(texts.TAP_A_BUTTON)]

    async def _menu(self, ctx: Context, turn: Turn, choice: str) -> Replies:
        assert turn.person is not None
        if choice == "name":
            await save_state(ctx, turn, FLOW, "name")
            return [profile.ask_name(FLOW)]
        if choice == "zone":
            await save_state(ctx, turn, FLOW, "zone")
            return [OutgoingMessage(onboarding_texts.ZONE_RETYPE)]
        if choice == "time":
            await save_state(ctx, turn, FLOW, "time")
            return [profile.ask_time(FLOW)]
        if choice == "quiet":
            await save_state(ctx, turn, FLOW, "quiet")
            return [OutgoingMessage(texts.ASK_QUIET)]
        await end_flow(ctx, turn)
        return [OutgoingMessage(texts.MENU_CLOSED)]

    async def _name(self, ctx: Context, turn: Turn, text: str) -> Replies:
        assert turn.person is not None
        try:
            name = profile.read_name(text)
        except ProfileAnswerError as err:
            return [OutgoingMessage(str(err))]
        await ctx.storage.set_display_name(turn.person.id, name)
        await end_flow(ctx, turn)
        return [OutgoingMessage(texts.NAME_SAVED.format(name=name))]

    async def _zone(self, ctx: Context, turn: Turn, text: str) -> Replies:
        return await profile.answer_zone(ctx, turn, FLOW, text)

    async def _zone_confirmed(self, ctx: Context, turn: Turn) -> Replies:
        assert turn.person is not None and turn.state is not None
        zone = str(turn.state.data.get("zone", ""))
        await ctx.storage.update_settings(turn.person.id, timezone=zone)
        await end_flow(ctx, turn)
        await ctx.capabilities.schedule_changed(ctx, turn.person.id)
        return [OutgoingMessage(texts.ZONE_SAVED.format(zone=zone))]

    async def _time(self, ctx: Context, turn: Turn, text: str) -> Replies:
        assert turn.person is not None
        try:
            chosen = profile.read_time(text)
        except ProfileAnswerError as err:
            return [OutgoingMessage(str(err))]
        await ctx.storage.update_settings(turn.person.id, checkin_time=chosen.strftime("%H:%M"))
        await end_flow(ctx, turn)
        await ctx.capabilities.schedule_changed(ctx, turn.person.id)
        return [OutgoingMessage(texts.TIME_SAVED.format(time=profile.format_time(chosen)))]

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
            "settings", "change your name, time zone or check-in time", show_settings, EVERYONE
        ),
        CommandSpec(
            "pause", "take a break from check-ins", pause, EVERYONE, arg_hint="[until DATE]"
        ),
        CommandSpec("resume", "turn check-ins back on", resume, EVERYONE),
        CommandSpec("stop", "stop all messages from me", stop, EVERYONE),
    ),
    flows=(SettingsFlow(),),
)
