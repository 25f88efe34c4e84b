"""Routes every incoming event: the crisis screen first, then the active conversation, then
commands. Nothing a handler raises reaches the person as a traceback, and nothing a handler
raises can stop a crisis reply, which is built before any flow runs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from handlers.context import Capability, CommandSpec, Context, FlowHandler, Replies, Turn
from handlers.crisis import reply as crisis
from handlers.logsafe import describe_exception
from handlers.messaging import (
    ButtonPress,
    ChatKind,
    Command,
    IncomingEvent,
    OutgoingMessage,
    Text,
)
from handlers.texts import common as texts
from storage.models import AccountAddress, Role

log = logging.getLogger(__name__)

CrisisHook = Callable[[Context, IncomingEvent, crisis.CrisisAssessment], Awaitable[bool]]
"""Called on a crisis hit; returns whether a mentor was alerted (the mentors issue adds it)."""


class Dispatcher:
    """The one entry point adapters call: ``replies = await dispatcher.handle(event)``."""

    def __init__(
        self,
        ctx: Context,
        capabilities: Sequence[Capability],
        *,
        on_crisis: CrisisHook | None = None,
    ) -> None:
        self.ctx = ctx
        self.commands: dict[str, CommandSpec] = {}
        self.flows: dict[str, FlowHandler] = {}
        self.on_crisis = on_crisis
        for capability in capabilities:
            self.add(capability)

    def add(self, capability: Capability) -> None:
        for spec in capability.commands:
            if spec.name in self.commands:
                raise ValueError(f"two capabilities define /{spec.name}")
            self.commands[spec.name] = spec
        for flow in capability.flows:
            if flow.name in self.flows:
                raise ValueError(f"two capabilities define the flow {flow.name!r}")
            self.flows[flow.name] = flow

    def commands_for(self, roles: frozenset[Role], onboarded: bool) -> list[CommandSpec]:
        """The commands a person with ``roles`` may use, in registration order."""
        return [spec for spec in self.commands.values() if _allowed(spec, roles, onboarded)]

    async def handle(self, event: IncomingEvent) -> Replies:
        """Answer one event. Never raises: failures are logged by event id and apologised for."""
        # Logs name the event and its kind, never what was said (see handlers.logsafe).
        log.debug(
            "event %s: %s on %s", event.event_id, type(event.kind).__name__, event.ref.platform
        )
        assessment = self._screen(event)
        if assessment is not None and assessment.is_crisis:
            return [await self._crisis(event, assessment)]
        if event.edited:
            return []  # an edit must not answer a question twice; the screen has read it
        try:
            return await self._route(event)
        except Exception as exc:
            log.error("event %s failed: %s", event.event_id or "?", describe_exception(exc))
            return [OutgoingMessage(texts.SOMETHING_WENT_WRONG)]

    def _screen(self, event: IncomingEvent) -> crisis.CrisisAssessment | None:
        kind = event.kind
        text = kind.text if isinstance(kind, Text) else None
        if isinstance(kind, Command) and kind.args:
            text = kind.arg_text
        if not text:
            return None
        try:
            return crisis.assess(text)
        except Exception as exc:  # the screen must never take the message down with it
            log.error(
                "crisis screen failed on event %s: %s", event.event_id, describe_exception(exc)
            )
            return None

    async def _crisis(
        self, event: IncomingEvent, assessment: crisis.CrisisAssessment
    ) -> OutgoingMessage:
        log.warning("crisis screen hit (%s) on event %s", assessment.category, event.event_id)
        alerted = False
        if self.on_crisis is not None:
            try:
                alerted = await self.on_crisis(self.ctx, event, assessment)
            except Exception as exc:
                log.error(
                    "crisis escalation failed on event %s: %s",
                    event.event_id,
                    describe_exception(exc),
                )
        return await crisis.respond(self.ctx, event, assessment, mentor_alerted=alerted)

    async def _route(self, event: IncomingEvent) -> Replies:
        kind = event.kind
        if isinstance(kind, Text) and len(kind.text) > self.ctx.program.max_message_chars:
            return [
                OutgoingMessage(texts.TOO_LONG.format(limit=self.ctx.program.max_message_chars))
            ]
        if event.chat_kind is not ChatKind.DIRECT and isinstance(kind, Text):
            return []  # group chatter is for people; only the crisis screen reads it
        turn = await self._turn(event)
        if isinstance(kind, Command):
            return await self._command(turn, kind)
        if isinstance(kind, ButtonPress):
            prefix, _, rest = kind.payload.partition(":")
            flow = self.flows.get(prefix)
            if flow is None:
                return [stale_button()]
            return await flow.on_button(self.ctx, turn, rest)
        if turn.state is not None and turn.state.flow in self.flows:
            return await self.flows[turn.state.flow].on_text(self.ctx, turn, kind.text)
        if turn.person is None:
            return [OutgoingMessage(texts.NOT_STARTED)]
        return [OutgoingMessage(texts.IDLE)]

    async def _turn(self, event: IncomingEvent) -> Turn:
        storage = self.ctx.storage
        address = AccountAddress(event.ref.platform, event.ref.user_id)
        person, roles, state = await storage.turn_facts(address)
        return Turn(event=event, person=person, roles=roles, state=state)

    async def _command(self, turn: Turn, command: Command) -> Replies:
        spec = self.commands.get(command.name)
        if spec is None:
            return [OutgoingMessage(texts.UNKNOWN_COMMAND.format(name=command.name))]
        onboarded = turn.person is not None and turn.person.onboarded
        if spec.roles is not None:
            if not onboarded:
                return [OutgoingMessage(texts.NEED_ONBOARDING)]
            if not (turn.roles & spec.roles):
                names = " or ".join(sorted(f"{role.value}s" for role in spec.roles))
                return [
                    OutgoingMessage(texts.NOT_FOR_YOUR_ROLE.format(name=spec.name, roles=names))
                ]
        return await spec.run(self.ctx, turn, command.args)


def _allowed(spec: CommandSpec, roles: frozenset[Role], onboarded: bool) -> bool:
    if spec.roles is None:
        return True
    return onboarded and bool(roles & spec.roles)


def stale_button(next_step: str = texts.STALE_NEXT_STEP) -> OutgoingMessage:
    """The clear answer to a button from an old message."""
    return OutgoingMessage(texts.STALE_BUTTON.format(next_step=next_step))
