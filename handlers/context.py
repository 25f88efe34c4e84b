"""What every handler is given, and what every capability declares.

:class:`Context` holds the program's services; :class:`Turn` is the event being answered.
A capability package (``handlers.checkins``, ``handlers.circles``, ...) declares everything it
adds to the program in one :class:`Capability` value; :class:`Registry` is those values
assembled (``handlers.app.assemble``), and the context carries it so that a settings change or
an erasure can reach every capability through its hooks without importing any of them.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Protocol, TypeVar

from handlers.calendars import CalendarMirrors
from handlers.i18n import gettext
from handlers.messaging import IncomingEvent, Messengers, OutgoingMessage
from handlers.program import ProgramSettings
from handlers.telemetry import NO_TELEMETRY, Telemetry
from storage.base import Storage
from storage.conversations import ConversationState
from storage.due_queue import DueWork
from storage.people import AccountAddress, Person, Role
from storage.privacy import LedgerKinds

_T = TypeVar("_T")


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
    registry: Registry | None = None
    """The program's capabilities; set by ``handlers.app.assemble``."""
    telemetry: Telemetry = NO_TELEMETRY
    """Where sends, 429s and acknowledgements are counted (``[ops] listen``'s metrics)."""

    @property
    def capabilities(self) -> Registry:
        """The assembled capabilities; a context that was never assembled fails loudly here
        rather than skip a hook (a missed schedule hook once left a weekly review unmoved)."""
        if self.registry is None:
            raise RuntimeError("this Context was not assembled: use handlers.app.assemble(ctx)")
        return self.registry


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


class GroupReply(enum.Enum):
    """How a command typed in a group or server channel is answered."""

    PRIVATELY = "privately"
    """Anything personal (the default): the answer goes to the person's private chat, and the
    group hears only that it was sent there, or where to ask if it could not be."""
    HERE = "here"
    """In the group itself: the command is about the group (running a circle there), or keeps
    what is personal private by itself (``/sos``)."""


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """A slash command: who may use it and the line /help shows for it."""

    name: str
    description: str
    """English, a message id (extracted by ``handlers.i18n.extract``); shown through
    :meth:`described`."""
    run: CommandFunc
    roles: frozenset[Role] | None = None
    """``None``: anyone, even before onboarding. Otherwise an onboarded person with one of these."""
    needs_person: bool = True
    arg_hint: str = ""
    in_groups: GroupReply = GroupReply.PRIVATELY

    def described(self, language: str | None = None) -> str:
        """The description in ``language`` (default: the language in use)."""
        return gettext(self.description, language)

    def allowed(self, roles: frozenset[Role], onboarded: bool) -> bool:
        """Whether a person with ``roles`` may run it (and see it in /help and menus)."""
        if self.roles is None:
            return True
        return onboarded and bool(roles & self.roles)


DueHandler = Callable[[Context, DueWork, datetime], Awaitable[DueWork | None]]
"""Does one due-queue row's work; returns the row's next occurrence, or None when done."""

DueBatchHandler = Callable[
    [Context, Sequence[DueWork], datetime, asyncio.Semaphore], Awaitable[None]
]
"""Works a claimed batch of one kind and advances its rows itself; sends hold a slot of the
semaphore until their ledger mark is written (see ``handlers.checkins.batch``)."""

PersonHook = Callable[[Context, int], Awaitable[object]]
"""Called with a person id; what it returns is ignored."""

AfterErase = Callable[[], Awaitable[None]]
ErasureHook = Callable[[Context, int], Awaitable[AfterErase | None]]
"""Called before a person's rows are erased, to read what the capability needs (a circle
place the person held); what it returns runs after the erasure (offer that place on)."""


@dataclass(frozen=True, slots=True)
class Capability:
    """Everything one capability adds to the program, declared in one value.

    ``due_handlers`` and ``batch_handlers`` map due-queue kinds to their work;
    ``routine_kinds`` names those of them that are scheduled work (a daily prompt, a reminder):
    their sends wait behind urgent ones (:mod:`handlers.pacing`), any other kind's do not;
    ``ledger_kinds`` names the queue and ledger kinds whose subject is a person, an alert or
    a pairing (so an export, an erasure and the purge find them); ``on_schedule_change`` runs
    whenever something that decides a person's proactive messages changes (a new zone or
    time, a pause, onboarding, a stop), and ``on_erase`` when a person is erased.
    """

    name: str = ""
    commands: Sequence[CommandSpec] = ()
    flows: Sequence[FlowHandler] = ()
    due_handlers: Mapping[str, DueHandler] = field(default_factory=dict)
    batch_handlers: Mapping[str, DueBatchHandler] = field(default_factory=dict)
    ledger_kinds: LedgerKinds = field(default_factory=LedgerKinds)
    on_schedule_change: PersonHook | None = None
    on_erase: ErasureHook | None = None
    routine_kinds: frozenset[str] = frozenset()

    @classmethod
    def combine(
        cls,
        name: str,
        parts: Iterable[Capability],
        *,
        ledger_kinds: LedgerKinds | None = None,
        on_schedule_change: PersonHook | None = None,
        on_erase: ErasureHook | None = None,
        routine_kinds: Iterable[str] = (),
    ) -> Capability:
        """One package's record: its modules' commands, flows and due work, with the
        package's ledger kinds and hooks."""
        parts = tuple(parts)
        return cls(
            name=name,
            commands=tuple(spec for part in parts for spec in part.commands),
            flows=tuple(flow for part in parts for flow in part.flows),
            due_handlers={k: v for part in parts for k, v in part.due_handlers.items()},
            batch_handlers={k: v for part in parts for k, v in part.batch_handlers.items()},
            ledger_kinds=ledger_kinds or LedgerKinds(),
            on_schedule_change=on_schedule_change,
            on_erase=on_erase,
            routine_kinds=frozenset(routine_kinds).union(*(p.routine_kinds for p in parts)),
        )


class Registry:
    """The program's capabilities, assembled: commands, flows, due work and hooks.

    Raises ``ValueError`` at assembly if two capabilities claim the same command, flow or
    due-queue kind, so a clash is found at start, not by the person who sends it.
    """

    def __init__(self, capabilities: Sequence[Capability]) -> None:
        self.capabilities = tuple(capabilities)
        commands: dict[str, CommandSpec] = {}
        flows: dict[str, FlowHandler] = {}
        due_handlers: dict[str, DueHandler] = {}
        batch_handlers: dict[str, DueBatchHandler] = {}
        for capability in self.capabilities:
            _claim(commands, {s.name: s for s in capability.commands}, "/", capability)
            _claim(flows, {f.name: f for f in capability.flows}, "flow ", capability)
            _claim(due_handlers, capability.due_handlers, "due kind ", capability)
            _claim(batch_handlers, capability.batch_handlers, "due kind ", capability)
        # Read-only: one registry serves every context, so nothing may change it in place.
        self.commands: Mapping[str, CommandSpec] = MappingProxyType(commands)
        self.flows: Mapping[str, FlowHandler] = MappingProxyType(flows)
        self.due_handlers: Mapping[str, DueHandler] = MappingProxyType(due_handlers)
        self.batch_handlers: Mapping[str, DueBatchHandler] = MappingProxyType(batch_handlers)
        self.routine_kinds: frozenset[str] = frozenset().union(
            *(c.routine_kinds for c in self.capabilities)
        )
        """Due kinds whose sends go in the routine lane (every other kind's are urgent)."""
        kinds = [c.ledger_kinds for c in self.capabilities]
        self.ledger_kinds = LedgerKinds(
            person=tuple(k for lk in kinds for k in lk.person),
            alert=tuple(k for lk in kinds for k in lk.alert),
            pairing=tuple(k for lk in kinds for k in lk.pairing),
        )

    def commands_for(self, roles: frozenset[Role], onboarded: bool) -> list[CommandSpec]:
        """The commands a person with ``roles`` may use, in registration order."""
        return [spec for spec in self.commands.values() if spec.allowed(roles, onboarded)]

    async def schedule_changed(self, ctx: Context, person_id: int) -> None:
        """Let every capability with proactive messages recompute the person's schedule."""
        for capability in self.capabilities:
            if capability.on_schedule_change is not None:
                await capability.on_schedule_change(ctx, person_id)

    async def before_erase(self, ctx: Context, person_id: int) -> list[AfterErase]:
        """Run every ``on_erase`` hook; returns what is to run once the rows are gone."""
        after: list[AfterErase] = []
        for capability in self.capabilities:
            if capability.on_erase is not None:
                then = await capability.on_erase(ctx, person_id)
                if then is not None:
                    after.append(then)
        return after


def _claim(taken: dict[str, _T], new: Mapping[str, _T], what: str, capability: Capability) -> None:
    for key, value in new.items():
        if key in taken:
            raise ValueError(f"{capability.name or 'a capability'} defines {what}{key} again")
        taken[key] = value


async def save_state(ctx: Context, turn: Turn, flow: str, step: str, **data: object) -> None:
    """Move the turn's account to ``flow``/``step``, keeping ``data`` for the next step."""
    await ctx.storage.save_conversation(
        turn.address, ConversationState(flow=flow, step=step, data=dict(data)), ctx.clock()
    )


async def end_flow(ctx: Context, turn: Turn) -> None:
    await ctx.storage.clear_conversation(turn.address)
