"""The due worker keeps what it claimed while the work runs, and only while it runs.

Two workers (two processes) on one database of each backend, on the real clock, with a lease
far shorter than the work: the heartbeat renews the working worker's leases, so the other
claims nothing meanwhile; once the work is done the row is completed by its owner. A row
whose work failed is not renewed after its tick, so it comes back to the other worker.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from handlers.app import assemble
from handlers.context import Context, DueHandler
from scheduling.due import DueWorker
from storage.base import Storage
from storage.due_queue import DueWork

pytestmark = pytest.mark.backends("sqlite", "postgres")

LEASE = timedelta(milliseconds=600)


def worker(storage: Storage, owner: str, handler: DueHandler) -> DueWorker:
    ctx = assemble(Context(storage=storage))  # the real clock: leases are real time
    return DueWorker(ctx, {"slow": handler}, owner=owner, lease=LEASE, batch_handlers={})


async def test_a_lease_is_renewed_while_the_work_runs_and_the_row_stays_its_own(
    storage: Storage,
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(ctx: Context, row: DueWork, now: datetime) -> DueWork | None:
        started.set()
        await release.wait()
        return None

    async def never(ctx: Context, row: DueWork, now: datetime) -> DueWork | None:
        raise AssertionError("the other worker must not get the row")

    await storage.set_due(DueWork("slow", "s1", datetime.now(UTC), "d"))
    working = asyncio.create_task(worker(storage, "a", slow).tick())
    await started.wait()
    other = worker(storage, "b", never)
    for _ in range(4):  # 4 x 0.5 s: past the first lease several times over
        await asyncio.sleep(0.5)
        assert await other.tick() == 0
        row = await storage.get_due("slow", "s1")
        assert row is not None and row.lease_owner == "a"
    release.set()
    assert await working == 1
    assert await storage.get_due("slow", "s1") is None  # completed by its owner


async def test_a_row_whose_work_failed_is_not_kept_after_its_tick(storage: Storage) -> None:
    async def failing(ctx: Context, row: DueWork, now: datetime) -> DueWork | None:
        raise RuntimeError("a platform outage")

    done: list[str] = []

    async def succeeding(ctx: Context, row: DueWork, now: datetime) -> DueWork | None:
        done.append(row.subject)
        return None

    await storage.set_due(DueWork("slow", "s1", datetime.now(UTC), "d"))
    first = worker(storage, "a", failing)
    assert await first.tick() == 1  # handled, failed, left leased
    other = worker(storage, "b", succeeding)
    assert await other.tick() == 0  # still "a"'s for the rest of its lease
    await asyncio.sleep(LEASE.total_seconds() + 0.2)
    assert await other.tick() == 1
    assert done == ["s1"]
