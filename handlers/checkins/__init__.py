"""Daily check-ins: the conversation, the prompts and reminders, alerts from answers, progress.

Modules: ``flow`` (``/checkin``, ``/days``, ``/reset``), ``schedule`` (the next prompt's row),
``prompts`` (reminders and misses), ``batch`` (the daily fan-out), ``alerts`` (what an answer
raises), ``progress`` and ``progress_chart`` (``/progress``).
"""

from __future__ import annotations

from handlers.checkins import alerts, batch, flow, progress, prompts, schedule
from handlers.context import Capability
from storage.privacy import LedgerKinds

CAPABILITY = Capability.combine(
    "checkins",
    [
        flow.CAPABILITY,
        progress.CAPABILITY,
        Capability(
            due_handlers={
                prompts.REMINDER: prompts.run_reminder,
                alerts.CHECKIN_ALERT: alerts.run_checkin_alert,
            },
            batch_handlers=batch.BATCH_HANDLERS,
        ),
    ],
    ledger_kinds=LedgerKinds(person=(schedule.CHECKIN, prompts.REMINDER, prompts.MISS)),
    on_schedule_change=schedule.after_schedule_change,
    routine_kinds=(schedule.CHECKIN, prompts.REMINDER),  # an alert check is not: it may ping
)

__all__ = ["CAPABILITY"]
