"""``/circle create``: a guided conversation, one question at a time, then ``/circle edit``.

Created in a group or channel, the conversation moves to the facilitator's private chat (a
group's text is for people, not for the bot) and the circle meets in that group by default.
Answers are kept in the conversation state, so a restart resumes at the same question.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from handlers.circles import edit as circles_edit
from handlers.circles import texts, when
from handlers.circles.common import CREATE_FLOW, continue_privately, zone_of
from handlers.circles.schedule import announce, next_occurrence, schedule, schedule_reminders
from handlers.context import Context, Replies, Turn, end_flow, save_state
from handlers.dispatcher import stale_button
from handlers.messaging import Button, ChatKind, DeliveryError, OutgoingMessage
from handlers.profile import format_time
from handlers.timing import TimingError, parse_duration, parse_time_of_day, resolve_zone
from storage.circles import Circle, Recurrence, Venue, VenueKind

FLOW = CREATE_FLOW
STEPS = ("title", "desc", "guide", "days", "time", "zone", "repeat", "dur", "cap", "where")
BUTTON_ONLY = ("where", "confirm", "menu")
MAX_TITLE, MAX_DESCRIPTION, MAX_GUIDELINES = 80, 500, 1000
MIN_MINUTES, MAX_MINUTES = 15, 240
MIN_CAPACITY, MAX_CAPACITY = 2, 500
COMMON_TIMES = ("18:00", "19:00", "20:00")
COMMON_MINUTES = (60, 75, 90)
COMMON_CAPACITIES = (6, 8, 12)
REPEAT_WORDS = {
    "once": Recurrence.ONCE,
    "just once": Recurrence.ONCE,
    "weekly": Recurrence.WEEKLY,
    "every week": Recurrence.WEEKLY,
    "biweekly": Recurrence.BIWEEKLY,
    "fortnightly": Recurrence.BIWEEKLY,
    "every other week": Recurrence.BIWEEKLY,
}


async def begin_create(ctx: Context, turn: Turn) -> Replies:
    assert turn.person is not None
    ref = turn.event.ref
    in_group = turn.event.chat_kind is not ChatKind.DIRECT
    venue = {"p": ref.platform, "c": ref.chat_id, "t": ref.thread_id} if in_group else None
    await save_state(ctx, turn, FLOW, "title", mode="create", venue=venue)
    question = OutgoingMessage(texts.ASK_TITLE)
    return await continue_privately(ctx, turn, question, texts.CREATE_MOVED_TO_DM)


async def ask(ctx: Context, turn: Turn, step: str, data: dict[str, Any]) -> OutgoingMessage:
    """The question for ``step``, with its buttons."""
    button = _buttons_for(step)
    if step == "title":
        return OutgoingMessage(texts.ASK_TITLE)
    if step == "desc":
        return OutgoingMessage.with_buttons(texts.ASK_DESCRIPTION, [button(texts.SKIP, "skip")])
    if step == "guide":
        return OutgoingMessage.with_buttons(
            texts.ASK_GUIDELINES.format(default=texts.DEFAULT_GUIDELINES),
            [button(texts.USE_DEFAULT_GUIDELINES, "default")],
        )
    if step == "days":
        days = [button(name, str(n)) for n, name in enumerate(texts.WEEKDAYS_SHORT)]
        return OutgoingMessage.with_buttons(texts.ASK_DAYS, days, per_row=4)
    if step == "time":
        shown = when.show_days(tuple(data.get("days") or (0,)))
        times = [button(format_time(time.fromisoformat(t)), t) for t in COMMON_TIMES]
        return OutgoingMessage.with_buttons(texts.ASK_TIME.format(days=shown), times)
    if step == "zone":
        assert turn.person is not None
        zone = await zone_of(ctx, turn.person.id)
        shown_time = format_time(time.fromisoformat(data["time"]))
        if zone is None:
            return OutgoingMessage(texts.ASK_ZONE_UNKNOWN.format(time=shown_time))
        label = when.zone_label(zone)
        return OutgoingMessage.with_buttons(
            texts.ASK_ZONE_KNOWN.format(time=shown_time, zone_label=label),
            [button(texts.ZONE_YES.format(zone_label=label), "keep")],
        )
    if step == "repeat":
        choices = [(texts.REPEAT_ONCE, "once"), (texts.REPEAT_WEEKLY, "weekly")]
        choices.append((texts.REPEAT_BIWEEKLY, "biweekly"))
        return OutgoingMessage.with_buttons(
            texts.ASK_REPEAT, [button(label, value) for label, value in choices], per_row=1
        )
    if step == "dur":
        lengths = [button(when.show_minutes(timedelta(minutes=m)), str(m)) for m in COMMON_MINUTES]
        return OutgoingMessage.with_buttons(texts.ASK_DURATION, lengths)
    if step == "cap":
        sizes = [button(str(n), str(n)) for n in COMMON_CAPACITIES]
        sizes.append(button(texts.CAPACITY_NO_LIMIT, "0"))
        return OutgoingMessage.with_buttons(texts.ASK_CAPACITY, sizes, per_row=4)
    if step == "where":
        return _ask_where(data, button)
    return await _ask_confirm(data, button)


def _buttons_for(step: str) -> Any:
    def button(label: str, value: str) -> Button:
        return Button(label, f"{FLOW}:{step}:{value}")

    return button


def _ask_where(data: dict[str, Any], button: Any) -> OutgoingMessage:
    venue = data.get("venue")
    if not venue:
        return OutgoingMessage.with_buttons(
            texts.ASK_WHERE_LATER, [button(texts.WHERE_LATER, "later")]
        )
    if venue["p"] == "telegram":
        options = [button(texts.WHERE_GROUP, VenueKind.GROUP.value)]
    else:
        options = [
            button(texts.WHERE_TEXT, VenueKind.TEXT.value),
            button(texts.WHERE_VOICE, VenueKind.VOICE.value),
        ]
    return OutgoingMessage.with_buttons(texts.ASK_WHERE, options, per_row=1)


async def _ask_confirm(data: dict[str, Any], button: Any) -> OutgoingMessage:
    kinds = {"text": texts.KIND_TEXT, "voice": texts.KIND_VOICE, "group": texts.KIND_GROUP}
    where = (
        texts.WHERE_CHOSEN.format(kind=kinds[data["kind"]])
        if data.get("kind")
        else texts.WHERE_NOT_YET
    )
    local = time.fromisoformat(data["time"])
    text = texts.CONFIRM.format(
        title=data["title"],
        description=data["desc"] or "",
        when=f"{when.show_days(tuple(data['days']))}, {format_time(local)} "
        f"{when.zone_label(data['zone'])}",
        cadence=_cadence(data),
        duration=when.show_minutes(timedelta(minutes=data["minutes"])),
        capacity=data["capacity"] or texts.NO_LIMIT,
        where=where,
    )
    return OutgoingMessage.with_buttons(
        text,
        [
            button(texts.CONFIRM_YES, "yes"),
            button(texts.CONFIRM_RESTART, "restart"),
            button(texts.CONFIRM_NO, "no"),
        ],
    )


def _cadence(data: dict[str, Any]) -> str:
    repeat = Recurrence(data["repeat"])
    if repeat is Recurrence.ONCE:
        return texts.CADENCE_ONCE
    template = texts.CADENCE_WEEKLY if repeat is Recurrence.WEEKLY else texts.CADENCE_BIWEEKLY
    return template.format(days=when.show_days(tuple(data["days"])))


async def read(
    ctx: Context, turn: Turn, step: str, raw: str, data: dict[str, Any]
) -> dict[str, Any] | str:
    """The answer to ``step`` as state updates, or the kind sentence asking again."""
    value = raw.strip()
    if step == "title":
        title = " ".join(value.split())
        if not title:
            return texts.TITLE_EMPTY
        if len(title) > MAX_TITLE:
            return texts.TOO_LONG_FIELD.format(limit=MAX_TITLE)
        return {"title": title}
    if step in ("desc", "guide"):
        default = "" if step == "desc" else texts.DEFAULT_GUIDELINES
        limit = MAX_DESCRIPTION if step == "desc" else MAX_GUIDELINES
        chosen = default if value.casefold() in ("skip", "default") else value
        if len(chosen) > limit:
            return texts.TOO_LONG_FIELD.format(limit=limit)
        return {step: chosen}
    if step == "days":
        try:
            days = (int(value),) if value.isdigit() else when.parse_weekdays(value)
        except ValueError:
            return texts.DAYS_NOT_UNDERSTOOD
        return {"days": [d for d in days if 0 <= d <= 6] or [0]}
    if step == "time":
        try:
            return {"time": parse_time_of_day(value).strftime("%H:%M")}
        except TimingError as err:
            return str(err)
    if step == "zone":
        return await _read_zone(ctx, turn, value, data)
    if step == "repeat":
        repeat = REPEAT_WORDS.get(" ".join(value.casefold().split()))
        return {"repeat": repeat.value} if repeat else texts.TAP_REPEAT
    if step == "dur":
        return _read_minutes(value)
    if step == "cap":
        return _read_capacity(value)
    if step == "where":
        return {"kind": None if value == "later" else VenueKind(value).value}
    return texts.TAP_A_BUTTON


async def _read_zone(
    ctx: Context, turn: Turn, value: str, data: dict[str, Any]
) -> dict[str, Any] | str:
    assert turn.person is not None
    if value == "keep":
        zone = await zone_of(ctx, turn.person.id)
        shown = format_time(time.fromisoformat(data["time"]))
        return {"zone": zone} if zone else texts.ASK_ZONE_UNKNOWN.format(time=shown)
    try:
        return {"zone": resolve_zone(value).zone}
    except TimingError as err:
        return str(err)


def _read_minutes(value: str) -> dict[str, Any] | str:
    try:
        length = timedelta(minutes=int(value)) if value.isdigit() else parse_duration(value)
    except TimingError as err:
        return str(err)
    minutes = round(length.total_seconds() / 60)
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        return texts.DURATION_RANGE.format(low=MIN_MINUTES, high=MAX_MINUTES)
    return {"minutes": minutes}


def _read_capacity(value: str) -> dict[str, Any] | str:
    words = value.casefold()
    if words in ("0", "no limit", "none", "unlimited", "any"):
        return {"capacity": None}
    if words.isdigit() and MIN_CAPACITY <= int(words) <= MAX_CAPACITY:
        return {"capacity": int(words)}
    return texts.CAPACITY_NOT_UNDERSTOOD.format(low=MIN_CAPACITY, high=MAX_CAPACITY)


class CreateFlow:
    name = FLOW

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        state = turn.state
        if turn.person is None or state is None:
            await end_flow(ctx, turn)
            return [stale_button(texts.STALE_NEXT_STEP)]
        if state.step in BUTTON_ONLY:
            return [OutgoingMessage(texts.TAP_A_BUTTON)]
        return await self._answer(ctx, turn, state.step, text)

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        step, _, value = payload.partition(":")
        state = turn.state
        if turn.person is None or state is None or state.flow != FLOW:
            return [stale_button(texts.STALE_NEXT_STEP)]
        if step != state.step:
            return [OutgoingMessage(texts.QUESTION_MOVED_ON)]
        if step == "menu":
            data = await circles_edit.prepare(ctx, turn, value)
            if isinstance(data, list):
                return data
            await save_state(ctx, turn, FLOW, value, **data)
            return [await ask(ctx, turn, value, data)]
        if step == "confirm":
            return await self._confirm(ctx, turn, value)
        return await self._answer(ctx, turn, step, value)

    async def _answer(self, ctx: Context, turn: Turn, step: str, raw: str) -> Replies:
        assert turn.state is not None
        data = dict(turn.state.data)
        result = await read(ctx, turn, step, raw, data)
        if isinstance(result, str):
            return [OutgoingMessage(result), await ask(ctx, turn, step, data)]
        data.update(result)
        if data.get("mode") == "edit":
            return await circles_edit.apply(ctx, turn, data, step)
        following = STEPS[STEPS.index(step) + 1] if step in STEPS[:-1] else "confirm"
        await save_state(ctx, turn, FLOW, following, **data)
        return [await ask(ctx, turn, following, data)]

    async def _confirm(self, ctx: Context, turn: Turn, choice: str) -> Replies:
        assert turn.state is not None
        if choice == "restart":
            venue = turn.state.data.get("venue")
            await save_state(ctx, turn, FLOW, "title", mode="create", venue=venue)
            return [OutgoingMessage(texts.ASK_TITLE)]
        if choice != "yes":
            await end_flow(ctx, turn)
            return [OutgoingMessage(texts.CREATE_CANCELLED)]
        return await _create(ctx, turn, dict(turn.state.data))


async def _create(ctx: Context, turn: Turn, data: dict[str, Any]) -> Replies:
    assert turn.person is not None
    now = ctx.clock()
    at = time.fromisoformat(data["time"])
    days = tuple(sorted(data["days"]))
    zone = data["zone"]
    venue_data = data.get("venue")
    venue = (
        Venue(venue_data["p"], venue_data["c"], venue_data["t"], VenueKind(data["kind"]))
        if venue_data and data.get("kind")
        else None
    )
    circle = await ctx.storage.create_circle(
        Circle(
            id=0,
            title=data["title"],
            facilitator_id=turn.person.id,
            zone=zone,
            local_time=at,
            weekdays=days,
            recurrence=Recurrence(data["repeat"]),
            start_date=when.first_date(days, at, zone, now),
            duration=timedelta(minutes=data["minutes"]),
            created_at=now,
            description=data.get("desc") or "",
            guidelines=data.get("guide") or "",
            capacity=data.get("capacity"),
            venue=venue,
        )
    )
    await end_flow(ctx, turn)
    occurrence = await next_occurrence(ctx, circle, now)
    assert occurrence is not None  # first_date found a date ahead
    await schedule(ctx, circle, occurrence, announce_at=None)
    try:
        announced = await announce(ctx, circle, occurrence)
    except DeliveryError:  # the due queue posts it once the venue can be reached
        await schedule_reminders(ctx, occurrence, announce_at=now)
        announced = circle.venue is not None
    lines = [
        texts.CREATED.format(
            title=circle.title,
            number=circle.id,
            when=when.show_when(occurrence.starts_at, zone),
        ),
        texts.CREATED_ANNOUNCED if announced else texts.CREATED_NO_VENUE,
    ]
    gap = when.gap_warning(circle, now)
    if gap:
        lines.append(gap)
    lines.append(texts.CREATED_NEXT)
    return [OutgoingMessage("\n".join(lines))]
