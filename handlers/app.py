"""Assembling the core: every capability behind one dispatcher, and the due-work handlers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from handlers import checkin, onboarding, settings
from handlers import help as help_capability
from handlers.checkin_prompts import REMINDER, run_reminder, run_scheduled_checkin
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.schedule import CHECKIN
from storage.models import DueWork

DueHandler = Callable[[Context, DueWork, datetime], Awaitable[DueWork | None]]

DUE_HANDLERS: dict[str, DueHandler] = {
    CHECKIN: run_scheduled_checkin,
    REMINDER: run_reminder,
}
"""What the scheduler's tick does for each kind of row in the due queue."""


def build_dispatcher(ctx: Context) -> Dispatcher:
    """The dispatcher with every capability of the product registered, /help last."""
    dispatcher = Dispatcher(ctx, [onboarding.CAPABILITY, checkin.CAPABILITY, settings.CAPABILITY])
    dispatcher.add(help_capability.capability(dispatcher.commands_for))
    return dispatcher
