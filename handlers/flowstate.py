"""Typed conversation state: what a flow keeps between its steps, as a frozen dataclass.

A flow declares its state once::

    @dataclass(frozen=True, slots=True)
    class Draft:
        title: str = ""
        days: list[int] = field(default_factory=list)

    await save(ctx, turn, FLOW, "days", draft)        # stored as JSON-ready data
    draft = load(Draft, turn.state)                     # Draft, or None if it does not fit

The state lives in storage (so a restart resumes where the person was), which means it can
have been saved by an older version or damaged. :func:`load` checks each field against its
annotation (``int``, ``str``, ``bool``, ``float``, ``list[...]``, ``dict[str, ...]`` and
``X | None``) and answers None when anything does not fit: the flow treats that as a stale
conversation, never as a crash. Missing keys take the field's default.

A **step table** maps each step of a multi-step flow to what it does, instead of parallel
``if step == ...`` ladders: :class:`Steps` holds them, and an unknown step (from an older
version) is found by ``get`` as None.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from handlers.context import Context, Turn
from storage.conversations import ConversationState

State = TypeVar("State")
Step = TypeVar("Step")


def dump(state: object) -> dict[str, Any]:
    """The dataclass as data for storage (its fields, by name)."""
    return {f.name: getattr(state, f.name) for f in dataclasses.fields(state)}  # type: ignore[arg-type]


def load(shape: type[State], saved: ConversationState | Mapping[str, Any] | None) -> State | None:
    """``saved`` (a conversation state or its data) as ``shape``, or None if it does not fit."""
    if saved is None:
        return None
    data = saved.data if isinstance(saved, ConversationState) else saved
    hints = typing.get_type_hints(shape)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(shape):  # type: ignore[arg-type]
        if field.name not in data:
            continue
        value = data[field.name]
        if not _fits(value, hints[field.name]):
            return None
        values[field.name] = value
    try:
        return shape(**values)
    except TypeError:  # a field without a default is missing
        return None


async def save(ctx: Context, turn: Turn, flow: str, step: str, state: object) -> None:
    """Move the turn's account to ``flow``/``step`` with ``state`` kept for the next step."""
    await ctx.storage.save_conversation(
        turn.address, ConversationState(flow=flow, step=step, data=dump(state)), ctx.clock()
    )


class Steps(Generic[Step]):
    """The steps of a flow in order, each with what it does (its ``Step`` value)."""

    def __init__(self, steps: Mapping[str, Step]) -> None:
        self._steps = dict(steps)
        self.order = tuple(self._steps)

    def get(self, name: str) -> Step | None:
        return self._steps.get(name)

    def after(self, name: str) -> str | None:
        """The step that follows ``name`` in order, or None after the last."""
        index = self.order.index(name)
        return self.order[index + 1] if index + 1 < len(self.order) else None

    def __contains__(self, name: object) -> bool:
        return name in self._steps


def _fits(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, option) for option in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is Any:
        return True
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        return isinstance(value, list) and all(_fits(v, item) for v in value)
    if origin is dict:
        key, item = typing.get_args(hint) or (Any, Any)
        return isinstance(value, dict) and all(
            _fits(k, key) and _fits(v, item) for k, v in value.items()
        )
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return False
