"""The daily housekeeping job: the retention purge (``[privacy]``), never raising."""

from __future__ import annotations

import logging

from handlers.context import Context
from handlers.logsafe import describe_exception
from handlers.privacy.data import purge_expired
from storage.privacy import PurgeCounts

log = logging.getLogger(__name__)


async def housekeeping(ctx: Context) -> PurgeCounts | None:
    """Purge what retention no longer keeps; log counts only. None if it failed."""
    try:
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
