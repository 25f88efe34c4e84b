"""The audit log: every staff view of mentee data writes who, whose, what and when.

Staff views are a mentor's ``/mentees`` listing, an ``/alerts`` listing, acknowledging an alert
(whose reply shows its details), and the coordinator's reports that name people (``peerbot
roster``). ``peerbot audit`` prints the log. The row is written before the data is shown: a
view that cannot be recorded is not shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from handlers.context import Context
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
    viewer: Person,
    subject_ids: Iterable[int],
    action: str,
    detail: str = "",
) -> None:
    """One audit row per person whose data ``viewer`` is about to see."""
    now = ctx.clock()
    label = actor_label(viewer)
    await ctx.storage.write_audit(
        [AuditEntry(now, viewer.id, label, subject, action, detail) for subject in subject_ids]
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
