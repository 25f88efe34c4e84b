"""The crisis screen's public face: ``assess`` and the reply a hit gets.

The screen itself (phrase lists per locale, normalisation) lives in
:mod:`handlers.crisis.screen`; this module turns an assessment into what the person sees.
"""

from __future__ import annotations

import asyncio
import logging

from handlers.context import Context
from handlers.crisis import texts
from handlers.crisis.helplines import Helplines, helplines_for
from handlers.crisis.safety_plan import plan_lines
from handlers.crisis.screen import CATEGORIES, CrisisAssessment, assess
from handlers.logsafe import describe_exception
from handlers.messaging import ChatKind, ConversationRef, IncomingEvent, OutgoingMessage
from handlers.outbox import send_once
from handlers.program import ProgramSettings
from handlers.screening import Told
from storage.mentoring import SafetyPlan
from storage.people import AccountAddress, Person

__all__ = [
    "CATEGORIES",
    "CrisisAssessment",
    "assess",
    "crisis_line",
    "crisis_reply",
    "person_zone",
    "respond",
]

log = logging.getLogger(__name__)


def told_line(told: Told) -> str:
    """Who on the team was told, in the crisis reply."""
    return {
        Told.MENTOR: texts.CRISIS_MENTOR_ALERTED,
        Told.COORDINATOR: texts.CRISIS_COORDINATOR_ALERTED,
        Told.NOBODY: texts.CRISIS_NOBODY_ALERTED,
    }[told]


PRIVATE_SEND_SECONDS = 5.0
"""How long a group hit waits for the private message before answering in the group instead."""


def crisis_line(program: ProgramSettings, zone: str | None = None) -> str:
    """The first line for someone in ``zone`` in one line, for welcomes and /help footers."""
    first = helplines_for(program.crisis, zone).lines[0]
    return f"{first.name}, {first.contact}"


async def person_zone(ctx: Context, person: Person | None) -> str | None:
    """The person's time zone, which says whose crisis lines they get; never raises."""
    if person is None:
        return None
    try:
        return (await ctx.storage.get_settings(person.id)).timezone
    except Exception as exc:  # the program's lines, rather than none
        log.warning("no zone for the crisis lines: %s", describe_exception(exc))
        return None


def crisis_reply(
    program: ProgramSettings,
    assessment: CrisisAssessment | None = None,
    *,
    told: Told | None = Told.NOBODY,
    helplines: Helplines | None = None,
    safety_plan: SafetyPlan | None = None,
) -> OutgoingMessage:
    """The whole crisis answer in one message: resources first (``helplines``, else the
    program region's), then hope, then the person's own safety plan (if they made one), then
    who on the team was told: never a mentor unless one was. ``told=None``: a reply for a
    group, which says nothing about who was told (the private message does)."""
    where = helplines if helplines is not None else helplines_for(program.crisis)
    lines = [texts.CRISIS_OPENING]
    lines += [
        texts.CRISIS_RESOURCE_LINE.format(name=r.name, contact=r.contact) for r in where.lines
    ]
    if assessment is not None and assessment.category == "overdose":
        number = where.emergency or texts.LOCAL_EMERGENCY_NUMBER
        lines.append(texts.CRISIS_OVERDOSE.format(emergency=number))
    lines.append(texts.CRISIS_HOPE)
    lines += plan_lines(safety_plan)
    lines.append(told_line(told) if told is not None else texts.CRISIS_NOT_AN_EMERGENCY_SERVICE)
    return OutgoingMessage("\n".join(lines))


async def respond(
    ctx: Context,
    event: IncomingEvent,
    assessment: CrisisAssessment | None,
    *,
    told: Told,
) -> OutgoingMessage:
    """The crisis reply to ``event``, for a screen hit or ``/sos``. Never raises.

    In a direct chat it is the whole reply, with the person's safety plan. In a group or
    channel the resources are answered right where the person wrote (the place they are
    looking; anyone there can help too), but what is personal stays private: someone we know
    also gets the whole reply, safety plan and mentor line included, as a direct message (chat
    id = user id, which both adapters read as "their DM"), and the group reply says so. If that
    DM cannot be sent (a Telegram user who never opened a chat with the bot, closed Discord
    DMs), the group reply carries the mentor line instead, but never the safety plan.
    """
    plain = crisis_reply(ctx.program, assessment, told=told)
    try:
        person = await _person(ctx, event)
        where = helplines_for(ctx.program.crisis, await person_zone(ctx, person))
        plain = crisis_reply(ctx.program, assessment, told=told, helplines=where)
        plan = await ctx.storage.get_safety_plan(person.id) if person is not None else None
        reply = crisis_reply(
            ctx.program,
            assessment,
            told=told,
            helplines=where,
            safety_plan=plan,
        )
        if event.chat_kind is ChatKind.DIRECT:
            return reply
        if person is None:
            return plain
        private = ConversationRef(
            platform=event.ref.platform, chat_id=event.ref.user_id, user_id=event.ref.user_id
        )
        async with asyncio.timeout(PRIVATE_SEND_SECONDS):
            await send_once(ctx, private, reply)
        # Who was told is personal and said privately; "nobody was alerted" here would be false.
        public = crisis_reply(ctx.program, assessment, told=None, helplines=where)
        return OutgoingMessage(f"{public.text}\n{texts.CRISIS_SENT_PRIVATELY}")
    except Exception as exc:  # the resources first, whatever else failed
        log.warning(
            "crisis reply for event %s fell back: %s", event.event_id, describe_exception(exc)
        )
        return plain


async def _person(ctx: Context, event: IncomingEvent) -> Person | None:
    if not event.ref.user_id:
        return None
    return await ctx.storage.person_for_account(
        AccountAddress(event.ref.platform, event.ref.user_id)
    )
