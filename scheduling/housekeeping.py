"""The daily housekeeping job: the retention purge (``[privacy]``), never raising.

With several ``peerbot run`` processes on one database every one of them schedules it, and the
one that first claims the day's ``job_runs`` row (storage's ``claim_job_run``, per UTC date)
purges; the others find the day claimed and do nothing. A purge that fails is not tried again
the same day: the next day's purges everything past retention, the day missed included.
"""

from __future__ import annotations

import logging

from handlers.context import Context
from handlers.logsafe import describe_exception
from handlers.privacy.data import purge_expired
from storage.privacy import PurgeCounts

log = logging.getLogger(__name__)

JOB = "retention-purge"
"""The purge's name in ``job_runs``."""


async def housekeeping(ctx: Context, owner: str = "this-process") -> PurgeCounts | None:
    """Purge what retention no longer keeps, if no process has yet today (UTC); log counts
    only. None if it failed, or if another process (``owner`` names this one) has the day."""
    try:
        now = ctx.clock()
        if not await ctx.storage.claim_job_run(JOB, now.date().isoformat(), owner, now):
            log.info("retention purge: already done today by another process")
            return None
        counts = await purge_expired(ctx)
    except Exception as exc:  # a failed purge must not take the scheduler down; it runs again
        log.error("retention purge failed: %s", describe_exception(exc))
        return None
    log.info(
        "retention purge: %d check-ins, %d alerts, %d audit rows, %d ledger rows, "
        "%d idle conversations, %d link codes",
        counts.checkins,
        counts.alerts,
        counts.audit,
        counts.deliveries,
        counts.conversations,
        counts.link_codes,
    )
    return counts
