"""The due-work loop: claim due rows with a lease, do the work, advance the rows.

Each kind of due work ('checkin', 'reminder', ...) has a handler in the core that does the work
and says when it is next due. The worker owns only the mechanics: leases, batching, and never
letting one failing row stop the rest.

A kind with a batch handler (a capability's ``batch_handlers``: the daily 'checkin'
prompts) gets all of its rows of a claimed batch at once and advances them itself, in the same
transactions that mark its ledger rows; that is what lets a fan-out of many prompts due the same
minute cost a few storage round trips per batch instead of a dozen per prompt. Its sends take
the same concurrency slots as the per-row handlers.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from handlers.app import assemble
from handlers.context import Context, DueBatchHandler, DueHandler
from handlers.logsafe import describe_exception
from storage.due_queue import DueWork

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
        batch_handlers: Mapping[str, DueBatchHandler] | None = None,
    ) -> None:
        """``concurrency`` bounds the handlers and sends running at once, and so the duplicate
        window: a send keeps its slot until its ledger mark is written, so a crash can re-send
        at most ``concurrency`` messages of this worker (see :mod:`handlers.checkins.batch`).

        ``handlers`` (one row at a time) and ``batch_handlers`` (a claimed batch of one kind at
        once) default to what the program's capabilities register (``handlers.app``).
        """
        self.ctx = assemble(ctx)
        registry = self.ctx.capabilities
        self.handlers = dict(registry.due_handlers if handlers is None else handlers)
        self.batch_handlers = dict(
            registry.batch_handlers if batch_handlers is None else batch_handlers
        )
        self._kinds = tuple(dict.fromkeys((*self.handlers, *self.batch_handlers)))
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
                    kinds=self._kinds,
                )
                if not claimed:
                    return handled
                batches: dict[str, list[DueWork]] = {}
                singles: list[DueWork] = []
                for row in claimed:
                    if row.kind in self.batch_handlers:
                        batches.setdefault(row.kind, []).append(row)
                    else:
                        singles.append(row)
                await asyncio.gather(
                    *(self._work_batch(kind, rows, now) for kind, rows in batches.items()),
                    *(self._work(row, now) for row in singles),
                )
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

    async def _work_batch(self, kind: str, rows: list[DueWork], now: datetime) -> None:
        try:
            await self.batch_handlers[kind](self.ctx, rows, now, self._limit)
        except Exception as exc:
            # Every row it did not finish stays leased: claimed again when the lease runs out.
            log.error("due %s batch of %d failed: %s", kind, len(rows), describe_exception(exc))

    async def drain(self) -> None:
        """Let a tick in progress finish (used on shutdown, so nothing in flight is lost)."""
        running = self._running
        if running is not None and not running.done():
            await asyncio.wait([running], timeout=30)
