"""Asking when unsure: what the bot does when the screen's verdict is ``possible``.

A crisis counsellor who is not sure asks, directly and kindly. So does the bot: one message
with the question, Yes / No / "I'd rather not say" buttons and the crisis lines, so the
resources are there whatever the answer.

- Yes: an urgent alert (a crisis hit) and the whole crisis reply.
- "I'd rather not say": the same urgent alert, and a gentle answer with the lines.
- No: a warm close, the lines still offered; nobody is alerted.
- No answer within :data:`ANSWER_WITHIN`: a normal alert up the mentor chain, from the due
  queue (kind :data:`UNANSWERED`, subject the person's id).
- The :data:`REPEAT_LIMIT`-th ``possible`` within :data:`REPEAT_WINDOW`: a normal note to the
  mentor chain, also through the due queue (kind :data:`REPEATED`), so it never holds up the
  question.

The question does not touch the person's conversation state: it is a flow of its own that
only answers button presses, and what it waits for is the due-queue row. Whatever the person
was doing (a check-in, a goal) is still open when they have answered.

Alerts belong to the mentoring capability, which already uses this one, so the alert is a
port (:data:`AlertPerson`) that ``handlers.app`` fills in. Before consent there is no person
(nothing may be stored): the question and the lines are sent, and nothing else happens.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.context import Capability, Context, Replies, Turn
from handlers.crisis import texts
from handlers.crisis.helplines import helplines_for
from handlers.crisis.reply import PRIVATE_SEND_SECONDS, _person, person_zone, respond
from handlers.dispatcher import stale_button
from handlers.logsafe import describe_exception
from handlers.messaging import ChatKind, ConversationRef, IncomingEvent, OutgoingMessage
from handlers.numbers import read_id
from handlers.outbox import send_once
from handlers.routes import Route, decode_any
from handlers.screening import CrisisAssessment, Level, Told
from storage.due_queue import DueWork
from storage.mentoring import Trigger
from storage.people import Person
from storage.privacy import LedgerKinds

log = logging.getLogger(__name__)

FLOW = "sq"
"""The safety question's buttons: ``sq:yes``, ``sq:no``, ``sq:quiet``."""
UNANSWERED = "safety_question"
"""Due-queue kind: the open question's deadline (subject: the person's id)."""
REPEATED = "possible_repeated"
"""Due-queue kind: tell the mentor chain about repeated ``possible`` verdicts (subject: the
person's id)."""
ANSWER_WITHIN = timedelta(minutes=30)
REPEAT_WINDOW = timedelta(days=7)
REPEAT_LIMIT = 3

AlertPerson = Callable[[Context, int, Trigger], Awaitable[Told]]
"""Raise an alert about a person up their mentor chain; returns who on the team was told."""


def quiet_told_line(told: Told) -> str:
    """Who was told, said to a person who chose not to answer the question."""
    return {
        Told.MENTOR: texts.ASK_QUIET_MENTOR_ALERTED,
        Told.COORDINATOR: texts.CRISIS_COORDINATOR_ALERTED,
        Told.NOBODY: texts.CRISIS_NOBODY_ALERTED,
    }[told]


ANSWERED_YES = CrisisAssessment(Level.CRISIS, category="asked", matched="safety_question")
"""What a Yes (or "I'd rather not say") counts as: a crisis, from the question, no phrase."""


@dataclass(frozen=True, slots=True)
class YesPress:
    """Yes, I am thinking about ending my life or hurting myself."""


@dataclass(frozen=True, slots=True)
class NoPress:
    """No, I'm not."""


@dataclass(frozen=True, slots=True)
class QuietPress:
    """I'd rather not say."""


YES = Route(FLOW, "yes", YesPress)
NO = Route(FLOW, "no", NoPress)
QUIET = Route(FLOW, "quiet", QuietPress)
ROUTES = (YES, NO, QUIET)


async def _resource_lines(ctx: Context, person: Person | None) -> list[str]:
    """The crisis lines for where the person is (their zone), else the program's."""
    where = helplines_for(ctx.program.crisis, await person_zone(ctx, person))
    return [texts.CRISIS_RESOURCE_LINE.format(name=r.name, contact=r.contact) for r in where.lines]


def question(resources: list[str]) -> OutgoingMessage:
    """The question, the crisis lines and the three answers, in one message."""
    lines = [texts.ASK_OPENING, texts.ASK_QUESTION, texts.ASK_RESOURCES]
    lines += resources
    lines.append(texts.ASK_NEXT_STEP)
    buttons = [
        YES.button(texts.ASK_YES, YesPress()),
        NO.button(texts.ASK_NO, NoPress()),
        QUIET.button(texts.ASK_RATHER_NOT_SAY, QuietPress()),
    ]
    return OutgoingMessage.with_buttons("\n".join(lines), buttons)


class SafetyQuestion:
    """The question on a ``possible`` verdict, its answers and its deadlines."""

    def __init__(self, alert: AlertPerson) -> None:
        self.alert = alert

    def capability(self) -> Capability:
        return Capability(
            flows=(SafetyQuestionFlow(self),),
            due_handlers={UNANSWERED: self.run_unanswered, REPEATED: self.run_repeated},
        )

    ledger_kinds = LedgerKinds(person=(UNANSWERED, REPEATED))

    # The dispatcher's hook (SafetyNet.ask) ----------------------------------------------------

    async def ask(
        self, ctx: Context, event: IncomingEvent, assessment: CrisisAssessment
    ) -> Replies:
        """Ask the person; in a group, privately. Never raises."""
        log.warning("crisis screen unsure (%s) on event %s", assessment.category, event.event_id)
        person = None
        try:
            person = await _person(ctx, event)
            if person is not None:
                await self._note(ctx, person.id)
        except Exception as exc:  # the question goes out whatever failed here
            log.error("safety question on event %s: %s", event.event_id, describe_exception(exc))
        resources = await _resource_lines(ctx, person)
        message = question(resources)
        if event.chat_kind is ChatKind.DIRECT:
            return [message]
        if person is not None:  # never ask in front of others
            private = ConversationRef(
                platform=event.ref.platform, chat_id=event.ref.user_id, user_id=event.ref.user_id
            )
            try:
                async with asyncio.timeout(PRIVATE_SEND_SECONDS):
                    await send_once(ctx, private, message)
                return []
            except Exception as exc:
                log.info("safety question not sent privately: %s", describe_exception(exc))
        lines = [texts.ASK_IN_A_GROUP, *resources]
        return [OutgoingMessage("\n".join(lines))]

    async def _note(self, ctx: Context, person_id: int) -> None:
        """Start the answer's deadline (unless a question is already waiting: a later one
        must not put it off) and count the verdict toward the weekly note."""
        now = ctx.clock()
        subject = str(person_id)
        if await ctx.storage.get_due(UNANSWERED, subject) is None:
            deadline = now + ANSWER_WITHIN
            await ctx.storage.set_due(
                DueWork(UNANSWERED, subject, deadline, deadline.isoformat(), person_id=person_id)
            )
        count = await ctx.storage.record_possible(person_id, now, now - REPEAT_WINDOW)
        if count == REPEAT_LIMIT:
            await ctx.storage.set_due(
                DueWork(REPEATED, subject, now, now.isoformat(), person_id=person_id)
            )

    # The due queue --------------------------------------------------------------------------

    async def run_unanswered(self, ctx: Context, work: DueWork, now: datetime) -> DueWork | None:
        """No answer in time: a normal alert. Raises on failure, so the queue retries."""
        person_id = read_id(work.subject)
        if person_id is not None:
            await self.alert(ctx, person_id, Trigger.POSSIBLE_UNANSWERED)
        return None

    async def run_repeated(self, ctx: Context, work: DueWork, now: datetime) -> DueWork | None:
        person_id = read_id(work.subject)
        if person_id is not None:
            await self.alert(ctx, person_id, Trigger.POSSIBLE_REPEATED)
        return None

    # The answers ----------------------------------------------------------------------------

    async def answered_yes(self, ctx: Context, turn: Turn, *, said: bool) -> Replies:
        """Yes (``said``) or "I'd rather not say": the urgent alert, as for a crisis hit."""
        told = Told.NOBODY
        if turn.person is not None:
            try:
                await ctx.storage.clear_due(UNANSWERED, str(turn.person.id))
                told = await self.alert(ctx, turn.person.id, Trigger.CRISIS)
            except Exception as exc:
                log.error("safety question alert failed: %s", describe_exception(exc))
        if said:
            reply = await respond(ctx, turn.event, ANSWERED_YES, told=told)
            return [reply, OutgoingMessage(texts.ASK_YES_THANKS)]
        lines = [texts.ASK_QUIET_OPENING, *await _resource_lines(ctx, turn.person)]
        lines.append(quiet_told_line(told))
        lines.append(texts.ASK_QUIET_NEXT_STEP)
        return [OutgoingMessage("\n".join(lines))]

    async def answered_no(self, ctx: Context, turn: Turn) -> Replies:
        if turn.person is not None:
            try:
                await ctx.storage.clear_due(UNANSWERED, str(turn.person.id))
            except Exception as exc:
                log.error("safety question close failed: %s", describe_exception(exc))
        resources = await _resource_lines(ctx, turn.person)
        lines = [texts.ASK_NO_OPENING, texts.ASK_NO_RESOURCES, *resources]
        lines.append(texts.ASK_NO_NEXT_STEP)
        return [OutgoingMessage("\n".join(lines))]


class SafetyQuestionFlow:
    """The question's buttons. It never saves conversation state, so the person's own
    conversation stays where it was; a text never reaches it."""

    name = FLOW

    def __init__(self, question: SafetyQuestion) -> None:
        self.question = question

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        return [OutgoingMessage(texts.ASK_TAP_AN_ANSWER)]

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        match decode_any(payload, ROUTES):
            case YesPress():
                return await self.question.answered_yes(ctx, turn, said=True)
            case QuietPress():
                return await self.question.answered_yes(ctx, turn, said=False)
            case NoPress():
                return await self.question.answered_no(ctx, turn)
        return [stale_button()]
