"""``/circle create``: a guided conversation, one question at a time, then ``/circle edit``.

Created in a group or channel, the conversation moves to the facilitator's private chat (a
group's text is for people, not for the bot) and the circle meets in that group by default.
Answers are kept in the conversation state, so a restart resumes at the same question.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import time, timedelta

from handlers.circles import edit as circles_edit
from handlers.circles import texts, when
from handlers.circles.common import CREATE_FLOW, continue_privately, venue_kinds, zone_of
from handlers.circles.draft import ANSWER, AnswerPress, CircleDraft
from handlers.circles.schedule import announce, next_occurrence, schedule, schedule_reminders
from handlers.context import Context, Replies, Turn, end_flow
from handlers.dispatcher import stale_button
from handlers.flowstate import Steps, load, save
from handlers.messaging import Button, ChatKind, DeliveryError, OutgoingMessage
from handlers.numbers import read_whole
from handlers.profile import format_time
from handlers.timing import TimingError, parse_duration, parse_time_of_day, resolve_zone
from storage.circles import Circle, Occurrence, Recurrence, Venue, VenueKind

FLOW = CREATE_FLOW
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


Asker = Callable[[Context, Turn, CircleDraft], Awaitable[OutgoingMessage]]
Reader = Callable[[Context, Turn, str, CircleDraft], Awaitable[CircleDraft | str]]


@dataclass(frozen=True, slots=True)
class Question:
    """One step of the set-up: how it is asked, and how an answer is read (the updated draft,
    or the kind sentence asking again). ``buttons_only`` steps take no typed answer."""

    ask: Asker
    read: Reader | None = None


def _button(step: str, label: str, value: str) -> Button:
    return ANSWER.button(label, AnswerPress(step, value))


async def begin_create(ctx: Context, turn: Turn) -> Replies:
    assert turn.person is not None
    ref = turn.event.ref
    in_group = turn.event.chat_kind is not ChatKind.DIRECT
    venue = {"p": ref.platform, "c": ref.chat_id, "t": ref.thread_id} if in_group else None
    await save(ctx, turn, FLOW, "title", CircleDraft(venue=venue))
    question = OutgoingMessage(texts.ASK_TITLE)
    return await continue_privately(ctx, turn, question, texts.CREATE_MOVED_TO_DM)


async def ask(ctx: Context, turn: Turn, step: str, draft: CircleDraft) -> OutgoingMessage:
    """The question for ``step``, with its buttons (the confirmation for any other step)."""
    question = QUESTIONS.get(step)
    if question is None:
        return await _ask_confirm(draft)
    return await question.ask(ctx, turn, draft)


# The questions, in order ----------------------------------------------------------------------


async def _ask_title(ctx: Context, turn: Turn, draft: CircleDraft) -> OutgoingMessage:
    return OutgoingMessage(texts.ASK_TITLE)


async def _read_title(
    ctx: Context, turn: Turn, value: str, draft: CircleDraft
) -> CircleDraft | str:
    title = " ".join(value.split())
    if not title:
        return texts.TITLE_EMPTY
    if len(title) > MAX_TITLE:
        return texts.TOO_LONG_FIELD.format(limit=MAX_TITLE)
    return replace(draft, title=title)


async def _ask_description(ctx: Context, turn: Turn, draft: CircleDraft) -> OutgoingMessage:
    return OutgoingMessage.with_buttons(
        texts.ASK_DESCRIPTION, [_button("desc", texts.SKIP, "skip")]
    )


async def _read_description(
    ctx: Context, turn: Turn, value: str, draft: CircleDraft
) -> CircleDraft | str:
    chosen = "" if value.casefold() in ("skip", "default") else value
    if len(chosen) > MAX_DESCRIPTION:
        return texts.TOO_LONG_FIELD.format(limit=MAX_DESCRIPTION)
    return replace(draft, desc=chosen)


async def _ask_guidelines(ctx: Context, turn: Turn, draft: CircleDraft) -> OutgoingMessage:
    return OutgoingMessage.with_buttons(
        texts.ASK_GUIDELINES.format(default=texts.DEFAULT_GUIDELINES),
        [_button("guide", texts.USE_DEFAULT_GUIDELINES, "default")],
    )


async def _read_guidelines(
    ctx: Context, turn: Turn, value: str, draft: CircleDraft
) -> CircleDraft | str:
    chosen = texts.DEFAULT_GUIDELINES if value.casefold() in ("skip", "default") else value
    if len(chosen) > MAX_GUIDELINES:
        return texts.TOO_LONG_FIELD.format(limit=MAX_GUIDELINES)
    return replace(draft, guide=chosen)


async def _ask_days(ctx: Context, turn: Turn, draft: CircleDraft) -> OutgoingMessage:
    days = [_button("days", name, str(n)) for n, name in enumerate(texts.WEEKDAYS_SHORT)]
    return OutgoingMessage.with_buttons(texts.ASK_DAYS, days, per_row=4)


async def _read_days(ctx: Context, turn: Turn, value: str, draft: CircleDraft) -> CircleDraft | str:
    try:
        day = read_whole(value, max_digits=1)
        days = (day,) if day is not None else when.parse_weekdays(value)
    except ValueError:
        return texts.DAYS_NOT_UNDERSTOOD
    return replace(draft, days=[d for d in days if 0 <= d <= 6] or [0])


async def _ask_time(ctx: Context, turn: Turn, draft: CircleDraft) -> OutgoingMessage:
    shown = when.show_days(tuple(draft.days or (0,)))
    times = [_button("time", format_time(time.fromisoformat(t)), t) for t in COMMON_TIMES]
    return OutgoingMessage.with_buttons(texts.ASK_TIME.format(days=shown), times)


async def _read_time(ctx: Context, turn: Turn, value: str, draft: CircleDraft) -> CircleDraft | str:
    try:
        return replace(draft, time=parse_time_of_day(value).strftime("%H:%M"))
    except TimingError as err:
        return str(err)


async def _ask_zone(ctx: Context, turn: Turn, draft: CircleDraft) -> OutgoingMessage:
    assert turn.person is not None
    zone = await zone_of(ctx, turn.person.id)
    shown_time = format_time(time.fromisoformat(draft.time))
    if zone is None:
        return OutgoingMessage(texts.ASK_ZONE_UNKNOWN.format(time=shown_time))
    label = when.zone_label(zone)
    return OutgoingMessage.with_buttons(
        texts.ASK_ZONE_KNOWN.format(time=shown_time, zone_label=label),
        [_button("zone", texts.ZONE_YES.format(zone_label=label), "keep")],
    )


async def _read_zone(ctx: Context, turn: Turn, value: str, draft: CircleDraft) -> CircleDraft | str:
    assert turn.person is not None
    if value == "keep":
        zone = await zone_of(ctx, turn.person.id)
        shown = format_time(time.fromisoformat(draft.time))
        return replace(draft, zone=zone) if zone else texts.ASK_ZONE_UNKNOWN.format(time=shown)
    try:
        return replace(draft, zone=resolve_zone(value).zone)
    except TimingError as err:
        return str(err)


async def _ask_repeat(ctx: Context, turn: Turn, draft: CircleDraft) -> OutgoingMessage:
    choices = [(texts.REPEAT_ONCE, "once"), (texts.REPEAT_WEEKLY, "weekly")]
    choices.append((texts.REPEAT_BIWEEKLY, "biweekly"))
    return OutgoingMessage.with_buttons(
        texts.ASK_REPEAT, [_button("repeat", label, value) for label, value in choices], per_row=1
    )


async def _read_repeat(
    ctx: Context, turn: Turn, value: str, draft: CircleDraft
) -> CircleDraft | str:
    repeat = REPEAT_WORDS.get(" ".join(value.casefold().split()))
    return replace(draft, repeat=repeat.value) if repeat else texts.TAP_REPEAT


async def _ask_duration(ctx: Context, turn: Turn, draft: CircleDraft) -> OutgoingMessage:
    lengths = [
        _button("dur", when.show_minutes(timedelta(minutes=m)), str(m)) for m in COMMON_MINUTES
    ]
    return OutgoingMessage.with_buttons(texts.ASK_DURATION, lengths)


async def _read_duration(
    ctx: Context, turn: Turn, value: str, draft: CircleDraft
) -> CircleDraft | str:
    try:
        minutes = read_whole(value, max_digits=6)
        length = timedelta(minutes=minutes) if minutes is not None else parse_duration(value)
    except TimingError as err:
        return str(err)
    minutes = round(length.total_seconds() / 60)
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        return texts.DURATION_RANGE.format(low=MIN_MINUTES, high=MAX_MINUTES)
    return replace(draft, minutes=minutes)


async def _ask_capacity(ctx: Context, turn: Turn, draft: CircleDraft) -> OutgoingMessage:
    sizes = [_button("cap", str(n), str(n)) for n in COMMON_CAPACITIES]
    sizes.append(_button("cap", texts.CAPACITY_NO_LIMIT, "0"))
    return OutgoingMessage.with_buttons(texts.ASK_CAPACITY, sizes, per_row=4)


async def _read_capacity(
    ctx: Context, turn: Turn, value: str, draft: CircleDraft
) -> CircleDraft | str:
    words = value.casefold()
    if words in ("0", "no limit", "none", "unlimited", "any"):
        return replace(draft, capacity=None)
    number = read_whole(words, max_digits=6)
    if number is not None and MIN_CAPACITY <= number <= MAX_CAPACITY:
        return replace(draft, capacity=number)
    return texts.CAPACITY_NOT_UNDERSTOOD.format(low=MIN_CAPACITY, high=MAX_CAPACITY)


async def _ask_where(ctx: Context, turn: Turn, draft: CircleDraft) -> OutgoingMessage:
    venue = draft.venue
    if not venue:
        return OutgoingMessage.with_buttons(
            texts.ASK_WHERE_LATER, [_button("where", texts.WHERE_LATER, "later")]
        )
    labels = {
        VenueKind.GROUP: texts.WHERE_GROUP,
        VenueKind.TEXT: texts.WHERE_TEXT,
        VenueKind.VOICE: texts.WHERE_VOICE,
    }
    kinds = venue_kinds(ctx, venue["p"] or "")
    options = [_button("where", labels[kind], kind.value) for kind in kinds]
    return OutgoingMessage.with_buttons(texts.ASK_WHERE, options, per_row=1)


async def _read_where(
    ctx: Context, turn: Turn, value: str, draft: CircleDraft
) -> CircleDraft | str:
    if value == "later":
        return replace(draft, kind=None)
    if value not in {kind.value for kind in VenueKind}:
        return texts.TAP_A_BUTTON
    return replace(draft, kind=VenueKind(value).value)


QUESTIONS: Steps[Question] = Steps(
    {
        "title": Question(_ask_title, _read_title),
        "desc": Question(_ask_description, _read_description),
        "guide": Question(_ask_guidelines, _read_guidelines),
        "days": Question(_ask_days, _read_days),
        "time": Question(_ask_time, _read_time),
        "zone": Question(_ask_zone, _read_zone),
        "repeat": Question(_ask_repeat, _read_repeat),
        "dur": Question(_ask_duration, _read_duration),
        "cap": Question(_ask_capacity, _read_capacity),
        "where": Question(_ask_where, _read_where),
    }
)
"""The set-up's questions in the order they are asked; ``confirm`` follows the last."""
BUTTON_ONLY = ("where", "confirm", "menu")


async def _ask_confirm(draft: CircleDraft) -> OutgoingMessage:
    kinds = {"text": texts.KIND_TEXT, "voice": texts.KIND_VOICE, "group": texts.KIND_GROUP}
    where = texts.WHERE_CHOSEN.format(kind=kinds[draft.kind]) if draft.kind else texts.WHERE_NOT_YET
    local = time.fromisoformat(draft.time)
    text = texts.CONFIRM.format(
        title=draft.title,
        description=draft.desc or "",
        when=f"{when.show_days(tuple(draft.days))}, {format_time(local)} "
        f"{when.zone_label(draft.zone)}",
        cadence=_cadence(draft),
        duration=when.show_minutes(timedelta(minutes=draft.minutes)),
        capacity=draft.capacity or texts.NO_LIMIT,
        where=where,
    )
    return OutgoingMessage.with_buttons(
        text,
        [
            _button("confirm", texts.CONFIRM_YES, "yes"),
            _button("confirm", texts.CONFIRM_RESTART, "restart"),
            _button("confirm", texts.CONFIRM_NO, "no"),
        ],
    )


def _cadence(draft: CircleDraft) -> str:
    repeat = Recurrence(draft.repeat)
    if repeat is Recurrence.ONCE:
        return texts.CADENCE_ONCE
    template = texts.CADENCE_WEEKLY if repeat is Recurrence.WEEKLY else texts.CADENCE_BIWEEKLY
    return template.format(days=when.show_days(tuple(draft.days)))


class CreateFlow:
    name = FLOW

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        state = turn.state
        draft = load(CircleDraft, state)
        if turn.person is None or state is None or draft is None:
            await end_flow(ctx, turn)
            return [stale_button(texts.STALE_NEXT_STEP)]
        if state.step in BUTTON_ONLY:
            return [OutgoingMessage(texts.TAP_A_BUTTON)]
        return await self._answer(ctx, turn, state.step, text.strip(), draft)

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = ANSWER.decode(payload)
        state = turn.state
        draft = load(CircleDraft, state)
        if press is None or turn.person is None or state is None or draft is None:
            return [stale_button(texts.STALE_NEXT_STEP)]
        if state.flow != FLOW:
            return [stale_button(texts.STALE_NEXT_STEP)]
        if press.step != state.step:
            return [OutgoingMessage(texts.QUESTION_MOVED_ON)]
        if press.step == "menu":
            prepared = await circles_edit.prepare(ctx, turn, draft, press.value)
            if isinstance(prepared, list):
                return prepared
            await save(ctx, turn, FLOW, press.value, prepared)
            return [await ask(ctx, turn, press.value, prepared)]
        if press.step == "confirm":
            return await self._confirm(ctx, turn, draft, press.value)
        return await self._answer(ctx, turn, press.step, press.value.strip(), draft)

    async def _answer(
        self, ctx: Context, turn: Turn, step: str, raw: str, draft: CircleDraft
    ) -> Replies:
        question = QUESTIONS.get(step)
        if question is None or question.read is None:
            return [OutgoingMessage(texts.TAP_A_BUTTON)]
        result = await question.read(ctx, turn, raw, draft)
        if isinstance(result, str):
            return [OutgoingMessage(result), await ask(ctx, turn, step, draft)]
        if result.mode == "edit":
            return await circles_edit.apply(ctx, turn, result, step)
        following = QUESTIONS.after(step) or "confirm"
        await save(ctx, turn, FLOW, following, result)
        return [await ask(ctx, turn, following, result)]

    async def _confirm(self, ctx: Context, turn: Turn, draft: CircleDraft, choice: str) -> Replies:
        if choice == "restart":
            await save(ctx, turn, FLOW, "title", CircleDraft(venue=draft.venue))
            return [OutgoingMessage(texts.ASK_TITLE)]
        if choice != "yes":
            await end_flow(ctx, turn)
            return [OutgoingMessage(texts.CREATE_CANCELLED)]
        return await _create(ctx, turn, draft)


@dataclass(frozen=True, slots=True)
class CreatedCircle:
    """A new circle, its first meeting, and whether its announcement is already posted."""

    circle: Circle
    first: Occurrence
    announced: bool


async def create_circle(ctx: Context, facilitator_id: int, draft: CircleDraft) -> CreatedCircle:
    """Create the circle a finished draft describes, schedule its first meeting and announce
    it in its venue (or queue the announcement when the venue cannot be reached now).

    What ``/circle create`` does when the facilitator confirms; the console demo sets up its
    circle with it too."""
    now = ctx.clock()
    at = time.fromisoformat(draft.time)
    days = tuple(sorted(draft.days))
    zone = draft.zone
    chat = draft.venue
    venue = (
        Venue(str(chat["p"]), str(chat["c"]), chat["t"], VenueKind(draft.kind))
        if chat and draft.kind
        else None
    )
    circle = await ctx.storage.create_circle(
        Circle(
            id=0,
            title=draft.title,
            facilitator_id=facilitator_id,
            zone=zone,
            local_time=at,
            weekdays=days,
            recurrence=Recurrence(draft.repeat),
            start_date=when.first_date(days, at, zone, now),
            duration=timedelta(minutes=draft.minutes),
            created_at=now,
            description=draft.desc,
            guidelines=draft.guide,
            capacity=draft.capacity,
            venue=venue,
        )
    )
    occurrence = await next_occurrence(ctx, circle, now)
    assert occurrence is not None  # first_date found a date ahead
    await schedule(ctx, circle, occurrence, announce_at=None)
    try:
        announced = await announce(ctx, circle, occurrence)
    except DeliveryError:  # the due queue posts it once the venue can be reached
        await schedule_reminders(ctx, occurrence, announce_at=now)
        announced = circle.venue is not None
    return CreatedCircle(circle, occurrence, announced)


async def _create(ctx: Context, turn: Turn, draft: CircleDraft) -> Replies:
    assert turn.person is not None
    created = await create_circle(ctx, turn.person.id, draft)
    await end_flow(ctx, turn)
    circle, occurrence, announced = created.circle, created.first, created.announced
    zone = draft.zone
    now = ctx.clock()
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
