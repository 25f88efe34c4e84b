"""What every handler is given: the program's services and the turn it is answering."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

from handlers.calendars import CalendarMirrors
from handlers.messaging import IncomingEvent, Messengers, OutgoingMessage
from handlers.program import ProgramSettings
from storage.base import Storage
from storage.models import AccountAddress, ConversationState, Person, Role


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Context:
    """The program's services. ``clock`` is injected so tests run on a fake clock."""

    storage: Storage
    program: ProgramSettings = field(default_factory=ProgramSettings)
    messengers: Messengers = field(default_factory=Messengers)
    clock: Callable[[], datetime] = utc_now
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    """How retries wait; tests pass one that moves their fake clock instead."""
    calendars: CalendarMirrors = field(default_factory=CalendarMirrors)
    """Outside calendars that show circle occurrences (a Discord server's Events); none
    unless an adapter registers one."""


@dataclass(frozen=True, slots=True)
class Turn:
    """One incoming event with what we know about who sent it."""

    event: IncomingEvent
    person: Person | None
    roles: frozenset[Role]
    state: ConversationState | None

    @property
    def address(self) -> AccountAddress:
        return AccountAddress(self.event.ref.platform, self.event.ref.user_id)

    def with_person(self, person: Person, roles: frozenset[Role]) -> Turn:
        return replace(self, person=person, roles=roles)


Replies = list[OutgoingMessage]


class FlowHandler(Protocol):
    """A multi-step conversation (onboarding, settings, a check-in...)."""

    name: str
    """Stored in ``conversation_state.flow`` and used as the button payload prefix."""

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies: ...

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        """``payload`` is the part after ``"<name>:"``; stale presses get a clear answer."""
        ...


CommandFunc = Callable[[Context, Turn, tuple[str, ...]], Awaitable[Replies]]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """A slash command: who may use it and the line /help shows for it."""

    name: str
    description: str
    run: CommandFunc
    roles: frozenset[Role] | None = None
    """``None``: anyone, even before onboarding. Otherwise an onboarded person with one of these."""
    needs_person: bool = True
    arg_hint: str = ""


@dataclass(frozen=True, slots=True)
class Capability:
    """What one handler module contributes to the dispatcher."""

    commands: Sequence[CommandSpec] = ()
    flows: Sequence[FlowHandler] = ()


async def save_state(ctx: Context, turn: Turn, flow: str, step: str, **data: object) -> None:
    """Move the turn's account to ``flow``/``step``, keeping ``data`` for the next step."""
    await ctx.storage.save_conversation(
        turn.address, ConversationState(flow=flow, step=step, data=dict(data)), ctx.clock()
    )


async def end_flow(ctx: Context, turn: Turn) -> None:
    await ctx.storage.clear_conversation(turn.address)
