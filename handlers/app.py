"""Assembling the program: the capabilities in one registry, and the safety net around them.

``CAPABILITIES`` is the product. Their order is the order of ``/help`` and the platforms'
command menus. :func:`assemble` puts the registry into a context; :func:`build_dispatcher`
is what the adapters call.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from handlers import (
    account,
    checkins,
    circles,
    crisis,
    dashboard,
    goals,
    matching,
    mentoring,
    privacy,
    resources,
    training,
)
from handlers.context import Capability, Context, Registry
from handlers.dispatcher import Dispatcher
from handlers.logsafe import describe_exception
from handlers.mentoring import escalation
from handlers.messaging import IncomingEvent, OutgoingMessage
from handlers.screening import CrisisAssessment, SafetyNet, Told
from storage.mentoring import Trigger

log = logging.getLogger(__name__)


async def alert_person(ctx: Context, person_id: int, trigger: Trigger) -> Told:
    """The crisis capability's alert port: an alert up the person's mentor chain (mentoring's
    escalation); who on the team was told."""
    return (await escalation.raise_alert(ctx, person_id, trigger)).told


SAFETY_QUESTION = crisis.SafetyQuestion(alert_person)
"""What the bot does on a ``possible`` verdict: ask, then act on the answer or its absence."""

CAPABILITIES: tuple[Capability, ...] = (
    account.CAPABILITY,
    checkins.CAPABILITY,
    mentoring.CAPABILITY,
    matching.CAPABILITY,
    training.CAPABILITY,
    crisis.capability(SAFETY_QUESTION),
    goals.CAPABILITY,
    resources.CAPABILITY,
    circles.CAPABILITY,
    dashboard.CAPABILITY,
    privacy.CAPABILITY,
)

REGISTRY = Registry(CAPABILITIES)


def assemble(ctx: Context) -> Context:
    """``ctx`` with the program's registry (a context already assembled is returned as is)."""
    return ctx if ctx.registry is REGISTRY else replace(ctx, registry=REGISTRY)


async def alert_on_crisis(ctx: Context, event: IncomingEvent, assessment: CrisisAssessment) -> Told:
    """A crisis hit: an urgent alert to the person's mentor chain, and, in a circle's chat, a
    private word to its facilitators. Returns who on the team was told; never raises."""
    told = await escalation.on_crisis(ctx, event, assessment)
    try:
        await circles.notify_circle_crisis(ctx, event)
    except Exception as exc:
        log.error("circle crisis ping failed on %s: %s", event.event_id, describe_exception(exc))
    return told


async def crisis_reply(
    ctx: Context, event: IncomingEvent, assessment: CrisisAssessment, told: Told
) -> OutgoingMessage:
    return await crisis.respond(ctx, event, assessment, told=told)


SAFETY = SafetyNet(
    assess=crisis.assess_every_locale,
    reply=crisis_reply,
    alert=alert_on_crisis,
    ask=SAFETY_QUESTION.ask,
    second=crisis.model.STAGE.assess,
)
"""Every text: the phrase screen in every language, then the learned stage (loaded at start by
``crisis.model.load``; until then, or if it fails, the phrase screen stands alone)."""


def build_dispatcher(ctx: Context) -> Dispatcher:
    """The dispatcher for the whole program, on an assembled ``ctx``."""
    return Dispatcher(assemble(ctx), SAFETY)
