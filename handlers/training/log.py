"""``/training`` and ``/supervision``: mentors log what they did, in their private chat.

``/training`` shows the mentor's log and standing (:mod:`handlers.training.status`) with a
button to log a training: course (a required one from ``[training] required`` as a button, or
typed), provider, completion date, hours, expiry. ``/supervision`` logs a session: date,
supervisor, minutes; never its content. Course, provider and supervisor are free text and are
stored encrypted when a data key is set. A logged expiry puts the reminders in the due queue
(:mod:`handlers.training.reminders`). Both flows keep their draft in the conversation state,
so a restart resumes where the mentor was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from handlers import flowstate
from handlers.context import Capability, CommandSpec, Context, Replies, Turn, end_flow
from handlers.dispatcher import stale_button
from handlers.i18n import current_language
from handlers.messaging import Button, ChatKind, OutgoingMessage
from handlers.numbers import read_whole
from handlers.profile import DateStyle, format_date
from handlers.routes import Route, decode_any
from handlers.timing import TimingError, local_date, parse_local_date
from handlers.training import reminders, texts
from handlers.training.status import Standing, TrainingStatus, training_status
from storage.people import Role

FLOW = "tr"
SUPERVISION_FLOW = "sv"
MENTORS = frozenset({Role.MENTOR})
NAME_LIMIT = 120
MIN_HOURS, MAX_HOURS = 0.25, 500.0
MIN_MINUTES, MAX_MINUTES = 5, 600
_HOURS = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{1,2})?")


def _number(value: float) -> str:
    """Hours as the language writes a decimal (``1.5`` / ``1,5``), as they may be typed."""
    from babel.numbers import format_decimal

    return format_decimal(value, "0.##", locale=current_language())


def in_private(turn: Turn) -> bool:
    """Whether only this person sees what we answer."""
    return turn.event.chat_kind is ChatKind.DIRECT or turn.event.private_replies


async def today_of(ctx: Context, person_id: int) -> date:
    zone = (await ctx.storage.get_settings(person_id)).timezone
    try:
        return local_date(ctx.clock(), zone or "UTC")
    except Exception:  # an unknown zone: the UTC day
        return ctx.clock().date()


def read_hours(text: str) -> float | None:
    cleaned = text.strip().casefold().removesuffix("h").removesuffix("hours").strip()
    if not _HOURS.fullmatch(cleaned):
        return None
    value = float(cleaned.replace(",", "."))
    return value if MIN_HOURS <= value <= MAX_HOURS else None


def read_name(text: str) -> tuple[str | None, str | None]:
    """The name typed, or the kind word why not."""
    name = " ".join(text.split())
    if not name:
        return None, texts.NAME_EMPTY
    if len(name) > NAME_LIMIT:
        return None, texts.NAME_TOO_LONG.format(limit=NAME_LIMIT)
    return name, None


def standing_lines(status: TrainingStatus, asked: bool) -> str:
    if status.standing is Standing.OK:
        return texts.STANDING_OK if asked else texts.STANDING_NOTHING_ASKED
    lines = []
    if status.lapsed:
        lines.append(texts.LAPSED.format(courses=", ".join(status.lapsed)))
    if status.missing:
        lines.append(texts.MISSING.format(courses=", ".join(status.missing)))
    if status.expired:
        lines.append(texts.EXPIRED_OTHER.format(courses=", ".join(status.expired)))
    if status.expiring:
        soon = [
            texts.EXPIRING_ONE.format(course=c, date=format_date(d, DateStyle.DAY_MONTH_YEAR_LONG))
            for c, d in status.expiring
        ]
        lines.append(texts.EXPIRING.format(courses=", ".join(soon)))
    if status.hours_short:
        lines.append(
            texts.HOURS_SHORT.format(
                hours=_number(status.hours), needed=_number(status.hours_needed)
            )
        )
    if status.supervision_short:
        lines.append(
            texts.SUPERVISION_SHORT.format(
                count=status.supervision, needed=status.supervision_needed
            )
        )
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class LogPress:
    pass


@dataclass(frozen=True, slots=True)
class RemovePress:
    """Ask which entry to remove."""


@dataclass(frozen=True, slots=True)
class RemoveOnePress:
    training: int


@dataclass(frozen=True, slots=True)
class CoursePress:
    """A required course, by its place in ``[training] required``."""

    index: int


@dataclass(frozen=True, slots=True)
class TodayPress:
    pass


@dataclass(frozen=True, slots=True)
class NoExpiryPress:
    pass


@dataclass(frozen=True, slots=True)
class CancelPress:
    pass


LOG = Route(FLOW, "log:", LogPress)
REMOVE = Route(FLOW, "rm:", RemovePress)
REMOVE_ONE = Route(FLOW, "rm:{training}", RemoveOnePress)
COURSE = Route(FLOW, "course:{index}", CoursePress)
TODAY = Route(FLOW, "today:", TodayPress)
NO_EXPIRY = Route(FLOW, "noexp:", NoExpiryPress)
CANCEL = Route(FLOW, "cancel:", CancelPress)
SV_TODAY = Route(SUPERVISION_FLOW, "today:", TodayPress)
SV_CANCEL = Route(SUPERVISION_FLOW, "cancel:", CancelPress)


@dataclass(frozen=True, slots=True)
class TrainingDraft:
    course: str = ""
    provider: str = ""
    completed_on: str = ""
    hours: float = 0.0


@dataclass(frozen=True, slots=True)
class SupervisionDraft:
    held_on: str = ""
    supervisor: str = ""


async def overview(ctx: Context, person_id: int) -> OutgoingMessage:
    trainings = await ctx.storage.trainings_of(person_id)
    status = training_status(
        trainings,
        await ctx.storage.supervision_of(person_id),
        ctx.program.training,
        await today_of(ctx, person_id),
    )
    settings = ctx.program.training
    asked = bool(settings.required or settings.hours_per_year or settings.supervision_per_month)
    today = await today_of(ctx, person_id)
    entries = []
    for t in trainings:
        expiry = ""
        if t.expires_on is not None:
            template = texts.EXPIRED if t.expires_on < today else texts.EXPIRES
            expiry = template.format(date=format_date(t.expires_on, DateStyle.DAY_MONTH_YEAR_LONG))
        entries.append(
            texts.ENTRY.format(
                course=t.course,
                provider=t.provider,
                completed=format_date(t.completed_on, DateStyle.DAY_MONTH_YEAR_LONG),
                hours=_number(t.hours),
                expiry=expiry,
            )
        )
    buttons = [LOG.button(texts.LOG_BUTTON, LogPress())]
    if trainings:
        buttons.append(REMOVE.button(texts.REMOVE_BUTTON, RemovePress()))
    text = texts.OVERVIEW.format(
        standing=standing_lines(status, asked),
        entries="\n".join(entries) or texts.NO_ENTRIES,
        next=texts.OVERVIEW_NEXT,
    )
    return OutgoingMessage.with_buttons(text, buttons)


async def training_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    assert turn.person is not None
    if not in_private(turn):
        return [OutgoingMessage(texts.PRIVATE_ONLY)]
    return [await overview(ctx, turn.person.id)]


def ask_course(ctx: Context) -> OutgoingMessage:
    buttons = [
        COURSE.button(name, CoursePress(n)) for n, name in enumerate(ctx.program.training.required)
    ]
    buttons.append(CANCEL.button(texts.CANCEL, CancelPress()))
    return OutgoingMessage.with_buttons(texts.ASK_COURSE, buttons)


def _with_cancel(text: str, *extra: Button) -> OutgoingMessage:
    return OutgoingMessage.with_buttons(text, [*extra, CANCEL.button(texts.CANCEL, CancelPress())])


class TrainingFlow:
    """Logging a training, step by step; and removing an entry."""

    name = FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = decode_any(payload, (LOG, REMOVE, REMOVE_ONE, COURSE, TODAY, NO_EXPIRY, CANCEL))
        if press is None or turn.person is None or Role.MENTOR not in turn.roles:
            return [stale_button()]
        if not in_private(turn):
            return [OutgoingMessage(texts.PRIVATE_ONLY)]
        person_id = turn.person.id
        match press:
            case LogPress():
                await flowstate.save(ctx, turn, FLOW, "course", TrainingDraft())
                return [ask_course(ctx)]
            case CancelPress():
                await end_flow(ctx, turn)
                return [OutgoingMessage(texts.CANCELLED)]
            case RemovePress():
                trainings = await ctx.storage.trainings_of(person_id)
                if not trainings:
                    return [OutgoingMessage(texts.NOTHING_TO_REMOVE)]
                buttons = [
                    REMOVE_ONE.button(
                        texts.REMOVE_ONE.format(
                            course=t.course[:30],
                            date=format_date(t.completed_on, DateStyle.DAY_MONTH_YEAR_LONG),
                        ),
                        RemoveOnePress(t.id),
                    )
                    for t in trainings
                ]
                return [OutgoingMessage.with_buttons(texts.PICK_REMOVE, buttons, per_row=1)]
            case RemoveOnePress(training_id):
                if not await ctx.storage.delete_training(person_id, training_id):
                    return [stale_button()]
                await ctx.storage.clear_due(reminders.TRAINING_EXPIRY, str(training_id))
                return [OutgoingMessage(texts.REMOVED)]
        draft = flowstate.load(TrainingDraft, turn.state) if turn.state else None
        step = turn.state.step if turn.state is not None and turn.state.flow == FLOW else ""
        if draft is None or not step:
            return [stale_button()]
        match press:
            case CoursePress(index) if step == "course" and index < len(
                ctx.program.training.required
            ):
                return await self._course(ctx, turn, draft, ctx.program.training.required[index])
            case TodayPress() if step == "date":
                return await self._completed(ctx, turn, draft, await today_of(ctx, person_id))
            case NoExpiryPress() if step == "expiry":
                return await self._save(ctx, turn, draft, None)
        return [stale_button()]

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        if turn.person is None or turn.state is None:
            return [stale_button()]
        if not in_private(turn):
            return [OutgoingMessage(texts.PRIVATE_ONLY)]
        draft = flowstate.load(TrainingDraft, turn.state)
        if draft is None:
            await end_flow(ctx, turn)
            return [stale_button()]
        step = turn.state.step
        today = await today_of(ctx, turn.person.id)
        if step == "course":
            name, problem = read_name(text)
            if name is None:
                return [_with_cancel(problem or texts.NAME_EMPTY)]
            return await self._course(ctx, turn, draft, name)
        if step == "provider":
            name, problem = read_name(text)
            if name is None:
                return [_with_cancel(problem or texts.NAME_EMPTY)]
            await flowstate.save(ctx, turn, FLOW, "date", replace(draft, provider=name))
            return [_with_cancel(texts.ASK_DATE, TODAY.button(texts.TODAY, TodayPress()))]
        if step == "date":
            try:
                day = parse_local_date(text, today)
            except TimingError as err:
                hint = texts.DATE_NOT_UNDERSTOOD.format(hint=str(err))
                return [_with_cancel(hint, TODAY.button(texts.TODAY, TodayPress()))]
            return await self._completed(ctx, turn, draft, day)
        if step == "hours":
            hours = read_hours(text)
            if hours is None:
                return [_with_cancel(texts.HOURS_NOT_UNDERSTOOD)]
            await flowstate.save(ctx, turn, FLOW, "expiry", replace(draft, hours=hours))
            return [
                _with_cancel(texts.ASK_EXPIRY, NO_EXPIRY.button(texts.NO_EXPIRY, NoExpiryPress()))
            ]
        if step == "expiry":
            try:
                expiry = parse_local_date(text, today)
            except TimingError as err:
                hint = texts.DATE_NOT_UNDERSTOOD.format(hint=str(err))
                return [_with_cancel(hint, NO_EXPIRY.button(texts.NO_EXPIRY, NoExpiryPress()))]
            if expiry <= date.fromisoformat(draft.completed_on):
                return [
                    _with_cancel(
                        texts.EXPIRY_BEFORE, NO_EXPIRY.button(texts.NO_EXPIRY, NoExpiryPress())
                    )
                ]
            return await self._save(ctx, turn, draft, expiry)
        await end_flow(ctx, turn)
        return [stale_button()]

    async def _course(self, ctx: Context, turn: Turn, draft: TrainingDraft, course: str) -> Replies:
        await flowstate.save(ctx, turn, FLOW, "provider", replace(draft, course=course))
        return [_with_cancel(texts.ASK_PROVIDER)]

    async def _completed(
        self, ctx: Context, turn: Turn, draft: TrainingDraft, day: date
    ) -> Replies:
        assert turn.person is not None
        if day > await today_of(ctx, turn.person.id):
            return [_with_cancel(texts.DATE_IN_FUTURE, TODAY.button(texts.TODAY, TodayPress()))]
        await flowstate.save(ctx, turn, FLOW, "hours", replace(draft, completed_on=day.isoformat()))
        return [_with_cancel(texts.ASK_HOURS)]

    async def _save(
        self, ctx: Context, turn: Turn, draft: TrainingDraft, expiry: date | None
    ) -> Replies:
        assert turn.person is not None
        if not draft.course or not draft.provider or not draft.completed_on:
            await end_flow(ctx, turn)
            return [stale_button()]
        training = await ctx.storage.log_training(
            turn.person.id,
            course=draft.course,
            provider=draft.provider,
            completed_on=date.fromisoformat(draft.completed_on),
            hours=draft.hours,
            expires_on=expiry,
            now=ctx.clock(),
        )
        await end_flow(ctx, turn)
        work = await reminders.schedule(ctx, training)
        note = ""
        if work is not None and expiry is not None:
            note = texts.REMINDER_NOTE.format(
                date=format_date(expiry, DateStyle.DAY_MONTH_YEAR_LONG)
            )
        return [
            OutgoingMessage(
                texts.TRAINING_SAVED.format(
                    course=training.course,
                    provider=training.provider,
                    hours=_number(training.hours),
                    reminder=note,
                )
            )
        ]


def _sv_cancel(text: str, today: bool = False) -> OutgoingMessage:
    buttons = [SV_TODAY.button(texts.TODAY, TodayPress())] if today else []
    buttons.append(SV_CANCEL.button(texts.CANCEL, CancelPress()))
    return OutgoingMessage.with_buttons(text, buttons)


async def supervision_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    assert turn.person is not None
    if not in_private(turn):
        return [OutgoingMessage(texts.PRIVATE_ONLY)]
    await flowstate.save(ctx, turn, SUPERVISION_FLOW, "date", SupervisionDraft())
    return [_sv_cancel(texts.ASK_SUPERVISION_DATE, today=True)]


class SupervisionFlow:
    """Logging a supervision session: date, supervisor, minutes."""

    name = SUPERVISION_FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = decode_any(payload, (SV_TODAY, SV_CANCEL))
        if press is None or turn.person is None or Role.MENTOR not in turn.roles:
            return [stale_button()]
        if not in_private(turn):
            return [OutgoingMessage(texts.PRIVATE_ONLY)]
        if isinstance(press, CancelPress):
            await end_flow(ctx, turn)
            return [OutgoingMessage(texts.CANCELLED)]
        state = turn.state
        draft = flowstate.load(SupervisionDraft, state) if state is not None else None
        if draft is None or state is None or state.flow != SUPERVISION_FLOW or state.step != "date":
            return [stale_button()]
        return await self._held(ctx, turn, draft, await today_of(ctx, turn.person.id))

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        if turn.person is None or turn.state is None:
            return [stale_button()]
        if not in_private(turn):
            return [OutgoingMessage(texts.PRIVATE_ONLY)]
        draft = flowstate.load(SupervisionDraft, turn.state)
        if draft is None:
            await end_flow(ctx, turn)
            return [stale_button()]
        step = turn.state.step
        if step == "date":
            try:
                day = parse_local_date(text, await today_of(ctx, turn.person.id))
            except TimingError as err:
                return [_sv_cancel(texts.DATE_NOT_UNDERSTOOD.format(hint=str(err)), today=True)]
            return await self._held(ctx, turn, draft, day)
        if step == "supervisor":
            name, problem = read_name(text)
            if name is None:
                return [_sv_cancel(problem or texts.NAME_EMPTY)]
            await flowstate.save(
                ctx, turn, SUPERVISION_FLOW, "minutes", replace(draft, supervisor=name)
            )
            return [_sv_cancel(texts.ASK_MINUTES)]
        if step == "minutes":
            minutes = read_whole(text.strip().casefold().removesuffix("min").strip(), max_digits=3)
            if minutes is None or not MIN_MINUTES <= minutes <= MAX_MINUTES:
                return [_sv_cancel(texts.MINUTES_NOT_UNDERSTOOD)]
            return await self._save(ctx, turn, draft, minutes)
        await end_flow(ctx, turn)
        return [stale_button()]

    async def _held(self, ctx: Context, turn: Turn, draft: SupervisionDraft, day: date) -> Replies:
        assert turn.person is not None
        if day > await today_of(ctx, turn.person.id):
            return [_sv_cancel(texts.DATE_IN_FUTURE, today=True)]
        await flowstate.save(
            ctx, turn, SUPERVISION_FLOW, "supervisor", replace(draft, held_on=day.isoformat())
        )
        return [_sv_cancel(texts.ASK_SUPERVISOR)]

    async def _save(
        self, ctx: Context, turn: Turn, draft: SupervisionDraft, minutes: int
    ) -> Replies:
        assert turn.person is not None
        if not draft.held_on or not draft.supervisor:
            await end_flow(ctx, turn)
            return [stale_button()]
        held = date.fromisoformat(draft.held_on)
        await ctx.storage.log_supervision(
            turn.person.id,
            held_on=held,
            supervisor=draft.supervisor,
            minutes=minutes,
            now=ctx.clock(),
        )
        await end_flow(ctx, turn)
        status = training_status(
            await ctx.storage.trainings_of(turn.person.id),
            await ctx.storage.supervision_of(turn.person.id),
            ctx.program.training,
            await today_of(ctx, turn.person.id),
        )
        needed = ctx.program.training.supervision_per_month
        return [
            OutgoingMessage(
                texts.SUPERVISION_SAVED.format(
                    supervisor=draft.supervisor,
                    date=format_date(held, DateStyle.DAY_MONTH_YEAR_LONG),
                    minutes=minutes,
                    count=status.supervision,
                    needed=texts.OF_NEEDED.format(needed=needed) if needed else "",
                )
            )
        ]


CAPABILITY = Capability(
    commands=(
        CommandSpec("training", "your training log, and log a training", training_command, MENTORS),
        CommandSpec("supervision", "log a supervision session", supervision_command, MENTORS),
    ),
    flows=(TrainingFlow(), SupervisionFlow()),
)
