"""The circle commands: ``/circles`` for everyone; ``/circle ...`` and ``/next`` for
facilitators, routed to the package's modules (``create`` and ``edit``, ``schedule``, ``rsvp``,
``session``, ``summary``). Also :func:`facilitators_for_venue` and
:func:`notify_circle_crisis`, which the crisis hook calls.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime
from itertools import islice
from zoneinfo import ZoneInfo

from handlers.circles import create as circles_create
from handlers.circles import edit as circles_edit
from handlers.circles import session as circles_session
from handlers.circles import summary as circles_summary
from handlers.circles import texts, when
from handlers.circles.common import (
    CRISIS,
    EVERYONE,
    LEADERS,
    PICK,
    PICK_BARE,
    PICK_FLOW,
    REMINDER,
    START,
    SUMMARY,
    TIMER,
    PickBarePress,
    PickPress,
    circles_here,
    continue_privately,
    dm_ref,
    may_lead,
    venue_from,
)
from handlers.circles.rsvp import RsvpFlow, list_circles
from handlers.circles.schedule import (
    announce,
    cancel_occurrence,
    cancel_series,
    run_circle_reminder,
    run_circle_start,
    schedule_reminders,
    scheduled_occurrence,
)
from handlers.context import Capability, CommandSpec, Context, GroupReply, Replies, Turn
from handlers.dispatcher import stale_button
from handlers.logsafe import describe_exception
from handlers.messaging import (
    ChatKind,
    ConversationRef,
    DeliveryError,
    IncomingEvent,
    OutgoingMessage,
)
from handlers.numbers import read_id
from handlers.outbox import deliver
from handlers.routes import PayloadTooLong, decode_any
from handlers.timing import TimingError, parse_local_date
from storage.circles import Circle, VenueKind
from storage.due_queue import DueWork
from storage.people import AccountAddress, Role

log = logging.getLogger(__name__)

ACTIONS = ("start", "edit", "cancel", "here")
SERIES_WORDS = ("series", "all", "the series", "whole series", "the whole series")

CircleDueHandler = Callable[[Context, DueWork, datetime], Awaitable[DueWork | None]]

DUE_HANDLERS: Mapping[str, CircleDueHandler] = {
    REMINDER: run_circle_reminder,
    START: run_circle_start,
    TIMER: circles_session.run_circle_timer,
    SUMMARY: circles_summary.run_circle_summary,
}
"""The circle kinds of due-queue rows, for ``handlers.app.DUE_HANDLERS``."""


async def circle_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    sub = args[0].casefold() if args else ""
    rest = args[1:]
    if sub == "create":
        return await circles_create.begin_create(ctx, turn)
    if sub in ACTIONS:
        return await _with_circle(ctx, turn, sub, rest)
    if sub == "end":
        return await circles_summary.end(ctx, turn, rest)
    if sub == "handover":
        return await circles_session.handover(ctx, turn, rest)
    if sub == "next":
        return await circles_session.next_command(ctx, turn, rest)
    return [OutgoingMessage(texts.CIRCLE_USAGE)]


async def _with_circle(ctx: Context, turn: Turn, action: str, rest: tuple[str, ...]) -> Replies:
    """Find the circle a command is about: ``#N``, the one here, or the one the person leads."""
    first = rest[0] if rest else ""
    number = first.lstrip("#")
    # "/circle cancel 1 Dec" names a date: there a circle number needs its "#".
    circle_id = read_id(number)
    if circle_id is not None and (first.startswith("#") or action != "cancel"):
        circle = await ctx.storage.get_circle(circle_id)
        if circle is None or not circle.active:
            return [OutgoingMessage(texts.UNKNOWN_CIRCLE.format(number=number))]
        if not may_lead(circle, turn):
            return [OutgoingMessage(texts.NOT_YOUR_CIRCLE)]
        return await _run(ctx, turn, action, circle, rest[1:])
    candidates = await _candidates(ctx, turn, action)
    if not candidates:
        return [OutgoingMessage(texts.NO_CIRCLES_LED)]
    if len(candidates) == 1:
        return await _run(ctx, turn, action, candidates[0], rest)
    arg = " ".join(rest)
    buttons = []
    for circle in candidates[:10]:
        try:
            button = PICK.button(circle.title, PickPress(action, circle.id, arg))
        except PayloadTooLong:  # the words are asked for again once a circle is chosen
            button = PICK_BARE.button(circle.title, PickBarePress(action, circle.id))
        buttons.append(button)
    return [OutgoingMessage.with_buttons(texts.PICK_CIRCLE, buttons, per_row=1)]


async def _candidates(ctx: Context, turn: Turn, action: str) -> list[Circle]:
    assert turn.person is not None
    led = await ctx.storage.circles_led_by(turn.person.id)
    if Role.COORDINATOR in turn.roles:
        led = await ctx.storage.active_circles()
    if turn.event.chat_kind is ChatKind.DIRECT:
        return led
    here = {circle.id for circle in await circles_here(ctx, turn.event.ref)}
    if action == "here":
        return [circle for circle in led if circle.id not in here]
    return [circle for circle in led if circle.id in here]


async def _run(
    ctx: Context, turn: Turn, action: str, circle: Circle, rest: tuple[str, ...]
) -> Replies:
    if action == "start":
        return await circles_session.start(ctx, turn, circle, rest)
    if action == "edit":
        menu = await circles_edit.begin_edit(ctx, turn, circle)
        return await continue_privately(ctx, turn, menu, texts.EDIT_MOVED_TO_DM)
    if action == "cancel":
        return await _cancel(ctx, circle, rest)
    return await _here(ctx, turn, circle, rest)


async def _cancel(ctx: Context, circle: Circle, rest: tuple[str, ...]) -> Replies:
    """``/circle cancel [DATE|series]``."""
    now = ctx.clock()
    words = " ".join(rest).strip()
    if not words:
        following = await scheduled_occurrence(ctx, circle)
        series = PICK.button(texts.CANCEL_SERIES, PickPress("cancel", circle.id, "series"))
        if following is None or following.cancelled:
            return [OutgoingMessage.with_buttons(texts.CANCEL_ASK.format(when="-"), [series])]
        day = following.local_date
        one = PICK.button(
            texts.CANCEL_NEXT_ONLY.format(date=when.show_date(day)),
            PickPress("cancel", circle.id, day.isoformat()),
        )
        shown = when.show_when(following.starts_at, circle.zone)
        return [OutgoingMessage.with_buttons(texts.CANCEL_ASK.format(when=shown), [one, series])]
    if words.casefold() in SERIES_WORDS:
        await cancel_series(ctx, circle)
        return [OutgoingMessage(texts.CANCELLED_SERIES.format(title=circle.title))]
    today = now.astimezone(ZoneInfo(circle.zone)).date()
    try:
        day = parse_local_date(words, today)
    except TimingError as err:
        return [OutgoingMessage(texts.CANCEL_BAD_DATE.format(error=str(err)))]
    shown_day = when.show_date(day)
    slot = when.starts_at_on(day, circle.local_time, circle.zone)
    if day < today or (slot is not None and slot.starts_at <= now):
        return [OutgoingMessage(texts.CANCEL_PAST.format(date=shown_day))]
    if slot is None or not when.meets_on(circle, day):
        upcoming = [when.show_date(s.local_date) for s in islice(when.slots(circle, now), 2)]
        dates = texts.AND.join(upcoming) or "-"
        return [
            OutgoingMessage(
                texts.CANCEL_NOT_A_DATE.format(title=circle.title, date=shown_day, dates=dates)
            )
        ]
    existing = await ctx.storage.occurrence_on(circle.id, day)
    if existing is not None and existing.cancelled:
        return [OutgoingMessage(texts.CANCEL_ALREADY.format(date=shown_day))]
    occurrence = existing or await ctx.storage.save_occurrence(circle.id, day, slot.starts_at)
    following = await cancel_occurrence(ctx, circle, occurrence)
    lines = [texts.CANCELLED_ONE.format(title=circle.title, date=shown_day)]
    if following is not None:
        shown = when.show_when(following.starts_at, circle.zone)
        lines.append(texts.CANCELLED_ONE_NEXT.format(when=shown))
    return [OutgoingMessage(" ".join(lines))]


async def _here(ctx: Context, turn: Turn, circle: Circle, rest: tuple[str, ...]) -> Replies:
    """``/circle here [voice]``: the circle meets in this chat from now on."""
    if turn.event.chat_kind is ChatKind.DIRECT:
        return [OutgoingMessage(texts.HERE_NEEDS_GROUP)]
    voice = bool(rest) and rest[0].casefold() == "voice"
    venue = venue_from(ctx, turn.event.ref, VenueKind.VOICE if voice else None)
    updated = replace(circle, venue=venue)
    await ctx.storage.update_circle(updated)
    following = await scheduled_occurrence(ctx, updated)
    announced = False
    if following is not None and not following.cancelled and following.starts_at > ctx.clock():
        await ctx.calendars.scheduled(updated, following)  # it meets somewhere else now
        try:
            announced = await announce(ctx, updated, following)
        except DeliveryError as err:  # the due queue posts it once the venue can be reached
            log.warning("announcing circle %s failed: %s", circle.id, describe_exception(err))
            await schedule_reminders(ctx, following, announce_at=ctx.clock())
    template = texts.HERE_DONE if announced else texts.HERE_DONE_QUIET
    return [OutgoingMessage(template.format(title=circle.title))]


class PickFlow:
    """A facilitator's choice of circle: ``cm:<action>:<circle>[:<args>]``."""

    name = PICK_FLOW

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        return [stale_button(texts.STALE_NEXT_STEP)]  # this flow never holds a conversation

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = decode_any(payload, (PICK, PICK_BARE))
        if press is None or press.action not in ACTIONS:
            return [stale_button(texts.STALE_NEXT_STEP)]
        if turn.person is None or not turn.person.onboarded or not turn.roles & LEADERS:
            return [OutgoingMessage(texts.LEADERS_ONLY_BUTTON)]
        circle = await ctx.storage.get_circle(press.circle)
        if circle is None or not circle.active:
            return [OutgoingMessage(texts.UNKNOWN_CIRCLE.format(number=press.circle))]
        if not may_lead(circle, turn):
            return [OutgoingMessage(texts.NOT_YOUR_CIRCLE)]
        args = press.args if isinstance(press, PickPress) else ""
        return await _run(ctx, turn, press.action, circle, tuple(args.split()))


# Safety in groups ---------------------------------------------------------------------------------


async def facilitators_for_venue(ctx: Context, ref: ConversationRef) -> list[int]:
    """The facilitators and co-facilitators of the circles meeting in ``ref``'s chat."""
    found: list[int] = []
    for circle in await circles_here(ctx, ref):
        found.extend(circle.leaders())
    return list(dict.fromkeys(found))


async def notify_circle_crisis(ctx: Context, event: IncomingEvent) -> list[int]:
    """A crisis message in a circle's chat: tell its facilitators privately, through the
    ledger (kind ``circle_crisis``), with the person's chosen name and the circle's title
    only, never what they wrote. Returns who was told. Call it from the crisis hook."""
    if event.chat_kind is ChatKind.DIRECT:
        return []
    circles = await circles_here(ctx, event.ref)
    if not circles:
        return []
    address = AccountAddress(event.ref.platform, event.ref.user_id)
    person = await ctx.storage.person_for_account(address)
    name = (
        person.display_name
        if person is not None and person.display_name
        else event.display_name or texts.SOMEONE_STARTING
    )
    occurrence = event.event_id or ctx.clock().isoformat()
    told: list[int] = []
    for circle in circles:
        message = OutgoingMessage(texts.CRISIS_PING.format(name=name, title=circle.title))
        for leader in circle.leaders():
            if person is not None and leader == person.id:
                continue
            ref = await dm_ref(ctx, leader, event.ref.platform)
            if ref is None:
                continue
            try:
                await deliver(
                    ctx,
                    kind=CRISIS,
                    subject=f"{circle.id}:{leader}",
                    occurrence=occurrence,
                    person_id=leader,
                    ref=ref,
                    message=message,
                )
            except DeliveryError as err:
                log.error("circle crisis ping to %s failed: %s", leader, describe_exception(err))
                continue
            told.append(leader)
    return told


CAPABILITY = Capability(
    commands=(
        CommandSpec("circles", texts.HELP_CIRCLES, list_circles, EVERYONE),
        CommandSpec(
            "circle",
            texts.HELP_CIRCLE,
            circle_command,
            LEADERS,
            arg_hint="create|edit|cancel|here|start|end|handover",
            in_groups=GroupReply.HERE,  # run in the circle's room; the set-up moves to a DM
        ),
        CommandSpec(
            "next",
            texts.HELP_NEXT,
            circles_session.next_command,
            LEADERS,
            in_groups=GroupReply.HERE,
        ),
    ),
    flows=(
        circles_create.CreateFlow(),
        RsvpFlow(),
        circles_session.SessionFlow(),
        PickFlow(),
    ),
)
