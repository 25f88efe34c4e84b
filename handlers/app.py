"""Assembling the core: every capability behind one dispatcher, and the due-work handlers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from handlers.account import help as help_capability
from handlers.account import linking, onboarding, settings
from handlers.checkins import alerts as checkin_alerts
from handlers.checkins import flow as checkin
from handlers.checkins import progress
from handlers.checkins.prompts import REMINDER, run_reminder
from handlers.circles import commands as circles
from handlers.context import Context
from handlers.crisis import safety_plan
from handlers.crisis.reply import CrisisAssessment
from handlers.dispatcher import Dispatcher
from handlers.goals import flow as goals
from handlers.goals import review as goal_review
from handlers.logsafe import describe_exception
from handlers.mentoring import escalation
from handlers.mentoring import goals as mentor_goals
from handlers.mentoring import pairing as mentoring
from handlers.mentoring import views as mentor_views
from handlers.messaging import IncomingEvent
from handlers.privacy import commands as privacy
from handlers.resources import browse as resources
from handlers.resources import sending as resource_sending
from storage.models import DueWork

log = logging.getLogger(__name__)

DueHandler = Callable[[Context, DueWork, datetime], Awaitable[DueWork | None]]

DUE_HANDLERS: dict[str, DueHandler] = {
    REMINDER: run_reminder,
    escalation.ESCALATION: escalation.run_escalation,
    checkin_alerts.CHECKIN_ALERT: checkin_alerts.run_checkin_alert,
    mentoring.PAIRING: mentoring.run_pair_notice,
    goal_review.GOAL_REVIEW: goal_review.run_goal_review,
    **circles.DUE_HANDLERS,
}
"""What the scheduler's tick does for each kind of row in the due queue."""


async def on_crisis(ctx: Context, event: IncomingEvent, assessment: CrisisAssessment) -> bool:
    """A crisis hit: an urgent alert to the person's mentor chain, and, in a circle's chat, a
    private word to its facilitators. Returns whether a mentor was alerted; never raises."""
    alerted = await escalation.on_crisis(ctx, event, assessment)
    try:
        await circles.notify_circle_crisis(ctx, event)
    except Exception as exc:
        log.error("circle crisis ping failed on %s: %s", event.event_id, describe_exception(exc))
    return alerted


def build_dispatcher(ctx: Context) -> Dispatcher:
    """The dispatcher with every capability of the product registered, /help last."""
    dispatcher = Dispatcher(
        ctx,
        [onboarding.CAPABILITY, checkin.CAPABILITY, settings.CAPABILITY],
        on_crisis=on_crisis,
    )
    dispatcher.add(escalation.CAPABILITY)
    dispatcher.add(safety_plan.CAPABILITY)
    dispatcher.add(mentoring.CAPABILITY)
    dispatcher.add(mentor_views.CAPABILITY)
    dispatcher.add(mentor_goals.CAPABILITY)
    dispatcher.add(goals.CAPABILITY)
    dispatcher.add(progress.CAPABILITY)
    dispatcher.add(resources.CAPABILITY)
    dispatcher.add(resource_sending.CAPABILITY)
    dispatcher.add(circles.CAPABILITY)
    dispatcher.add(linking.CAPABILITY)
    dispatcher.add(privacy.CAPABILITY)
    dispatcher.add(help_capability.capability(dispatcher.commands_for))
    return dispatcher
