"""Proactive sends: through the delivery ledger, with retries, never silently dropped.

Pacing to each platform's limits is the adapters' job, with the kernel's
:class:`~handlers.pacing.SendPacer` (Telegram's limits in ``bot.adapters.telegram_pacing``;
Discord's buckets are discord.py's own, its DM pacing ours): a send waits there in its lane
(:func:`handlers.pacing.in_lane`: urgent unless the due worker runs routine work), after its
ledger row is written, so a crash while it waits loses nothing. Here we retry what failed for
a passing reason, honour ``retry_after``, and stop on a permanent failure so the caller can
pause that person.

:func:`deliver` is the one-send-at-a-time form. The daily prompts are sent through
:mod:`handlers.checkins.batch`, which writes the same ledger rows for a claimed batch at once
(``pending`` before any send, the mark after each) and documents its duplicate window.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from handlers.context import Context
from handlers.messaging import (
    ConversationRef,
    DeliveryError,
    DeliveryFailure,
    OutgoingMessage,
    SentRef,
)
from handlers.pacing import current_lane
from handlers.profile import PAUSED_INDEFINITELY, language_of
from storage.deliveries import DeliveryStatus
from storage.people import Account, Settings

log = logging.getLogger(__name__)

_T = TypeVar("_T")

MAX_ATTEMPTS = 4
FIRST_BACKOFF_SECONDS = 1.0
MAX_RETRY_AFTER_SECONDS = 60.0


async def send_once(ctx: Context, ref: ConversationRef, message: OutgoingMessage) -> SentRef:
    """One attempt, no retry (a private copy of a group's answer, which falls back in the
    group at once if it fails), counted like every other send."""
    try:
        sent = await ctx.messengers.send(ref, message)
    except DeliveryError as err:
        if err.failure is DeliveryFailure.RATE_LIMITED:
            ctx.telemetry.rate_limited(ref.platform)
        raise
    ctx.telemetry.sent(ref.platform, current_lane())
    return sent


async def send_with_retries(ctx: Context, ref: ConversationRef, message: OutgoingMessage) -> None:
    """Send, retrying transient failures with backoff; re-raise the last or a permanent one."""
    await with_retries(ctx, lambda: ctx.messengers.send(ref, message), ref.platform)


async def with_retries(ctx: Context, attempt: Callable[[], Awaitable[_T]], where: str) -> _T:
    """Run one send (``attempt``), retrying a transient :class:`DeliveryError` with backoff on
    the context's clock (``retry_after`` when the platform names one, capped); re-raise the
    last failure, or a permanent one at once. ``where`` names the platform in logs."""
    for number in range(1, MAX_ATTEMPTS + 1):
        try:
            result = await attempt()
        except DeliveryError as err:
            if err.failure is DeliveryFailure.RATE_LIMITED:
                ctx.telemetry.rate_limited(where)
            if err.permanent or number == MAX_ATTEMPTS:
                raise
            wait = err.retry_after or FIRST_BACKOFF_SECONDS * 2 ** (number - 1)
            log.info("send to %s failed (%s); retry %d in %.1fs", where, err.reason, number, wait)
            await ctx.sleep(min(wait, MAX_RETRY_AFTER_SECONDS))
        else:
            ctx.telemetry.sent(where, current_lane())
            return result
    raise AssertionError("unreachable: the last attempt returns or raises")


async def deliver(
    ctx: Context,
    *,
    kind: str,
    subject: str,
    occurrence: str,
    person_id: int | None,
    ref: ConversationRef,
    message: OutgoingMessage,
) -> DeliveryStatus:
    """Send ``message`` once per (kind, subject, occurrence), recorded in the ledger.

    Returns SENT when it went out now, or the earlier final status when it had been settled
    before (so a restart never re-sends it). A permanent failure is recorded as FAILED and
    re-raised; a transient one leaves the row PENDING and is re-raised, to be retried later.

    The ledger row is written before the send and marked after it. Neither platform offers
    idempotency keys, so a crash between the two is the one way a message goes out twice.
    """
    status = await ctx.storage.begin_delivery(kind, subject, occurrence, person_id, ctx.clock())
    if status.final:
        return status
    await _check_language(ctx, kind, person_id, message)
    try:
        await send_with_retries(ctx, ref, message)
    except DeliveryError as err:
        if err.permanent:
            await ctx.storage.finish_delivery(
                kind, subject, occurrence, DeliveryStatus.FAILED, ctx.clock(), reason=err.reason
            )
        raise
    await ctx.storage.finish_delivery(kind, subject, occurrence, DeliveryStatus.SENT, ctx.clock())
    ctx.telemetry.proactive_sent(kind)
    return DeliveryStatus.SENT


async def _check_language(
    ctx: Context, kind: str, person_id: int | None, message: OutgoingMessage
) -> None:
    """A message built in another language than its reader's is a bug (a proactive send whose
    text was not built inside ``speaking_to``): say so in the log, by kind, never by text. It
    is still sent: an English message beats none."""
    if person_id is None:
        return
    wanted = await language_of(ctx, person_id)
    if message.language != wanted:
        log.error(
            "%s to person %s built in %r, but they read %r",
            kind,
            person_id,
            message.language,
            wanted,
        )


async def prompt_ref(
    ctx: Context, person_id: int, settings: Settings | None = None
) -> ConversationRef | None:
    """Where proactive messages to this person go: their chosen platform, else their first."""
    accounts = await ctx.storage.accounts_of(person_id)
    if not accounts:
        return None
    if settings is None:
        settings = await ctx.storage.get_settings(person_id)
    return choose_ref(accounts, settings)


def choose_ref(accounts: Sequence[Account], settings: Settings) -> ConversationRef | None:
    """:func:`prompt_ref` for accounts (ordered as ``accounts_of``) and settings already read."""
    if not accounts:
        return None
    chosen = next(
        (a for a in accounts if a.address.platform == settings.prompt_platform), accounts[0]
    )
    return ConversationRef(
        platform=chosen.address.platform,
        chat_id=chosen.chat_id,
        user_id=chosen.address.platform_user_id,
        thread_id=chosen.thread_id,
    )


async def pause_unreachable(ctx: Context, person_id: int, err: DeliveryError) -> None:
    """A blocked bot or a deleted chat: stop proactive messages, and record why for their
    mentor (``/mentees`` shows it); ``/resume`` or ``/start`` from the person undoes it."""
    reason = err.reason
    log.warning("pausing person %s: permanent delivery failure (%s)", person_id, reason)
    await ctx.storage.update_settings(
        person_id, paused_until=PAUSED_INDEFINITELY, paused_reason=reason
    )
    await ctx.capabilities.schedule_changed(ctx, person_id)  # takes their prompts out
