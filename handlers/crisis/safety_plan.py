"""``/safetyplan``: a personal safety plan built in the chat, editable, shown in a crisis.

Four parts (warning signs, what helps, people and places, professionals to call), asked one at
a time the first time and editable one at a time after that. The plan is the person's own: it
is shown to them on a crisis hit and on ``/sos``, and never to their mentor.

Everything typed here passes the crisis screen first, like any message: a part that reads as a
crisis gets the crisis reply instead of being saved, and the question stays open to rephrase.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.context import Capability, CommandSpec, Context, Replies, Turn, end_flow, save_state
from handlers.crisis import safety_plan_texts as texts
from handlers.messaging import OutgoingMessage
from handlers.routes import Route, decode_any
from storage.conversations import ConversationState
from storage.mentoring import SafetyPlan
from storage.people import Role

FLOW = "sp"
PARTS = ("warning_signs", "what_helps", "people_places", "professionals")
MAX_PART_CHARS = 500
EVERYONE = frozenset(Role)


@dataclass(frozen=True, slots=True)
class EditPress:
    """Change one part of the plan (from the menu)."""

    part: str


@dataclass(frozen=True, slots=True)
class SkipPress:
    """Skip (building) or keep (editing) the part being asked."""

    part: str


@dataclass(frozen=True, slots=True)
class DonePress:
    """Close the plan's menu."""


EDIT = Route(FLOW, "edit:{part}", EditPress)
SKIP = Route(FLOW, "skip:{part}", SkipPress)
DONE = Route(FLOW, "done:", DonePress)
ROUTES = (EDIT, SKIP, DONE)


@dataclass(frozen=True, slots=True)
class PlanStep:
    """Where the person is: the ``menu``, or ``build``-ing or ``edit``-ing one part.

    Saved as the conversation's step: ``menu``, ``build:<part>`` or ``edit:<part>``."""

    mode: str
    part: str | None = None

    @property
    def step(self) -> str:
        return self.mode if self.part is None else f"{self.mode}:{self.part}"


MENU = PlanStep("menu")


def load_step(state: ConversationState | None) -> PlanStep | None:
    """The saved step, or None if there is none or it has a shape this version does not read
    (saved by an older one): the caller answers that as stale."""
    if state is None or state.flow != FLOW:
        return None
    if state.step == MENU.step:
        return MENU
    mode, _, part = state.step.partition(":")
    if mode in ("build", "edit") and part in PARTS:
        return PlanStep(mode, part)
    return None


async def _save_step(ctx: Context, turn: Turn, step: PlanStep) -> None:
    await save_state(ctx, turn, FLOW, step.step)


def plan_lines(plan: SafetyPlan | None) -> list[str]:
    """The plan's filled-in parts, for the crisis reply (nothing when there is no plan)."""
    if plan is None or plan.empty:
        return []
    lines = [texts.CRISIS_HEADER]
    for part in PARTS:
        text = str(getattr(plan, part))
        if text:
            lines.append(texts.CRISIS_LINE.format(title=texts.TITLES[part], text=text))
    return lines


def _with_part(plan: SafetyPlan, part: str, value: str) -> SafetyPlan:
    parts = {name: str(getattr(plan, name)) for name in PARTS}
    parts[part] = value
    return SafetyPlan(
        plan.person_id,
        warning_signs=parts["warning_signs"],
        what_helps=parts["what_helps"],
        people_places=parts["people_places"],
        professionals=parts["professionals"],
    )


def _show(plan: SafetyPlan) -> OutgoingMessage:
    lines = [texts.SHOW_HEADER]
    for part in PARTS:
        text = str(getattr(plan, part)) or texts.EMPTY_PART
        lines.append(texts.SHOW_LINE.format(title=texts.TITLES[part], text=text))
    lines += ["", texts.SHOW_FOOTER]
    buttons = [
        EDIT.button(texts.EDIT_BUTTON.format(title=texts.TITLES[part]), EditPress(part))
        for part in PARTS
    ]
    buttons.append(DONE.button(texts.DONE, DonePress()))
    return OutgoingMessage.with_buttons("\n".join(lines), buttons, per_row=1)


def _ask(part: str, *, building: bool) -> OutgoingMessage:
    if building:
        return OutgoingMessage.with_buttons(
            texts.ASK[part], [SKIP.button(texts.SKIP, SkipPress(part))]
        )
    return OutgoingMessage.with_buttons(
        texts.EDIT_ASK.format(title=texts.TITLES[part]),
        [SKIP.button(texts.KEEP, SkipPress(part))],
    )


async def safetyplan_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/safetyplan``: build one, or show it with a button per part to change."""
    assert turn.person is not None
    plan = await ctx.storage.get_safety_plan(turn.person.id)
    if plan is None or plan.empty:
        await _save_step(ctx, turn, PlanStep("build", PARTS[0]))
        return [OutgoingMessage(texts.INTRO), _ask(PARTS[0], building=True)]
    await _save_step(ctx, turn, MENU)
    return [_show(plan)]


class SafetyPlanFlow:
    name = FLOW

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        step = load_step(turn.state) or MENU
        mode, part = step.mode, step.part
        if turn.person is None or part is None:
            return [OutgoingMessage(texts.TAP_A_BUTTON)]
        value = text.strip()
        if len(value) > MAX_PART_CHARS:
            return [
                OutgoingMessage(texts.TOO_LONG.format(limit=MAX_PART_CHARS)),
                _ask(part, building=mode == "build"),
            ]
        return await self._store(ctx, turn, mode, part, value or None)

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = decode_any(payload, ROUTES)
        step = load_step(turn.state)
        if turn.person is None or step is None:
            return [OutgoingMessage(texts.STALE)]
        match press, step:
            case SkipPress(part=part), PlanStep(mode=mode, part=current) if part == current:
                return await self._store(ctx, turn, mode, part, None)
            case EditPress(part=part), PlanStep(mode="menu") if part in PARTS:
                await _save_step(ctx, turn, PlanStep("edit", part))
                return [_ask(part, building=False)]
            case DonePress(), PlanStep(mode="menu"):
                await end_flow(ctx, turn)
                return [OutgoingMessage(texts.CLOSED)]
        return [OutgoingMessage(texts.STALE)]

    async def _store(
        self, ctx: Context, turn: Turn, mode: str, part: str, value: str | None
    ) -> Replies:
        assert turn.person is not None
        plan = await ctx.storage.get_safety_plan(turn.person.id) or SafetyPlan(turn.person.id)
        if value is not None:
            plan = await ctx.storage.save_safety_plan(_with_part(plan, part, value), ctx.clock())
        if mode == "edit":
            await _save_step(ctx, turn, MENU)
            return [OutgoingMessage(texts.UPDATED), _show(plan)]
        index = PARTS.index(part)
        if index + 1 < len(PARTS):
            following = PARTS[index + 1]
            await _save_step(ctx, turn, PlanStep("build", following))
            return [_ask(following, building=True)]
        await end_flow(ctx, turn)
        return [OutgoingMessage(texts.NOTHING_SAVED if plan.empty else texts.SAVED)]


CAPABILITY = Capability(
    commands=(
        CommandSpec(
            "safetyplan", "make or change your personal safety plan", safetyplan_command, EVERYONE
        ),
    ),
    flows=(SafetyPlanFlow(),),
)
