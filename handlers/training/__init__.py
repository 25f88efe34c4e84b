"""Mentors' training and supervision: ``/training`` and ``/supervision``, where each mentor
stands against ``[training]`` (``peerbot training``), and reminders before a training expires."""

from __future__ import annotations

from handlers.context import Capability
from handlers.training import log, reminders

CAPABILITY = Capability.combine(
    "training",
    [log.CAPABILITY, Capability(due_handlers={reminders.TRAINING_EXPIRY: reminders.run_reminder})],
    on_schedule_change=reminders.reschedule_person,
    routine_kinds=(reminders.TRAINING_EXPIRY,),
)

__all__ = ["CAPABILITY"]
