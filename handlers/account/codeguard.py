"""The guard on code redemption: invite codes (``/start CODE``, ``/join CODE``) and link codes
(``/link CODE``) are short enough to guess, so each source (one account on one platform) gets
:data:`LIMIT` failed attempts per :data:`WINDOW`, then waits; each further wait is twice the
last (up to :data:`LONGEST_WAIT`), until a day passes without a failure. A waiting source's
codes are not looked up at all.

A failure is logged and recorded without the code (the record is what ``peerbot audit``
shows coordinators); a code is echoed back only when it looks like one (:func:`shown`).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.account import codeguard_texts as texts
from handlers.context import Context, Turn
from handlers.messaging import OutgoingMessage
from handlers.profile import PersonLabel, maybe_label
from storage.attempts import CodeThrottle
from storage.people import AccountAddress

log = logging.getLogger(__name__)

INVITE = "invite"
LINK = "link"
LIMIT = 5
"""Failed attempts a source may make in one :data:`WINDOW` before it waits."""
WINDOW = timedelta(minutes=10)
FIRST_WAIT = timedelta(minutes=10)
LONGEST_WAIT = timedelta(hours=24)
FORGIVEN_AFTER = timedelta(hours=24)
"""A source that has not failed for this long starts again from the first wait."""
LONGEST_SHOWN = 16
"""Codes are 6-8 characters; anything longer than this is not echoed back."""


def shown(code: str) -> str | None:
    """The code as it may be echoed back, or None when it does not look like a code."""
    return code if 0 < len(code) <= LONGEST_SHOWN and code.isprintable() else None


def after_failure(throttle: CodeThrottle, now: datetime) -> CodeThrottle:
    """The throttle after one more failed attempt at ``now``."""
    strikes = throttle.strikes
    if throttle.last_failure_at is not None and now - throttle.last_failure_at >= FORGIVEN_AFTER:
        strikes = 0
    start, failures = throttle.window_start, throttle.failures
    if start is None or now - start >= WINDOW:
        start, failures = now, 0
    failures += 1
    blocked_until = throttle.blocked_until
    if failures >= LIMIT:
        strikes += 1
        blocked_until = now + min(FIRST_WAIT * 2 ** min(strikes - 1, 16), LONGEST_WAIT)
        start, failures = None, 0
    return CodeThrottle(start, failures, strikes, blocked_until, now)


async def held_back(ctx: Context, turn: Turn) -> OutgoingMessage | None:
    """The wait message if this account must wait before another code is looked up."""
    throttle = await ctx.storage.code_throttle(turn.address)
    now = ctx.clock()
    if throttle.blocked_until is None or throttle.blocked_until <= now:
        return None
    return OutgoingMessage(texts.HELD_BACK.format(wait=_wait_words(throttle.blocked_until - now)))


async def failed(ctx: Context, turn: Turn, kind: str) -> None:
    """Count one failed attempt of this account (the code itself is never kept or logged)."""
    now = ctx.clock()
    throttle = after_failure(await ctx.storage.code_throttle(turn.address), now)
    await ctx.storage.record_code_failure(turn.address, kind, now, throttle)
    waits = throttle.blocked_until is not None and throttle.blocked_until > now
    log.info(
        "failed %s code attempt from a %s account (%s)",
        kind,
        turn.address.platform,
        "now waiting" if waits else f"{throttle.failures} of {LIMIT} in this window",
    )


def _wait_words(left: timedelta) -> str:
    minutes = max(1, math.ceil(left.total_seconds() / 60))
    if minutes < 90:
        return texts.ONE_MINUTE if minutes == 1 else texts.MINUTES.format(n=minutes)
    hours = math.ceil(minutes / 60)
    return texts.ONE_HOUR if hours == 1 else texts.HOURS.format(n=hours)


@dataclass(frozen=True, slots=True)
class RepeatedFailures:
    """One source's failed code attempts, as coordinators see them."""

    address: AccountAddress
    person: PersonLabel | None
    """Who the account belongs to; ``None`` for an account with no record here."""
    kinds: frozenset[str]
    failures: int
    first_at: datetime
    last_at: datetime


async def repeated_failures(
    ctx: Context, *, window: timedelta, at_least: int = LIMIT
) -> list[RepeatedFailures]:
    """Sources with at least ``at_least`` failed code attempts in the last ``window``."""
    rows = await ctx.storage.code_failures(ctx.clock() - window, at_least)
    return [
        RepeatedFailures(
            row.address,
            await maybe_label(ctx, row.person_id),
            row.kinds,
            row.failures,
            row.first_at,
            row.last_at,
        )
        for row in rows
    ]
