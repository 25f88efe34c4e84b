"""A mentor's view of a mentee's goals, and cheering them on: the Goals buttons of ``/mentees``.

Goals are shown only to the mentee's mentor or backup mentor (their active pairing), and only
when the mentee shares them (``/sharing``, off until they opt in). Every view writes an audit
row before anything is shown (:mod:`handlers.audit`).

Each goal shows its steps and progress bar with a Cheer button (``mg:cheer:<goal id>``): the
mentor types a short note (at most :data:`MAX_CHEER_CHARS` characters), which is stored as a
comment on the goal (the mentee's goal card shows it) and passed on to the mentee once, through
the delivery ledger (``goal_comment``, goal id, comment id).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from handlers import audit, flowstate
from handlers.context import Capability, Context, Replies, Turn, end_flow, save_state
from handlers.dispatcher import stale_button
from handlers.goals import texts as goal_texts
from handlers.goals.cards import SHOW as SHOW_GOAL
from handlers.goals.cards import ShowPress, goal_bar, show_date
from handlers.goals.flow import GoalAnswerError, clean_title
from handlers.mentoring import goals_texts as texts
from handlers.mentoring import texts as mentoring_texts
from handlers.mentoring.sends import SendOutcome, send_to_mentee
from handlers.messaging import Button, OutgoingMessage
from handlers.profile import display_name, local_today, speaking_to
from handlers.routes import Route, decode_any
from storage.conversations import ConversationState
from storage.goals import Goal, GoalTerm
from storage.mentoring import Pairing
from storage.people import Person

FLOW = "mg"
"""Button payloads ``mg:list:<mentee id>``, ``mg:cheer:<goal id>``, ``mg:cancel:``; the cheer
step's conversation state."""
GOAL_COMMENT = "goal_comment"
"""The ledger kind of a cheer passed on to the mentee."""
VIEW_GOALS = "view_goals"
CHEER_GOAL = "cheer_goal"
MAX_CHEER_CHARS = 280
REACHED_SHOWN_DAYS = 30
"""Goals reached this recently still show, so the mentor can celebrate them too."""
MAX_LABEL_CHARS = 40


@dataclass(frozen=True, slots=True)
class ListPress:
    """Show this mentee's goals."""

    mentee: int


@dataclass(frozen=True, slots=True)
class CheerPress:
    """Cheer this goal on: asks for the note."""

    goal: int


@dataclass(frozen=True, slots=True)
class CancelPress:
    """Never mind the cheer."""


LIST = Route(FLOW, "list:{mentee}", ListPress)
CHEER = Route(FLOW, "cheer:{goal}", CheerPress)
CANCEL = Route(FLOW, "cancel:", CancelPress)
ROUTES = (LIST, CHEER, CANCEL)


@dataclass(frozen=True, slots=True)
class CheerState:
    """The one typed step: which goal the note being typed is for."""

    goal_id: int


def load_state(state: ConversationState | None) -> CheerState | None:
    """The saved cheer step, or None if there is none or it has a shape this version does not
    read (saved by an older one): the caller answers that as stale."""
    if state is None or state.flow != FLOW or state.step != "cheer":
        return None
    return flowstate.load(CheerState, state)


class GoalAccess(enum.Enum):
    ALLOWED = "allowed"
    NOT_PAIRED = "not_paired"
    PRIVATE = "private"


async def goal_access(ctx: Context, viewer_id: int, mentee_id: int) -> GoalAccess:
    """Whether ``viewer_id`` may see ``mentee_id``'s goals, and if not, why."""
    pairing = await ctx.storage.pairing_of(mentee_id)
    if (
        pairing is None
        or viewer_id == mentee_id
        or viewer_id not in (pairing.mentor_id, pairing.backup_id)
    ):
        return GoalAccess.NOT_PAIRED
    if not (await ctx.storage.get_sharing(mentee_id)).goals:
        return GoalAccess.PRIVATE
    return GoalAccess.ALLOWED


async def may_see_goals(ctx: Context, viewer_id: int, mentee_id: int) -> bool:
    """The mentee's mentor or backup, and the mentee shares their goals."""
    return await goal_access(ctx, viewer_id, mentee_id) is GoalAccess.ALLOWED


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…"


async def goals_buttons(ctx: Context, pairings: Sequence[Pairing]) -> list[Button]:
    """For ``/mentees``: a Goals button for each mentee who shares their goals."""
    buttons = []
    for pairing in pairings:
        if (await ctx.storage.get_sharing(pairing.mentee_id)).goals:
            name = await display_name(ctx, pairing.mentee_id)
            label = _label(mentoring_texts.GOALS_BUTTON.format(name=name))
            buttons.append(LIST.button(label, ListPress(pairing.mentee_id)))
    return buttons


async def _refusal(ctx: Context, access: GoalAccess, mentee_id: int) -> Replies:
    if access is GoalAccess.PRIVATE:
        return [OutgoingMessage(texts.PRIVATE.format(name=await display_name(ctx, mentee_id)))]
    return [OutgoingMessage(texts.NOT_PAIRED)]


def _shown(goals: list[Goal], today: date) -> list[Goal]:
    """Open goals, and those reached in the last few weeks; never ones set aside."""
    since = today - timedelta(days=REACHED_SHOWN_DAYS)
    return [
        g
        for g in goals
        if g.open or (g.completed_at is not None and g.completed_at.date() >= since)
    ]


def goal_block(goal: Goal, today: date, notes: int) -> str:
    """One goal as the mentor sees it: title, term and date, bar, steps, how many notes."""
    facts = [goal_texts.SHORT_LABEL if goal.term is GoalTerm.SHORT else goal_texts.LONG_LABEL]
    if goal.target_date is not None:
        passed = goal.target_date < today and goal.completed_at is None
        template = goal_texts.TARGET_PASSED if passed else goal_texts.TARGET
        facts.append(template.format(date=show_date(goal.target_date)))
    lines = [texts.GOAL_HEAD.format(title=goal.title, facts=" · ".join(facts)), goal_bar(goal)]
    for step in goal.steps:
        mark = goal_texts.STEP_DONE_MARK if step.done else goal_texts.STEP_OPEN_MARK
        lines.append(texts.STEP_LINE.format(mark=mark, title=step.title))
    if goal.completed_at is not None:
        lines.append(goal_texts.REACHED_ON.format(date=show_date(goal.completed_at.date())))
    if notes:
        lines.append(texts.NOTES_SO_FAR.format(count=notes))
    return "\n".join(lines)


async def goals_view(ctx: Context, viewer: Person, mentee_id: int) -> Replies:
    """The mentee's goals with Cheer buttons, after an audit row; a kind refusal otherwise."""
    access = await goal_access(ctx, viewer.id, mentee_id)
    if access is not GoalAccess.ALLOWED:
        return await _refusal(ctx, access, mentee_id)
    await audit.record_views(ctx, viewer, [mentee_id], VIEW_GOALS)
    name = await display_name(ctx, mentee_id)
    today, _ = await local_today(ctx, mentee_id)
    goals = _shown(await ctx.storage.goals_of(mentee_id, include_closed=True), today)
    if not goals:
        return [OutgoingMessage(texts.NO_GOALS.format(name=name))]
    blocks = [texts.GOALS_HEADER.format(name=name)]
    for goal in goals:
        notes = len(await ctx.storage.comments_of(goal.id))
        blocks.append(goal_block(goal, today, notes))
    blocks.append(texts.GOALS_FOOTER.format(name=name))
    buttons = [
        CHEER.button(_label(texts.CHEER_BUTTON.format(title=g.title)), CheerPress(g.id))
        for g in goals
    ]
    return [OutgoingMessage.with_buttons("\n\n".join(blocks), buttons, per_row=1)]


async def _cheerable(ctx: Context, viewer: Person, goal_id: int) -> Goal | Replies:
    """The goal a cheer is for, or what to say instead."""
    goal = await ctx.storage.get_goal(goal_id)
    if goal is None:
        return [stale_button(texts.STALE_NEXT_STEP)]
    access = await goal_access(ctx, viewer.id, goal.person_id)
    if access is not GoalAccess.ALLOWED:
        return await _refusal(ctx, access, goal.person_id)
    if goal.set_aside_at is not None:
        name = await display_name(ctx, goal.person_id)
        return [OutgoingMessage(texts.GOAL_GONE.format(name=name))]
    return goal


def _ask_cheer(name: str, goal: Goal) -> OutgoingMessage:
    return OutgoingMessage.with_buttons(
        texts.ASK_CHEER.format(name=name, title=goal.title, limit=MAX_CHEER_CHARS),
        [CANCEL.button(texts.NEVER_MIND, CancelPress())],
    )


async def _cheer(ctx: Context, viewer: Person, goal: Goal, text: str) -> Replies:
    """Store the note on the goal, then pass it on to the mentee once."""
    mentee_id = goal.person_id
    await audit.record_views(ctx, viewer, [mentee_id], CHEER_GOAL, f"goal {goal.id}")
    comment = await ctx.storage.add_goal_comment(goal.id, viewer.id, text, ctx.clock())
    mentor = viewer.display_name or goal_texts.SOMEONE
    async with speaking_to(ctx, mentee_id):  # the mentee reads it in their language
        message = OutgoingMessage.with_buttons(
            texts.CHEER_TO_MENTEE.format(mentor=mentor, title=goal.title, text=text),
            [SHOW_GOAL.button(texts.SEE_GOAL, ShowPress(goal.id))],
        )
    outcome = await send_to_mentee(
        ctx,
        mentee_id,
        kind=GOAL_COMMENT,
        subject=str(goal.id),
        occurrence=str(comment.id),
        message=message,
    )
    name = await display_name(ctx, mentee_id)
    if outcome is SendOutcome.PAUSED:
        template = texts.CHEER_SAVED_PAUSED
    elif outcome is SendOutcome.UNREACHED:
        template = texts.CHEER_SAVED_UNREACHED
    else:
        template = texts.CHEER_SENT
    return [OutgoingMessage(template.format(name=name, title=goal.title))]


class MentorGoalsFlow:
    """The Goals and Cheer buttons, and the one typed step: the cheer itself."""

    name = FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = decode_any(payload, ROUTES)
        viewer = turn.person
        if viewer is None or press is None:
            return [stale_button(texts.STALE_NEXT_STEP)]
        match press:
            case ListPress(mentee=mentee_id):
                return await goals_view(ctx, viewer, mentee_id)
            case CancelPress():
                if turn.state is not None and turn.state.flow == FLOW:
                    await end_flow(ctx, turn)
                return [OutgoingMessage(texts.CHEER_CANCELLED)]
            case CheerPress(goal=goal_id):
                found = await _cheerable(ctx, viewer, goal_id)
                if not isinstance(found, Goal):
                    return found
                await save_state(ctx, turn, FLOW, "cheer", goal_id=found.id)
                return [_ask_cheer(await display_name(ctx, found.person_id), found)]
        return [stale_button(texts.STALE_NEXT_STEP)]

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        viewer = turn.person
        state = load_state(turn.state)
        if viewer is None or state is None:
            await end_flow(ctx, turn)
            return [stale_button(texts.STALE_NEXT_STEP)]
        found = await _cheerable(ctx, viewer, state.goal_id)
        if not isinstance(found, Goal):  # consent withdrawn, unpaired or gone meanwhile
            await end_flow(ctx, turn)
            return found
        try:
            note = clean_title(
                text,
                MAX_CHEER_CHARS,
                empty=texts.CHEER_EMPTY,
                too_long=texts.CHEER_TOO_LONG,
            )
        except GoalAnswerError as err:
            return [
                OutgoingMessage.with_buttons(
                    str(err), [CANCEL.button(texts.NEVER_MIND, CancelPress())]
                )
            ]
        await end_flow(ctx, turn)
        return await _cheer(ctx, viewer, found, note)


CAPABILITY = Capability(flows=(MentorGoalsFlow(),))
