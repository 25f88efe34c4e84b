"""The due-work loop: claim due rows with a lease, do the work, advance the rows.

Each kind of due work ('checkin', 'reminder', ...) has a handler in the core that does the work
and says when it is next due. The worker owns only the mechanics: leases, batching, and never
letting one failing row stop the rest.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from handlers.app import DUE_HANDLERS, DueHandler
from handlers.context import Context
from handlers.logsafe import describe_exception
from storage.models import DueWork

log = logging.getLogger(__name__)


class DueWorker:
    """Works through the due queue; ``tick`` is what APScheduler fires."""

    def __init__(
        self,
        ctx: Context,
        handlers: Mapping[str, DueHandler] | None = None,
        *,
        owner: str | None = None,
        lease: timedelta = timedelta(minutes=5),
        batch_size: int = 200,
        concurrency: int = 32,
    ) -> None:
        self.ctx = ctx
        self.handlers = dict(DUE_HANDLERS if handlers is None else handlers)
        self.owner = owner or f"worker-{uuid.uuid4().hex[:12]}"
        self.lease = lease
        self.batch_size = batch_size
        self._limit = asyncio.Semaphore(concurrency)
        self._running: asyncio.Task[object] | None = None

    async def tick(self) -> int:
        """Work through everything due now; returns how many rows were handled."""
        self._running = asyncio.current_task()
        handled = 0
        try:
            while True:
                now = self.ctx.clock()
                claimed = await self.ctx.storage.claim_due(
                    now,
                    owner=self.owner,
                    lease_until=now + self.lease,
                    limit=self.batch_size,
                    kinds=tuple(self.handlers),
                )
                if not claimed:
                    return handled
                await asyncio.gather(*(self._work(row, now) for row in claimed))
                handled += len(claimed)
                if len(claimed) < self.batch_size:
                    return handled
        finally:
            self._running = None

    async def _work(self, row: DueWork, now: datetime) -> None:
        async with self._limit:
            try:
                next_row = await self.handlers[row.kind](self.ctx, row, now)
            except Exception as exc:
                # The lease expires and the row is claimed again later: retried, not lost.
                log.error(
                    "due %s for %s failed: %s", row.kind, row.subject, describe_exception(exc)
                )
                return
            await self.ctx.storage.advance_due(row, next_row)

    async def drain(self) -> None:
        """Let a tick in progress finish (used on shutdown, so nothing in flight is lost)."""
        running = self._running
        if running is not None and not running.done():
            await asyncio.wait([running], timeout=30)
