"""Messages a mentor sends a mentee (a cheer on a goal, a resource), through the ledger.

Each goes out at most once per ledger key, so a double tap or a retried press sends nothing
twice. Someone who paused messages (``/stop``) is not messaged; the caller says so.
"""

from __future__ import annotations

import asyncio
import enum
import logging

from handlers.context import Context
from handlers.logsafe import describe_exception
from handlers.mentoring.escalation import INLINE_PING_SECONDS
from handlers.messaging import DeliveryError, OutgoingMessage
from handlers.outbox import deliver, prompt_ref
from storage.deliveries import DeliveryStatus

log = logging.getLogger(__name__)


class SendOutcome(enum.Enum):
    SENT = "sent"
    """It went out now."""
    ALREADY = "already"
    """This very message (the same ledger key) was settled before: nothing sent again."""
    PAUSED = "paused"
    """The mentee paused messages, or is gone."""
    UNREACHED = "unreached"
    """No account to reach them on, or the platform refused or timed out."""


async def send_to_mentee(
    ctx: Context,
    mentee_id: int,
    *,
    kind: str,
    subject: str,
    occurrence: str,
    message: OutgoingMessage,
) -> SendOutcome:
    """Deliver ``message`` once per (kind, subject, occurrence). Never raises DeliveryError."""
    person = await ctx.storage.get_person(mentee_id)
    if person is None or person.stopped_at is not None:
        return SendOutcome.PAUSED
    earlier = await ctx.storage.delivery_status(kind, subject, occurrence)
    if earlier is not None and earlier.final:
        return _outcome(earlier, now=False)
    ref = await prompt_ref(ctx, mentee_id)
    if ref is None:
        return SendOutcome.UNREACHED
    try:
        async with asyncio.timeout(INLINE_PING_SECONDS):
            status = await deliver(
                ctx,
                kind=kind,
                subject=subject,
                occurrence=occurrence,
                person_id=mentee_id,
                ref=ref,
                message=message,
            )
    except (DeliveryError, TimeoutError) as exc:
        log.warning("%s %s not delivered: %s", kind, subject, describe_exception(exc))
        return SendOutcome.UNREACHED
    return _outcome(status, now=True)


def _outcome(status: DeliveryStatus, *, now: bool) -> SendOutcome:
    if status is DeliveryStatus.FAILED:
        return SendOutcome.UNREACHED
    if status is DeliveryStatus.SENT and now:
        return SendOutcome.SENT
    return SendOutcome.ALREADY
