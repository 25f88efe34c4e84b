"""Routes every incoming event: the crisis screen first, then the active conversation, then
commands. Nothing a handler raises reaches the person as a traceback, and nothing a handler
raises can stop a crisis reply, which is built before any flow runs.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
from dataclasses import replace

from handlers.context import CommandSpec, Context, GroupReply, Replies, Turn
from handlers.i18n import speaking
from handlers.logsafe import describe_exception
from handlers.messaging import (
    ButtonPress,
    ChatKind,
    Command,
    DeliveryError,
    IncomingEvent,
    OutgoingMessage,
    Text,
    well_formed_kind,
)
from handlers.outbox import send_once, send_with_retries
from handlers.profile import language_of_sender
from handlers.screening import NOT_CRISIS, CrisisAssessment, Late, SafetyNet, Told, stronger
from handlers.texts import common as texts
from storage.people import AccountAddress, Role

log = logging.getLogger(__name__)

PRIVATE_SEND_SECONDS = 10.0
"""How long a personal answer to a command typed in a group may take to reach the person's
private chat before the group is told to ask there instead."""


class Dispatcher:
    """The one entry point adapters call: ``replies = await dispatcher.handle(event)``."""

    def __init__(self, ctx: Context, safety: SafetyNet) -> None:
        """``ctx`` must be assembled (``handlers.app.assemble``): its registry says which
        commands and flows exist; ``safety`` screens every text before any of them."""
        self.ctx = ctx
        self.safety = safety
        self.commands = dict(ctx.capabilities.commands)
        self.flows = dict(ctx.capabilities.flows)
        self._following_up: set[asyncio.Task[None]] = set()

    def commands_for(self, roles: frozenset[Role], onboarded: bool) -> list[CommandSpec]:
        """The commands a person with ``roles`` may use, in registration order."""
        return self.ctx.capabilities.commands_for(roles, onboarded)

    async def handle(self, event: IncomingEvent) -> Replies:
        """Answer one event, in the person's language (everything built while handling it reads
        its texts in that language). Never raises: failures are logged by event id and
        apologised for."""
        with speaking(await language_of_sender(self.ctx, event)):
            return await self._handle(event)

    async def _handle(self, event: IncomingEvent) -> Replies:
        # Logs name the event and its kind, never what was said (see handlers.logsafe).
        log.debug(
            "event %s: %s on %s", event.event_id, type(event.kind).__name__, event.ref.platform
        )
        kind = well_formed_kind(event.kind)
        if kind is not event.kind:
            event = replace(event, kind=kind)
        late: list[Late] = []
        assessment = await self._screen(event, late)
        if late and not (assessment is not None and assessment.is_crisis):
            self._follow_up(event, assessment or NOT_CRISIS, late)
        if assessment is not None and assessment.is_crisis:
            return [await self._crisis(event, assessment)]
        if assessment is not None and assessment.flagged:
            return await self._ask(event, assessment)
        if event.edited:
            return []  # an edit must not answer a question twice; the screen has read it
        try:
            return await self._route(event)
        except Exception as exc:
            log.error("event %s failed: %s", event.event_id or "?", describe_exception(exc))
            return [OutgoingMessage(texts.SOMETHING_WENT_WRONG)]

    async def _screen(self, event: IncomingEvent, late: list[Late]) -> CrisisAssessment | None:
        kind = event.kind
        text = kind.text if isinstance(kind, Text) else None
        if isinstance(kind, Command) and kind.args:
            text = kind.arg_text
        if not text:
            return None
        try:
            return await self.safety.screen(text, late)
        except Exception as exc:  # the screen must never take the message down with it
            log.error(
                "crisis screen failed on event %s: %s", event.event_id, describe_exception(exc)
            )
            return None

    async def finish_follow_ups(self, within: float) -> int:
        """Wait up to ``within`` seconds for the late verdicts still being followed up (at
        shutdown, before the adapters stop); cancel the rest and return how many those were."""
        pending = set(self._following_up)
        if not pending:
            return 0
        _, unfinished = await asyncio.wait(pending, timeout=within)
        for task in unfinished:
            task.cancel()
        if unfinished:
            log.warning("shutting down: %d late crisis verdicts not followed up", len(unfinished))
        return len(unfinished)

    def _follow_up(
        self, event: IncomingEvent, answered: CrisisAssessment, late: list[Late]
    ) -> None:
        """Act on the learned stage's verdicts that were not ready in time (see :class:`Late`)
        once they are, in the background: the person's turn has already been answered on the
        phrase screen's verdict ``answered``."""
        task = asyncio.create_task(self._late(event, answered, late))
        self._following_up.add(task)  # a reference, or the task may be collected mid-way
        task.add_done_callback(self._following_up.discard)

    async def _late(
        self, event: IncomingEvent, answered: CrisisAssessment, late: list[Late]
    ) -> None:
        """A late verdict stronger than the one the turn was answered on gets what it would
        have got in time (the crisis reply and alert, or the safety question), sent to the
        same chat. Never raises."""
        try:
            found = answered
            for verdict in await asyncio.gather(*(item.wait() for item in late)):
                if verdict is not None:
                    found = stronger(found, verdict)
            if found is answered:
                return
            log.warning("crisis model's late verdict (%s) on event %s", found.level, event.event_id)
            if found.is_crisis:
                replies = [await self._crisis(event, found)]
            else:
                replies = await self._ask(event, found)
            for message in replies:
                await send_with_retries(self.ctx, event.ref, message)
        except Exception as exc:
            log.error(
                "late crisis verdict on event %s failed: %s",
                event.event_id,
                describe_exception(exc),
            )

    async def _crisis(self, event: IncomingEvent, assessment: CrisisAssessment) -> OutgoingMessage:
        log.warning("crisis screen hit (%s) on event %s", assessment.category, event.event_id)
        told = Told.NOBODY
        if self.safety.alert is not None:
            try:
                told = await self.safety.alert(self.ctx, event, assessment)
            except Exception as exc:
                log.error(
                    "crisis escalation failed on event %s: %s",
                    event.event_id,
                    describe_exception(exc),
                )
        return await self.safety.reply(self.ctx, event, assessment, told)

    async def _ask(self, event: IncomingEvent, assessment: CrisisAssessment) -> Replies:
        """A ``possible`` verdict: the direct question, leaving the person's open conversation
        as it was. Without a way to ask, or if asking fails, the crisis reply (no alert)."""
        if self.safety.ask is not None:
            try:
                return await self.safety.ask(self.ctx, event, assessment)
            except Exception as exc:
                log.error(
                    "safety question failed on event %s: %s",
                    event.event_id,
                    describe_exception(exc),
                )
        return [await self.safety.reply(self.ctx, event, assessment, Told.NOBODY)]

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
        """Who sent ``event`` and where their conversation is. A stored conversation that
        cannot be read (damaged, or sealed under another key) must not take /sos, /help or
        /deleteme down with it: the turn goes on without it, and without the person if even
        that cannot be read, so the command answers with what it can."""
        storage = self.ctx.storage
        address = AccountAddress(event.ref.platform, event.ref.user_id)
        try:
            person, roles, state = await storage.turn_facts(address)
            return Turn(event=event, person=person, roles=roles, state=state)
        except Exception as exc:
            log.error(
                "event %s: conversation unreadable: %s", event.event_id, describe_exception(exc)
            )
        try:
            person = await storage.person_for_account(address)
            roles = await storage.roles_of(person.id) if person is not None else frozenset()
            return Turn(event=event, person=person, roles=frozenset(roles), state=None)
        except Exception as exc:
            log.error("event %s: person unreadable: %s", event.event_id, describe_exception(exc))
            return Turn(event=event, person=None, roles=frozenset(), state=None)

    async def _command(self, turn: Turn, command: Command) -> Replies:
        spec = self.commands.get(command.name)
        onboarded = turn.person is not None and turn.person.onboarded
        if spec is None:
            return [self._unknown(command.name, turn.roles, onboarded)]
        if not spec.allowed(turn.roles, onboarded):
            if not onboarded:
                return [OutgoingMessage(texts.NEED_ONBOARDING)]
            names = " or ".join(sorted(f"{role.value}s" for role in spec.roles or ()))
            return [OutgoingMessage(texts.NOT_FOR_YOUR_ROLE.format(name=spec.name, roles=names))]
        event = turn.event
        if (
            event.chat_kind is not ChatKind.DIRECT
            and not event.private_replies
            and spec.in_groups is GroupReply.PRIVATELY
        ):
            return await self._privately(turn, spec, command)
        return await spec.run(self.ctx, turn, command.args)

    def _unknown(self, name: str, roles: frozenset[Role], onboarded: bool) -> OutgoingMessage:
        """``/chekin``: "did you mean /checkin?", among the commands this person may use
        (those they may not are no help to them); without a close one, /help."""
        usable = [spec.name for spec in self.commands_for(roles, onboarded)]
        close = difflib.get_close_matches(name.casefold(), usable, n=1, cutoff=0.75)
        if close:
            return OutgoingMessage(texts.DID_YOU_MEAN.format(name=name, match=close[0]))
        return OutgoingMessage(texts.UNKNOWN_COMMAND.format(name=name))

    async def _privately(self, turn: Turn, spec: CommandSpec, command: Command) -> Replies:
        """Run a personal command typed in a group as if typed in the person's private chat,
        send its answer there, and tell the group only that (or where to ask instead)."""
        private = turn.event.private_ref
        event = replace(turn.event, ref=private, chat_kind=ChatKind.DIRECT)
        replies = await spec.run(self.ctx, replace(turn, event=event), command.args)
        try:
            async with asyncio.timeout(PRIVATE_SEND_SECONDS):
                for reply in replies:
                    await send_once(self.ctx, private, reply)
        except (DeliveryError, TimeoutError) as exc:
            log.info("event %s: no private chat (%s)", event.event_id, describe_exception(exc))
            return [OutgoingMessage(texts.ASK_PRIVATELY.format(name=spec.name))]
        return [OutgoingMessage(texts.SENT_PRIVATELY)] if replies else []


def stale_button(next_step: str | None = None) -> OutgoingMessage:
    """The clear answer to a button from an old message (``next_step``: what to do instead,
    by default the general one)."""
    return OutgoingMessage(texts.STALE_BUTTON.format(next_step=next_step or texts.STALE_NEXT_STEP))
