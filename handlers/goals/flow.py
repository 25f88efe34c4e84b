"""``/goals`` and ``/goal add``: goals a person sets, broken into steps they tick off.

Adding a goal asks for a title, short- or long-term, an optional target date (not in the past)
and optional steps, one message each; the draft lives in the conversation state, so a restart
resumes it, and the goal is stored only when it is complete. A goal's card shows its steps as
buttons that tick (and untick) them, and a progress bar like ``▓▓▓░░ 3/5``. The weekly review
is in :mod:`handlers.goals.review`.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from typing import Any

from handlers.context import Capability, CommandSpec, Context, Replies, Turn, end_flow, save_state
from handlers.dispatcher import stale_button
from handlers.goals import review as goal_review
from handlers.goals import texts
from handlers.goals.cards import FLOW, goal_buttons, goal_card, goal_lines
from handlers.messaging import Button, OutgoingMessage
from handlers.profile import local_today
from handlers.timing import TimingError, parse_local_date
from storage.goals import Goal, GoalTerm
from storage.people import Role

EVERYONE = frozenset(Role)
MAX_TITLE_CHARS = 80
MAX_STEP_CHARS = 60
MAX_STEPS = 10
MAX_OPEN_GOALS = 12

_SHORT = {"short", "short-term", "short term", "s"}
_LONG = {"long", "long-term", "long term", "l"}
_NO_DATE = {"no", "none", "no date", "skip", "nope"}
_NO_MORE = {"done", "no", "none", "no steps", "skip", "that's all", "thats all", "nope"}


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
        texts.ASK_TITLE, [Button(texts.NEVER_MIND, f"{FLOW}:cancel:")]
    )


async def _title(ctx: Context, turn: Turn, text: str) -> Replies:
    try:
        title = read_goal_title(text)
    except GoalAnswerError as err:
        await save_state(ctx, turn, FLOW, "title")
        return [OutgoingMessage(str(err)), _ask_title()]
    await save_state(ctx, turn, FLOW, "term", title=title)
    return [_ask_term(title)]


def _ask_term(title: str) -> OutgoingMessage:
    return OutgoingMessage.with_buttons(
        texts.ASK_TERM.format(title=title),
        [
            Button(texts.SHORT_TERM, f"{FLOW}:term:{GoalTerm.SHORT.value}"),
            Button(texts.LONG_TERM, f"{FLOW}:term:{GoalTerm.LONG.value}"),
        ],
    )


def _ask_date() -> OutgoingMessage:
    return OutgoingMessage.with_buttons(texts.ASK_DATE, [Button(texts.NO_DATE, f"{FLOW}:date:")])


def _ask_more_steps(text: str) -> OutgoingMessage:
    return OutgoingMessage.with_buttons(text, [Button(texts.DONE_ADDING, f"{FLOW}:steps:")])


class GoalFlow:
    name = FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        action, _, value = payload.partition(":")
        if turn.person is None:
            return [stale_button(texts.STALE_NEXT_STEP)]
        if action in ("show", "tick", "done", "drop", "dropok"):
            return await self._goal_button(ctx, turn, action, value)
        if action == "rday":
            return await goal_review.review_day_chosen(ctx, turn, value)
        step = turn.state.step if turn.state is not None and turn.state.flow == FLOW else None
        if action == "cancel" and step is not None:
            await end_flow(ctx, turn)
            return [OutgoingMessage(texts.CANCELLED)]
        if action == "term" and step == "term":
            return await self._term(ctx, turn, value)
        if action == "date" and step == "date":
            return await self._to_steps(ctx, turn, None)
        if action == "steps" and step == "steps":
            return await self._save(ctx, turn)
        return [stale_button(texts.STALE_NEXT_STEP)]

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        step = turn.state.step if turn.state is not None else ""
        if turn.person is None:
            await end_flow(ctx, turn)
            return [stale_button(texts.STALE_NEXT_STEP)]
        answer = " ".join(text.casefold().split())
        if step == "title":
            return await _title(ctx, turn, text)
        if step == "term":
            return await self._term(ctx, turn, answer)
        if step == "date":
            return await self._date(ctx, turn, text)
        if step == "steps":
            if answer in _NO_MORE:
                return await self._save(ctx, turn)
            return await self._add_step(ctx, turn, text)
        return [OutgoingMessage(texts.TAP_A_BUTTON)]

    async def _term(self, ctx: Context, turn: Turn, answer: str) -> Replies:
        data = dict(turn.state.data) if turn.state is not None else {}
        if answer in _SHORT or answer == GoalTerm.SHORT.value:
            term = GoalTerm.SHORT
        elif answer in _LONG or answer == GoalTerm.LONG.value:
            term = GoalTerm.LONG
        else:
            return [OutgoingMessage(texts.TAP_TERM), _ask_term(str(data.get("title", "")))]
        await save_state(ctx, turn, FLOW, "date", **{**data, "term": term.value})
        return [_ask_date()]

    async def _date(self, ctx: Context, turn: Turn, text: str) -> Replies:
        assert turn.person is not None
        if " ".join(text.casefold().split()) in _NO_DATE:
            return await self._to_steps(ctx, turn, None)
        today, _ = await local_today(ctx, turn.person.id)
        try:
            target = parse_local_date(text, today)
        except TimingError as err:
            return [OutgoingMessage(str(err)), _ask_date()]
        if target < today:
            return [OutgoingMessage(texts.DATE_IN_PAST), _ask_date()]
        return await self._to_steps(ctx, turn, target)

    async def _to_steps(self, ctx: Context, turn: Turn, target: date | None) -> Replies:
        data = dict(turn.state.data) if turn.state is not None else {}
        data.update(target=target.isoformat() if target else None, steps=[])
        await save_state(ctx, turn, FLOW, "steps", **data)
        return [
            OutgoingMessage.with_buttons(
                texts.ASK_STEPS, [Button(texts.NO_STEPS, f"{FLOW}:steps:")]
            )
        ]

    async def _add_step(self, ctx: Context, turn: Turn, text: str) -> Replies:
        data = dict(turn.state.data) if turn.state is not None else {}
        try:
            step = read_step(text)
        except GoalAnswerError as err:
            return [_ask_more_steps(str(err))]
        steps = [*data.get("steps", []), step]
        data["steps"] = steps
        if len(steps) >= MAX_STEPS:
            replies = await self._save(ctx, turn, data)
            return [OutgoingMessage(texts.STEPS_FULL.format(limit=MAX_STEPS)), *replies]
        await save_state(ctx, turn, FLOW, "steps", **data)
        return [_ask_more_steps(texts.STEP_ADDED.format(number=len(steps)))]

    async def _save(self, ctx: Context, turn: Turn, draft: dict[str, Any] | None = None) -> Replies:
        assert turn.person is not None
        data = draft if draft is not None else turn.state.data if turn.state is not None else {}
        title = data.get("title")
        if not isinstance(title, str):
            await end_flow(ctx, turn)
            return [stale_button(texts.STALE_NEXT_STEP)]
        await end_flow(ctx, turn)
        count = len(await ctx.storage.goals_of(turn.person.id))
        if count >= MAX_OPEN_GOALS:
            return [OutgoingMessage(texts.TOO_MANY_GOALS.format(count=count))]
        target = data.get("target")
        goal = await ctx.storage.create_goal(
            turn.person.id,
            title=title,
            term=GoalTerm(data.get("term", GoalTerm.SHORT.value)),
            target_date=date.fromisoformat(target) if isinstance(target, str) else None,
            steps=[str(s) for s in data.get("steps", [])],
            now=ctx.clock(),
        )
        saved = texts.SAVED
        if await ctx.storage.goal_review_day(turn.person.id) is None:
            saved = f"{saved} {texts.SUGGEST_REVIEW}"
        return [OutgoingMessage(saved), await card_for(ctx, goal)]

    async def _goal_button(self, ctx: Context, turn: Turn, action: str, value: str) -> Replies:
        assert turn.person is not None
        goal_part, _, step_part = value.partition(":")
        goal = await ctx.storage.get_goal(int(goal_part)) if goal_part.isdigit() else None
        if goal is None or goal.person_id != turn.person.id:
            return [stale_button(texts.STALE_NEXT_STEP)]
        if goal.set_aside_at is not None:
            return [OutgoingMessage(texts.GOAL_CLOSED)]
        now = ctx.clock()
        if action == "show":
            return [await card_for(ctx, goal)]
        if action == "drop":
            return [
                OutgoingMessage.with_buttons(
                    texts.CONFIRM_SET_ASIDE.format(title=goal.title),
                    [
                        Button(texts.YES_SET_ASIDE, f"{FLOW}:dropok:{goal.id}"),
                        Button(texts.KEEP_IT, f"{FLOW}:show:{goal.id}"),
                    ],
                )
            ]
        if action == "dropok":
            await ctx.storage.set_goal_aside(goal.id, now)
            return [OutgoingMessage(texts.SET_ASIDE_DONE.format(title=goal.title))]
        if action == "tick":
            step = next((s for s in goal.steps if str(s.id) == step_part), None)
            if step is None:
                return [stale_button(texts.STALE_NEXT_STEP)]
            updated = await ctx.storage.set_step_done(goal.id, step.id, not step.done, now)
        else:
            updated = await ctx.storage.set_goal_done(goal.id, goal.completed_at is None, now)
        card = await card_for(ctx, updated)
        if goal.completed_at is None and updated.completed_at is not None:
            return [OutgoingMessage(texts.CELEBRATE.format(title=goal.title)), card]
        return [card]


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
