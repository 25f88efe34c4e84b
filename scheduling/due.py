"""The due-work loop: claim due rows with a lease, do the work, advance the rows.

Each kind of due work ('checkin', 'reminder', ...) has a handler in the core that does the work
and says when it is next due. The worker owns only the mechanics: leases, batching, and never
letting one failing row stop the rest.

A kind with a batch handler (a capability's ``batch_handlers``: the daily 'checkin'
prompts) gets all of its rows of a claimed batch at once and advances them itself, in the same
transactions that mark its ledger rows; that is what lets a fan-out of many prompts due the same
minute cost a few storage round trips per batch instead of a dozen per prompt. Its sends take
the same concurrency slots as the per-row handlers.

**Lanes.** The kinds a capability declares ``routine_kinds`` (daily prompts, reminders, circle
reminders, weekly reviews) run in the routine lane of :mod:`handlers.pacing`: their sends wait
behind urgent ones at the adapter's pacer. Every other kind (escalation climbs, check-in alert
checks, the crisis question's deadline) is urgent: it is claimed first in every round, before
the next routine batch, and has concurrency slots of its own, so a climb never waits for a
slot held by a prompt that waits at the pacer. A climb due while a fan-out is being sent waits
at most for the routine batch in flight (``batch_size`` prompts at the platform's rate).

**Several processes.** Any number of workers (one per ``peerbot run``) may share a PostgreSQL
database: a claim takes rows with ``FOR UPDATE SKIP LOCKED`` under a lease in the worker's
name, so two workers never hold one row; while a tick works, a heartbeat renews the worker's
leases every third of the lease (a batch paced out over minutes keeps its rows), and every
completion (``advance_due``, the batch's ``finish_due_batch``) happens only while the row is
still leased to this worker. A worker that dies stops renewing: its rows come back to the
others when the lease runs out, with the duplicate window of :mod:`handlers.checkins.batch`.
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
from handlers.pacing import Lane, in_lane
from handlers.profile import speaking_to
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
        """``concurrency`` bounds the handlers and sends running at once in each lane, and so
        the duplicate window: a send keeps its slot until its ledger mark is written, so a
        crash can re-send at most ``concurrency`` messages of each lane of this worker (see
        :mod:`handlers.checkins.batch`).

        ``handlers`` (one row at a time) and ``batch_handlers`` (a claimed batch of one kind at
        once) default to what the program's capabilities register (``handlers.app``).
        """
        self.ctx = assemble(ctx)
        registry = self.ctx.capabilities
        self.handlers = dict(registry.due_handlers if handlers is None else handlers)
        self.batch_handlers = dict(
            registry.batch_handlers if batch_handlers is None else batch_handlers
        )
        kinds = tuple(dict.fromkeys((*self.handlers, *self.batch_handlers)))
        self._routine = tuple(k for k in kinds if k in registry.routine_kinds)
        self._urgent = tuple(k for k in kinds if k not in registry.routine_kinds)
        self.owner = owner or f"worker-{uuid.uuid4().hex[:12]}"
        self.lease = lease
        self.batch_size = batch_size
        self._limit = asyncio.Semaphore(concurrency)
        self._urgent_limit = asyncio.Semaphore(concurrency)
        self._running: asyncio.Task[object] | None = None
        self._draining = False
        self._claimed: set[tuple[str, str]] = set()
        """The rows claimed in the tick in progress: the ones its heartbeat renews."""

    async def tick(self) -> int:
        """Work through everything due now; returns how many rows were handled."""
        if self._draining:
            # Fired just before shutdown and started after it began: storage is closing.
            return 0
        self._running = asyncio.current_task()
        heartbeat = asyncio.create_task(self._renew_leases(), name="due-lease-heartbeat")
        try:
            return await self._work_due()
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
            self._claimed.clear()  # a row left leased (its work failed) now runs out: retried
            self._running = None

    async def _renew_leases(self) -> None:
        """Renew the leases of the rows this tick claimed, every third of the lease while it
        works, so rows it is still sending are not claimed by another worker; a failed renewal
        is retried at the next beat (the lease has two more thirds to run)."""
        every = self.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)  # real time: a lease is real time for other processes
            now = self.ctx.clock()
            try:
                await self.ctx.storage.renew_due_leases(
                    self.owner, sorted(self._claimed), now, now + self.lease
                )
            except Exception as exc:
                log.warning("renewing due leases failed: %s", describe_exception(exc))

    async def _work_due(self) -> int:
        handled = 0
        while True:
            now = self.ctx.clock()
            urgent = await self._claim(now, self._urgent)  # first, every round
            routine = await self._claim(now, self._routine)
            if not urgent and not routine:
                return handled
            await asyncio.gather(
                self._work_claimed(urgent, now, Lane.URGENT),
                self._work_claimed(routine, now, Lane.ROUTINE),
            )
            handled += len(urgent) + len(routine)
            if len(urgent) < self.batch_size and len(routine) < self.batch_size:
                return handled

    async def _claim(self, now: datetime, kinds: tuple[str, ...]) -> list[DueWork]:
        if not kinds:
            return []
        claimed = await self.ctx.storage.claim_due(
            now, owner=self.owner, lease_until=now + self.lease, limit=self.batch_size, kinds=kinds
        )
        self._claimed.update((row.kind, row.subject) for row in claimed)
        return claimed

    async def _work_claimed(self, claimed: list[DueWork], now: datetime, lane: Lane) -> None:
        """Work ``claimed`` rows with their sends in ``lane`` (tasks started here inherit it)."""
        batches: dict[str, list[DueWork]] = {}
        singles: list[DueWork] = []
        for row in claimed:
            if row.kind in self.batch_handlers:
                batches.setdefault(row.kind, []).append(row)
            else:
                singles.append(row)
        slots = self._urgent_limit if lane is Lane.URGENT else self._limit
        with in_lane(lane):
            await asyncio.gather(
                *(self._work_batch(kind, rows, now, slots) for kind, rows in batches.items()),
                *(self._work(row, now, slots) for row in singles),
            )

    async def _work(self, row: DueWork, now: datetime, slots: asyncio.Semaphore) -> None:
        async with slots:
            try:
                # What a row sends is, by default, for the person it is about; a handler
                # that writes to someone else (a mentor's ping) says so with speaking_to.
                async with speaking_to(self.ctx, row.person_id):
                    next_row = await self.handlers[row.kind](self.ctx, row, now)
            except Exception as exc:
                # The lease expires and the row is claimed again later: retried, not lost.
                log.error(
                    "due %s for %s failed: %s", row.kind, row.subject, describe_exception(exc)
                )
                return
            await self.ctx.storage.advance_due(row, next_row)

    async def _work_batch(
        self, kind: str, rows: list[DueWork], now: datetime, slots: asyncio.Semaphore
    ) -> None:
        try:
            await self.batch_handlers[kind](self.ctx, rows, now, slots)
        except Exception as exc:
            # Every row it did not finish stays leased: claimed again when the lease runs out.
            log.error("due %s batch of %d failed: %s", kind, len(rows), describe_exception(exc))

    async def drain(self) -> None:
        """Let a tick in progress finish (used on shutdown, so nothing in flight is lost); a
        tick that starts after this does nothing (APScheduler may have fired one whose task
        has not run yet)."""
        self._draining = True
        running = self._running
        if running is not None and not running.done():
            await asyncio.wait([running], timeout=30)
