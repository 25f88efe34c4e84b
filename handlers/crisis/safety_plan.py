"""``/safetyplan``: a personal safety plan built in the chat, editable, shown in a crisis.

Four parts (warning signs, what helps, people and places, professionals to call), asked one at
a time the first time and editable one at a time after that. The plan is the person's own: it
is shown to them on a crisis hit and on ``/sos``, and never to their mentor.

Everything typed here passes the crisis screen first, like any message: a part that reads as a
crisis gets the crisis reply instead of being saved, and the question stays open to rephrase.
"""

from __future__ import annotations

from handlers.context import Capability, CommandSpec, Context, Replies, Turn, end_flow, save_state
from handlers.crisis import safety_plan_texts as texts
from handlers.messaging import Button, OutgoingMessage
from storage.mentoring import SafetyPlan
from storage.people import Role

FLOW = "sp"
PARTS = ("warning_signs", "what_helps", "people_places", "professionals")
MAX_PART_CHARS = 500
EVERYONE = frozenset(Role)


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
        Button(texts.EDIT_BUTTON.format(title=texts.TITLES[part]), f"{FLOW}:edit:{part}")
        for part in PARTS
    ]
    buttons.append(Button(texts.DONE, f"{FLOW}:done:"))
    return OutgoingMessage.with_buttons("\n".join(lines), buttons, per_row=1)


def _ask(part: str, *, building: bool) -> OutgoingMessage:
    if building:
        return OutgoingMessage.with_buttons(
            texts.ASK[part], [Button(texts.SKIP, f"{FLOW}:skip:{part}")]
        )
    return OutgoingMessage.with_buttons(
        texts.EDIT_ASK.format(title=texts.TITLES[part]),
        [Button(texts.KEEP, f"{FLOW}:skip:{part}")],
    )


async def safetyplan_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/safetyplan``: build one, or show it with a button per part to change."""
    assert turn.person is not None
    plan = await ctx.storage.get_safety_plan(turn.person.id)
    if plan is None or plan.empty:
        await save_state(ctx, turn, FLOW, f"build:{PARTS[0]}")
        return [OutgoingMessage(texts.INTRO), _ask(PARTS[0], building=True)]
    await save_state(ctx, turn, FLOW, "menu")
    return [_show(plan)]


class SafetyPlanFlow:
    name = FLOW

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        step = turn.state.step if turn.state is not None else "menu"
        mode, _, part = step.partition(":")
        if turn.person is None or mode not in ("build", "edit") or part not in PARTS:
            return [OutgoingMessage(texts.TAP_A_BUTTON)]
        value = text.strip()
        if len(value) > MAX_PART_CHARS:
            return [
                OutgoingMessage(texts.TOO_LONG.format(limit=MAX_PART_CHARS)),
                _ask(part, building=mode == "build"),
            ]
        return await self._store(ctx, turn, mode, part, value or None)

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        action, _, part = payload.partition(":")
        state = turn.state
        if turn.person is None or state is None or state.flow != FLOW:
            return [OutgoingMessage(texts.STALE)]
        mode, _, current = state.step.partition(":")
        if action == "skip" and mode in ("build", "edit") and part == current:
            return await self._store(ctx, turn, mode, part, None)
        if action == "edit" and state.step == "menu" and part in PARTS:
            await save_state(ctx, turn, FLOW, f"edit:{part}")
            return [_ask(part, building=False)]
        if action == "done" and state.step == "menu":
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
            await save_state(ctx, turn, FLOW, "menu")
            return [OutgoingMessage(texts.UPDATED), _show(plan)]
        index = PARTS.index(part)
        if index + 1 < len(PARTS):
            following = PARTS[index + 1]
            await save_state(ctx, turn, FLOW, f"build:{following}")
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
