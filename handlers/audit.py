"""The audit log: every staff view of mentee data writes who, whose, what and when.

Staff views are a mentor's ``/mentees`` listing, an ``/alerts`` listing, acknowledging an alert
(whose reply shows its details), and the coordinator's reports that name people (``peerbot
roster``). ``peerbot audit`` prints the log (:func:`read_log`). The row is written before the
data is shown: a view that cannot be recorded is not shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from handlers.context import Context
from handlers.profile import PersonLabel, maybe_label
from storage.mentoring import Alert, AuditEntry
from storage.people import Person

VIEW_MENTEES = "view_mentees"
VIEW_ALERTS = "view_alerts"
ACK_ALERT = "ack_alert"
ROSTER = "roster"
COMMAND_LINE = "command line"
"""The actor label of the coordinator's command line, which has no person behind it."""


def actor_label(person: Person) -> str:
    return person.display_name or f"person {person.id}"


async def record_views(
    ctx: Context,
    viewer: Person | None,
    subject_ids: Iterable[int],
    action: str,
    detail: str = "",
) -> None:
    """One audit row per person whose data ``viewer`` is about to see; ``None`` is the
    coordinator's command line."""
    now = ctx.clock()
    viewer_id, label = (viewer.id, actor_label(viewer)) if viewer else (None, COMMAND_LINE)
    await ctx.storage.write_audit(
        [AuditEntry(now, viewer_id, label, subject, action, detail) for subject in subject_ids]
    )


async def record_alert_views(
    ctx: Context, viewer: Person, alerts: Iterable[Alert], action: str
) -> None:
    """One audit row per alert whose details ``viewer`` is about to see."""
    now = ctx.clock()
    label = actor_label(viewer)
    await ctx.storage.write_audit(
        [
            AuditEntry(now, viewer.id, label, alert.person_id, action, f"alert {alert.id}")
            for alert in alerts
        ]
    )


@dataclass(frozen=True, slots=True)
class LogLine:
    """One row of the audit log as staff read it: the entry, and who its subject is now."""

    entry: AuditEntry
    subject: PersonLabel | None
    """``None`` when the row names nobody (an erased subject has a pseudonym instead)."""


async def read_log(
    ctx: Context, *, subject_id: int | None, window: timedelta, limit: int
) -> list[LogLine]:
    """The views recorded in the last ``window``, newest first, at most ``limit``."""
    entries = await ctx.storage.audit_log(
        subject_id=subject_id, since=ctx.clock() - window, limit=limit
    )
    return [LogLine(entry, await maybe_label(ctx, entry.subject_id)) for entry in entries]
