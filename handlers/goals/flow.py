"""``/goals`` and ``/goal add``: goals a person sets, broken into steps they tick off.

Adding a goal asks for a title, short- or long-term, an optional target date (not in the past)
and optional steps, one message each; the draft lives in the conversation state, so a restart
resumes it, and the goal is stored only when it is complete. A goal's card shows its steps as
buttons that tick (and untick) them, and a progress bar like ``▓▓▓░░ 3/5``. The weekly review
is in :mod:`handlers.goals.review`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from handlers import flowstate
from handlers.context import Capability, CommandSpec, Context, Replies, Turn, end_flow, save_state
from handlers.dispatcher import stale_button
from handlers.goals import review as goal_review
from handlers.goals import texts
from handlers.goals.cards import (
    CANCEL,
    DROP_OK,
    FLOW,
    NO_DATE,
    ROUTES,
    SHOW,
    STEPS_DONE,
    TERM,
    CancelPress,
    DonePress,
    DropOkPress,
    DropPress,
    NoDatePress,
    ReviewDayPress,
    ShowPress,
    StepsDonePress,
    TermPress,
    TickPress,
    goal_buttons,
    goal_card,
    goal_lines,
)
from handlers.i18n import with_english
from handlers.messaging import OutgoingMessage
from handlers.profile import local_today
from handlers.routes import decode_any
from handlers.timing import TimingError, parse_local_date
from storage.conversations import ConversationState
from storage.goals import Goal, GoalTerm
from storage.people import Role

EVERYONE = frozenset(Role)
MAX_TITLE_CHARS = 80
MAX_STEP_CHARS = 60
MAX_STEPS = 10
MAX_OPEN_GOALS = 12


def _typed(name: str) -> set[str]:
    """The ``|``-separated words a texts constant lists, in the person's language and English."""
    return {w.strip().casefold() for listed in with_english(texts, name) for w in listed.split("|")}


_NO_DATE = {"no", "none", "no date", "skip", "nope"}
_NO_MORE = {"done", "no", "none", "no steps", "skip", "that's all", "thats all", "nope"}


STEPS = ("title", "term", "date", "steps")
"""The steps of adding a goal, in order."""


@dataclass(frozen=True, slots=True)
class GoalDraft:
    """A goal being added, kept in the conversation state until it is complete."""

    step: str
    title: str | None = None
    term: GoalTerm = GoalTerm.SHORT
    target: date | None = None
    steps: tuple[str, ...] = ()

    def data(self) -> dict[str, object]:
        """What is saved: the keys and forms this flow has always saved."""
        saved: dict[str, object] = {}
        if self.title is not None:
            saved["title"] = self.title
        if self.step in ("date", "steps"):
            saved["term"] = self.term.value
        if self.step == "steps":
            saved.update(target=self.target.isoformat() if self.target else None)
            saved.update(steps=list(self.steps))
        return saved


@dataclass(frozen=True, slots=True)
class _Saved:
    """The draft as stored (see :meth:`GoalDraft.data`)."""

    title: str | None = None
    term: str = GoalTerm.SHORT.value
    target: str | None = None
    steps: list[str] = field(default_factory=list)


def load_draft(state: ConversationState | None) -> GoalDraft | None:
    """The draft in ``state``, or None if there is none or it has a shape this version does not
    read (saved by an older one): the caller answers that as stale, never as a crash."""
    if state is None or state.flow != FLOW or state.step not in STEPS:
        return None
    saved = flowstate.load(_Saved, state)
    if saved is None or (saved.title is None and state.step != "title"):
        return None
    try:
        term = GoalTerm(saved.term)
        target = date.fromisoformat(saved.target) if saved.target is not None else None
    except ValueError:
        return None
    return GoalDraft(state.step, saved.title, term, target, tuple(saved.steps))


async def _save_draft(ctx: Context, turn: Turn, draft: GoalDraft) -> None:
    await save_state(ctx, turn, FLOW, draft.step, **draft.data())


class GoalAnswerError(ValueError):
    """A title or step we could not use; ``str()`` is the kind sentence to send back."""


def clean_title(text: str, limit: int, *, empty: str, too_long: str) -> str:
    """One line, trimmed, without control characters; at most ``limit`` characters."""
    cleaned = "".join(
        ch
        for ch in text
        if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp") or ch == "\u200d"
    )
    title = " ".join(cleaned.split())
    if not title:
        raise GoalAnswerError(empty)
    if len(title) > limit:
        raise GoalAnswerError(too_long.format(limit=limit))
    return title


def read_goal_title(text: str) -> str:
    return clean_title(
        text, MAX_TITLE_CHARS, empty=texts.TITLE_EMPTY, too_long=texts.TITLE_TOO_LONG
    )


def read_step(text: str) -> str:
    return clean_title(text, MAX_STEP_CHARS, empty=texts.STEP_EMPTY, too_long=texts.STEP_TOO_LONG)


async def card_for(ctx: Context, goal: Goal) -> OutgoingMessage:
    today, _ = await local_today(ctx, goal.person_id)
    comments = await ctx.storage.comments_of(goal.id)
    names: dict[int, str] = {}
    for author in {c.author_id for c in comments if c.author_id is not None}:
        person = await ctx.storage.get_person(author)
        if person is not None:
            names[author] = person.display_name
    return goal_card(goal, today, comments, names)


async def goals_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/goals``: open goals with their bars, and how many were reached lately."""
    assert turn.person is not None
    person_id = turn.person.id
    everything = await ctx.storage.goals_of(person_id, include_closed=True)
    goals = [g for g in everything if g.open]
    month_ago = ctx.clock() - timedelta(days=30)
    reached = sum(1 for g in everything if g.completed_at and g.completed_at >= month_ago)
    if not goals and not reached:
        return [OutgoingMessage(texts.NO_GOALS)]
    lines = [texts.LIST_HEADER, *goal_lines(goals)] if goals else []
    if reached:
        lines.append(texts.REACHED_LATELY.format(count=reached))
    weekday = await ctx.storage.goal_review_day(person_id)
    if weekday is not None:
        lines.append(texts.REVIEW_DAY_LINE.format(day=texts.WEEKDAYS[weekday]))
    lines.append(texts.LIST_FOOTER)
    return [OutgoingMessage.with_buttons("\n".join(lines), goal_buttons(goals), per_row=1)]


async def goal_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/goal add [title]`` or ``/goal review [day|off]``."""
    assert turn.person is not None
    action = args[0].casefold() if args else ""
    if action == "add":
        return await _start_adding(ctx, turn, " ".join(args[1:]))
    if action == "review":
        return await goal_review.review_command(ctx, turn, args[1:])
    if action in ("list", "show"):
        return await goals_command(ctx, turn, ())
    return [OutgoingMessage(texts.GOAL_HELP)]


async def _start_adding(ctx: Context, turn: Turn, title_text: str) -> Replies:
    assert turn.person is not None
    count = len(await ctx.storage.goals_of(turn.person.id))
    if count >= MAX_OPEN_GOALS:
        return [OutgoingMessage(texts.TOO_MANY_GOALS.format(count=count))]
    if title_text.strip():
        return await _title(ctx, turn, title_text)
    await save_state(ctx, turn, FLOW, "title")
    return [_ask_title()]


def _ask_title() -> OutgoingMessage:
    return OutgoingMessage.with_buttons(
        texts.ASK_TITLE, [CANCEL.button(texts.NEVER_MIND, CancelPress())]
    )


async def _title(ctx: Context, turn: Turn, text: str) -> Replies:
    try:
        title = read_goal_title(text)
    except GoalAnswerError as err:
        await save_state(ctx, turn, FLOW, "title")
        return [OutgoingMessage(str(err)), _ask_title()]
    await _save_draft(ctx, turn, GoalDraft("term", title))
    return [_ask_term(title)]


def _ask_term(title: str) -> OutgoingMessage:
    return OutgoingMessage.with_buttons(
        texts.ASK_TERM.format(title=title),
        [
            TERM.button(texts.SHORT_TERM, TermPress(GoalTerm.SHORT.value)),
            TERM.button(texts.LONG_TERM, TermPress(GoalTerm.LONG.value)),
        ],
    )


def _ask_date() -> OutgoingMessage:
    return OutgoingMessage.with_buttons(
        texts.ASK_DATE, [NO_DATE.button(texts.NO_DATE, NoDatePress())]
    )


def _ask_more_steps(text: str) -> OutgoingMessage:
    return OutgoingMessage.with_buttons(
        text, [STEPS_DONE.button(texts.DONE_ADDING, StepsDonePress())]
    )


class GoalFlow:
    name = FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = decode_any(payload, ROUTES)
        if turn.person is None or press is None:
            return [stale_button(texts.STALE_NEXT_STEP)]
        match press:
            case ShowPress() | TickPress() | DonePress() | DropPress() | DropOkPress():
                return await self._goal_button(ctx, turn, press)
            case ReviewDayPress(day=day) if day in _REVIEW_DAYS:
                return await goal_review.review_day_chosen(ctx, turn, day)
        draft = load_draft(turn.state)
        match press, draft:
            case CancelPress(), GoalDraft():
                await end_flow(ctx, turn)
                return [OutgoingMessage(texts.CANCELLED)]
            case TermPress(term=term), GoalDraft(step="term"):
                return await self._term(ctx, turn, draft, term)
            case NoDatePress(), GoalDraft(step="date"):
                return await self._to_steps(ctx, turn, draft, None)
            case StepsDonePress(), GoalDraft(step="steps"):
                return await self._save(ctx, turn, draft)
        return [stale_button(texts.STALE_NEXT_STEP)]

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        draft = load_draft(turn.state)
        if turn.person is None or draft is None:
            await end_flow(ctx, turn)
            return [stale_button(texts.STALE_NEXT_STEP)]
        answer = _TEXT_STEPS.get(draft.step)
        if answer is None:  # load_draft knows only these steps; kept for the type
            return [stale_button(texts.STALE_NEXT_STEP)]
        return await answer(self, ctx, turn, draft, text)

    async def _title_text(self, ctx: Context, turn: Turn, draft: GoalDraft, text: str) -> Replies:
        return await _title(ctx, turn, text)

    async def _term_text(self, ctx: Context, turn: Turn, draft: GoalDraft, text: str) -> Replies:
        return await self._term(ctx, turn, draft, " ".join(text.casefold().split()))

    async def _steps_text(self, ctx: Context, turn: Turn, draft: GoalDraft, text: str) -> Replies:
        if " ".join(text.casefold().split()) in _NO_MORE:
            return await self._save(ctx, turn, draft)
        return await self._add_step(ctx, turn, draft, text)

    async def _term(self, ctx: Context, turn: Turn, draft: GoalDraft, answer: str) -> Replies:
        if answer in _typed("SHORT_WORDS") or answer == GoalTerm.SHORT.value:
            term = GoalTerm.SHORT
        elif answer in _typed("LONG_WORDS") or answer == GoalTerm.LONG.value:
            term = GoalTerm.LONG
        else:
            return [OutgoingMessage(texts.TAP_TERM), _ask_term(draft.title or "")]
        await _save_draft(ctx, turn, replace(draft, step="date", term=term))
        return [_ask_date()]

    async def _date(self, ctx: Context, turn: Turn, draft: GoalDraft, text: str) -> Replies:
        assert turn.person is not None
        if " ".join(text.casefold().split()) in _NO_DATE:
            return await self._to_steps(ctx, turn, draft, None)
        today, _ = await local_today(ctx, turn.person.id)
        try:
            target = parse_local_date(text, today)
        except TimingError as err:
            return [OutgoingMessage(str(err)), _ask_date()]
        if target < today:
            return [OutgoingMessage(texts.DATE_IN_PAST), _ask_date()]
        return await self._to_steps(ctx, turn, draft, target)

    async def _to_steps(
        self, ctx: Context, turn: Turn, draft: GoalDraft, target: date | None
    ) -> Replies:
        await _save_draft(ctx, turn, replace(draft, step="steps", target=target, steps=()))
        return [
            OutgoingMessage.with_buttons(
                texts.ASK_STEPS, [STEPS_DONE.button(texts.NO_STEPS, StepsDonePress())]
            )
        ]

    async def _add_step(self, ctx: Context, turn: Turn, draft: GoalDraft, text: str) -> Replies:
        try:
            step = read_step(text)
        except GoalAnswerError as err:
            return [_ask_more_steps(str(err))]
        draft = replace(draft, steps=(*draft.steps, step))
        if len(draft.steps) >= MAX_STEPS:
            replies = await self._save(ctx, turn, draft)
            return [OutgoingMessage(texts.STEPS_FULL.format(limit=MAX_STEPS)), *replies]
        await _save_draft(ctx, turn, draft)
        return [_ask_more_steps(texts.STEP_ADDED.format(number=len(draft.steps)))]

    async def _save(self, ctx: Context, turn: Turn, draft: GoalDraft) -> Replies:
        assert turn.person is not None
        title = draft.title
        if title is None:
            await end_flow(ctx, turn)
            return [stale_button(texts.STALE_NEXT_STEP)]
        await end_flow(ctx, turn)
        count = len(await ctx.storage.goals_of(turn.person.id))
        if count >= MAX_OPEN_GOALS:
            return [OutgoingMessage(texts.TOO_MANY_GOALS.format(count=count))]
        goal = await ctx.storage.create_goal(
            turn.person.id,
            title=title,
            term=draft.term,
            target_date=draft.target,
            steps=list(draft.steps),
            now=ctx.clock(),
        )
        saved = texts.SAVED
        if await ctx.storage.goal_review_day(turn.person.id) is None:
            saved = f"{saved} {texts.SUGGEST_REVIEW}"
        return [OutgoingMessage(saved), await card_for(ctx, goal)]

    async def _goal_button(
        self,
        ctx: Context,
        turn: Turn,
        press: ShowPress | TickPress | DonePress | DropPress | DropOkPress,
    ) -> Replies:
        assert turn.person is not None
        goal = await ctx.storage.get_goal(press.goal)
        if goal is None or goal.person_id != turn.person.id:
            return [stale_button(texts.STALE_NEXT_STEP)]
        if goal.set_aside_at is not None:
            return [OutgoingMessage(texts.GOAL_CLOSED)]
        now = ctx.clock()
        match press:
            case ShowPress():
                return [await card_for(ctx, goal)]
            case DropPress():
                return [
                    OutgoingMessage.with_buttons(
                        texts.CONFIRM_SET_ASIDE.format(title=goal.title),
                        [
                            DROP_OK.button(texts.YES_SET_ASIDE, DropOkPress(goal.id)),
                            SHOW.button(texts.KEEP_IT, ShowPress(goal.id)),
                        ],
                    )
                ]
            case DropOkPress():
                await ctx.storage.set_goal_aside(goal.id, now)
                return [OutgoingMessage(texts.SET_ASIDE_DONE.format(title=goal.title))]
            case TickPress(step=step_id):
                step = next((s for s in goal.steps if s.id == step_id), None)
                if step is None:
                    return [stale_button(texts.STALE_NEXT_STEP)]
                updated = await ctx.storage.set_step_done(goal.id, step.id, not step.done, now)
            case DonePress():
                updated = await ctx.storage.set_goal_done(goal.id, goal.completed_at is None, now)
        card = await card_for(ctx, updated)
        if goal.completed_at is None and updated.completed_at is not None:
            return [OutgoingMessage(texts.CELEBRATE.format(title=goal.title)), card]
        return [card]


_TextStep = Callable[[GoalFlow, Context, Turn, GoalDraft, str], Awaitable[Replies]]

_TEXT_STEPS: flowstate.Steps[_TextStep] = flowstate.Steps(
    {
        "title": GoalFlow._title_text,
        "term": GoalFlow._term_text,
        "date": GoalFlow._date,
        "steps": GoalFlow._steps_text,
    }
)
"""What a typed answer does at each step of adding a goal."""

_REVIEW_DAYS = frozenset({*(str(n) for n in range(7)), goal_review.OFF})
"""What a review-day button carries: a weekday number, or ``off``."""


CAPABILITY = Capability(
    commands=(
        CommandSpec("goals", "see your goals and tick off steps", goals_command, EVERYONE),
        CommandSpec(
            "goal",
            "set a new goal, or pick a day for a weekly goal review",
            goal_command,
            EVERYONE,
            arg_hint="add | review",
        ),
    ),
    flows=(GoalFlow(),),
)
