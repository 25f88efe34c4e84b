"""The daily check-in conversation and the sober-day counter (``/checkin``, ``/days``, ``/reset``).

A check-in asks the program's questions one at a time, each with buttons; typed answers work
too ("7" or "seven"). Answers are stored as they come, against the local date the check-in
counts for, so a late answer still counts for its day and a restart loses nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from handlers.checkins import alerts as checkin_alerts
from handlers.checkins import milestones, recovery, texts
from handlers.context import Capability, CommandSpec, Context, Replies, Turn, end_flow
from handlers.dispatcher import stale_button
from handlers.i18n import gettext, translate, with_english
from handlers.logsafe import describe_exception
from handlers.messaging import Button, OutgoingMessage
from handlers.numbers import read_whole
from handlers.profile import DateStyle, format_date, local_today
from handlers.program import Question
from handlers.routes import Route
from handlers.texts.plurals import DAY, counted
from storage.checkins import Answer, Checkin, FinishedCheckin
from storage.conversations import ConversationState
from storage.people import AccountAddress, Role

log = logging.getLogger(__name__)

FLOW = "ck"
EVERYONE = frozenset(Role)
MAX_NOTE_CHARS = 1000

_TRIM = " \t\n.!¡?¿\"'“”«»"


def _words(name: str) -> set[str]:
    """The ``|``-separated answers a texts constant lists, in the person's language and in
    English (people mix them): ``"sí|si|claro"``."""
    return {w.strip().casefold() for phrase in with_english(texts, name) for w in phrase.split("|")}


def _number_words() -> dict[str, int]:
    """``"siete" -> 7``: number words 0-10 of the person's language and of English."""
    found: dict[str, int] = {}
    for listed in with_english(texts, "NUMBER_WORDS"):
        for n, word in enumerate(listed.split()):
            found.setdefault(word.casefold(), n)
    return found


@dataclass(frozen=True, slots=True)
class AnswerPress:
    """A press of an answer button: which check-in, which question, what value."""

    checkin: int
    key: str
    value: str


ANSWER = Route(FLOW, "{checkin}:{key}:{value}", AnswerPress)


def question_message(question: Question, checkin_id: int, lead: str = "") -> OutgoingMessage:
    """The question with its answer buttons; ``lead`` goes above it in the same message
    (a greeting, or why it is asked again), so each step is one message to read and send."""
    # The default questions are message ids (handlers.texts.program); a question the program
    # wrote in config.toml has no catalogue entry and is shown as written.
    asked = gettext(question.text)
    text = f"{lead}\n\n{asked}" if lead else asked

    prefix = ANSWER.payload_prefix(checkin_id, question.key)  # one format for all answers

    def button(label: str, value: object) -> Button:
        return Button(label, f"{prefix}{value}")

    if question.kind == "scale":
        values = range(question.low, question.high + 1)
        labels = tuple(translate(question.labels)) or tuple(str(v) for v in values)
        buttons = [button(label, v) for v, label in zip(values, labels, strict=True)]
        per_row = 1 if question.labels else 6
        return OutgoingMessage.with_buttons(text, buttons, per_row=per_row)
    if question.kind == "yes_no":
        return OutgoingMessage.with_buttons(
            text, [button(texts.YES, "yes"), button(texts.NO, "no")]
        )
    buttons = [button(texts.SKIP, "skip")] if question.optional else []
    return OutgoingMessage.with_buttons(text, buttons)


async def begin(
    ctx: Context,
    person_id: int,
    address: AccountAddress,
    *,
    source: str,
    local_date: date,
    opening: str,
) -> Replies:
    """Open a check-in for ``local_date`` and ask its first question."""
    checkin = await ctx.storage.open_checkin(person_id, local_date, source, ctx.clock())
    first = ctx.program.checkin.questions[0]
    await ctx.storage.save_conversation(address, _state(checkin.id, first.key), ctx.clock())
    return [question_message(first, checkin.id, lead=opening)]


def _state(checkin_id: int, key: str) -> ConversationState:
    return ConversationState(flow=FLOW, step=key, data={"checkin_id": checkin_id})


async def checkin_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/checkin``: start one now, or carry on with the one that is open."""
    assert turn.person is not None
    state = turn.state
    if state is not None and state.flow == FLOW:
        checkin = await ctx.storage.get_checkin(int(state.data.get("checkin_id", 0)))
        if checkin is not None and checkin.open:
            question = _question(ctx, state.step)
            if question is not None:
                return [question_message(question, checkin.id, lead=texts.ALREADY_OPEN)]
    today, _ = await local_today(ctx, turn.person.id)
    again = await ctx.storage.completed_on(turn.person.id, today)
    return await begin(
        ctx,
        turn.person.id,
        turn.address,
        source="on_demand",
        local_date=today,
        opening=texts.UPDATE_OPENING if again else texts.ON_DEMAND_OPENING,
    )


def _question(ctx: Context, key: str) -> Question | None:
    return next((q for q in ctx.program.checkin.questions if q.key == key), None)


def read_answer(question: Question, raw: str) -> Answer | str:
    """A typed or pressed answer, or the sentence asking again."""
    value = raw.strip(_TRIM).casefold()
    if question.kind == "scale":
        number = _number_words().get(value)
        if number is None:
            number = read_whole(value, max_digits=3)
        if number is None or not question.low <= number <= question.high:
            return texts.ASK_AGAIN_SCALE.format(low=question.low, high=question.high)
        return Answer(question.key, number=float(number))
    if question.kind == "yes_no":
        if value in _words("YES_WORDS"):
            return Answer(question.key, number=1.0, text="yes")
        if value in _words("NO_WORDS"):
            return Answer(question.key, number=0.0, text="no")
        return texts.ASK_AGAIN_YES_NO
    if value in _words("SKIP_WORDS") and question.optional:
        return Answer(question.key, skipped=True)
    text = raw.strip()
    if len(text) > MAX_NOTE_CHARS:
        return texts.NOTE_TOO_LONG.format(limit=MAX_NOTE_CHARS)
    return Answer(question.key, text=text)


class CheckinFlow:
    name = FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = ANSWER.decode(payload)
        if press is None:
            return [stale_button()]
        checkin_id, key, value = press.checkin, press.key, press.value
        state = turn.state
        if (
            turn.person is not None
            and state is not None
            and state.flow == FLOW
            and state.data.get("checkin_id") == checkin_id
            and state.step == key
        ):
            replies = await self._next_question(ctx, turn, turn.person.id, checkin_id, key, value)
            if replies is not None:
                return replies
        checkin = await ctx.storage.get_checkin(checkin_id)
        if (
            checkin is None
            or turn.person is None
            or checkin.person_id != turn.person.id
            or not checkin.open
        ):
            return [OutgoingMessage(texts.CLOSED)]
        state = turn.state
        if state is None or state.flow != FLOW or state.data.get("checkin_id") != checkin.id:
            return [OutgoingMessage(texts.CLOSED)]
        if state.step != key:
            return [OutgoingMessage(texts.ALREADY_ANSWERED)]
        return await self._answer(ctx, turn, checkin, key, value)

    async def _next_question(
        self, ctx: Context, turn: Turn, person_id: int, checkin_id: int, key: str, raw: str
    ) -> Replies | None:
        """The common press (the awaited question, not the last one) in one write and no
        read: the answer goes in only if the check-in is theirs and open, and the state
        moves on with it. None when anything is unusual: the caller then takes the full path, which
        reads the check-in and gives the exact answer (closed, already answered, ...)."""
        questions = ctx.program.checkin.questions
        index = next((i for i, q in enumerate(questions) if q.key == key), None)
        if index is None or index + 1 >= len(questions):
            return None
        answer = read_answer(questions[index], raw)
        if isinstance(answer, str):
            return None
        following = questions[index + 1]
        moved_on = (turn.address, _state(checkin_id, following.key))
        if not await ctx.storage.record_open_answer(
            checkin_id, person_id, answer, ctx.clock(), then=moved_on
        ):
            return None  # nothing was stored, so the full path sees what was there before
        return [question_message(following, checkin_id)]

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        state = turn.state
        assert state is not None
        checkin = await ctx.storage.get_checkin(int(state.data.get("checkin_id", 0)))
        if checkin is None or turn.person is None or not checkin.open:
            await end_flow(ctx, turn)
            return [OutgoingMessage(texts.CLOSED)]
        return await self._answer(ctx, turn, checkin, state.step, text)

    async def _answer(
        self, ctx: Context, turn: Turn, checkin: Checkin, key: str, raw: str
    ) -> Replies:
        questions = ctx.program.checkin.questions
        index = next((i for i, q in enumerate(questions) if q.key == key), None)
        if index is None:  # the program changed its questions mid-check-in
            await end_flow(ctx, turn)
            return [OutgoingMessage(texts.CLOSED)]
        answer = read_answer(questions[index], raw)
        if isinstance(answer, str):
            return [question_message(questions[index], checkin.id, lead=answer)]
        if index + 1 < len(questions):
            following = questions[index + 1]
            moved_on = (turn.address, _state(checkin.id, following.key))
            if not await ctx.storage.record_open_answer(
                checkin.id, checkin.person_id, answer, ctx.clock(), then=moved_on
            ):
                return [OutgoingMessage(texts.ALREADY_ANSWERED)]
            return [question_message(following, checkin.id)]
        return [await finish(ctx, turn, checkin, answer)]


async def finish(ctx: Context, turn: Turn, checkin: Checkin, last: Answer) -> OutgoingMessage:
    """Store the last answer, complete the check-in and move the streak (one transaction),
    check the answers for an alert, and say so warmly.

    The alert check is queued in that same transaction and cleared once it has run, so a
    crash in between leaves it to the due queue instead of losing it.

    One day, one check-in: a check-in for a day that already has a completed one replaces it
    (storage deletes the older one in the same transaction), and the reply says today's
    answers were updated instead of counting the day again. A use reported in the update
    starts a new streak and alerts the mentor as the first would have; milestones are
    celebrated once each (:mod:`handlers.checkins.milestones`).
    """
    person = turn.person
    if person is None or person.id != checkin.person_id:
        person = await ctx.storage.get_person(checkin.person_id)
    assert person is not None
    answers = {**await ctx.storage.answers_of(checkin.id), last.question_key: last}
    day = checkin.local_date
    updating = await ctx.storage.completed_on(person.id, day)
    journey_start = person.journey_start or day
    streak_start = person.streak_start or day
    used = answers.get("used")
    relapsed = used is not None and used.text == "yes"
    if relapsed:
        streak_start = max(day, journey_start)
    now = ctx.clock()
    finished = FinishedCheckin(
        checkin_id=checkin.id,
        person_id=person.id,
        last_answer=last,
        journey_start=journey_start,
        streak_start=streak_start,
        conversation=turn.address,
        follow_up=checkin_alerts.checkin_alert_work(checkin, now),
    )
    if not await ctx.storage.finish_checkin(finished, now):
        return OutgoingMessage(texts.ALREADY_ANSWERED)
    # The alert first: nothing after it may keep a reported use from the mentor.
    mentor_told = await checkin_alerts.checkin_alert(ctx, checkin, answers)
    has_mentor = await _has_mentor(ctx, person.id)
    journey_days = (day - journey_start).days + 1
    streak_days = (day - streak_start).days + 1
    lines = [texts.UPDATED if updating else texts.THANKS]
    if relapsed:
        lines.append(texts.NEW_STREAK.format(journey=counted(DAY, journey_days)))
        lines.append(texts.NEW_STREAK_MENTOR if has_mentor else texts.NEW_STREAK_NO_MENTOR)
    elif updating and streak_start == day and journey_start < day:
        # Today's first answers may have started this streak (a "yes" now taken back): the
        # streak is left as it is, and the person told how to put it right.
        lines.append(texts.UPDATED_STREAK_STAYS)
    elif not updating:
        lines.append(
            texts.STREAK_AND_JOURNEY.format(days=streak_days, journey=counted(DAY, journey_days))
            if journey_days != streak_days
            else texts.STREAK.format(days=streak_days)
        )
    celebration = await _celebrate(ctx, person.id, streak_start, day)
    if celebration is not None and not relapsed:
        lines.append(celebration)
    mood = answers.get("mood")
    if mood is not None and mood.number is not None and mood.number <= 2:
        lines.append(texts.LOW_MOOD_SUPPORT if has_mentor else texts.LOW_MOOD_SUPPORT_NO_MENTOR)
    if mentor_told:
        lines.append(mentor_told)
    lines.append(texts.NEXT_STEP)
    return OutgoingMessage("\n".join(lines))


async def _celebrate(ctx: Context, person_id: int, streak_start: date, day: date) -> str | None:
    """Record every milestone the streak has reached by ``day``; the cheer for the largest one
    not recorded before. A failure here costs a cheer, never the check-in: it is logged."""
    reached = milestones.reached(streak_start, day)
    try:
        new = await ctx.storage.mark_milestones(
            person_id, streak_start, [m.key for m in reached], ctx.clock()
        )
    except Exception as exc:
        log.error("milestones of person %s not recorded: %s", person_id, describe_exception(exc))
        return None
    largest = milestones.largest_new(reached, new)
    return largest.cheer if largest is not None else None


async def _has_mentor(ctx: Context, person_id: int) -> bool:
    """Whether the person has a mentor, so the reply never promises one who does not exist."""
    try:
        return await ctx.storage.pairing_of(person_id) is not None
    except Exception as exc:
        log.warning("pairing of person %s unreadable: %s", person_id, describe_exception(exc))
        return False


async def days_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    assert turn.person is not None
    person = turn.person
    if person.journey_start is None or person.streak_start is None:
        return [OutgoingMessage(texts.DAYS_NOT_STARTED)]
    today, _ = await local_today(ctx, person.id)
    return [
        OutgoingMessage(
            texts.DAYS.format(
                streak=counted(DAY, (today - person.streak_start).days + 1),
                streak_start=_show_date(person.streak_start),
                journey=counted(DAY, (today - person.journey_start).days + 1),
                journey_start=_show_date(person.journey_start),
            )
        )
    ]


async def reset_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/reset DATE``: the current streak began on DATE, any day up to today; the journey
    start moves back with it when DATE is earlier (:mod:`handlers.checkins.recovery`)."""
    assert turn.person is not None
    if not args:
        return [OutgoingMessage(texts.RESET_NEEDS_DATE)]
    today, _ = await local_today(ctx, turn.person.id)
    start = recovery.read_recovery_date(" ".join(args), today)
    if isinstance(start, str):
        return [OutgoingMessage(start)]
    await recovery.set_recovery_date(ctx, turn.person, start, correction=False)
    return [
        OutgoingMessage(
            texts.RESET_DONE.format(
                date=_show_date(start), days=counted(DAY, (today - start).days + 1)
            )
        )
    ]


def _show_date(day: date) -> str:
    return format_date(day, DateStyle.DAY_MONTH_YEAR_LONG)


CAPABILITY = Capability(
    commands=(
        CommandSpec("checkin", "do your daily check-in now", checkin_command, EVERYONE),
        CommandSpec("days", "see your current streak and your journey", days_command, EVERYONE),
        CommandSpec(
            "reset",
            "set the day your current streak began",
            reset_command,
            EVERYONE,
            arg_hint="DATE",
        ),
    ),
    flows=(CheckinFlow(),),
)
