"""The contract of what lets several processes share a database: lease renewal on the due
queue, singleton job runs, named leases and people's turns (``storage.coordination``)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage.base import Storage
from storage.due_queue import DueWork
from tests.support.storage_contract.core import NOW

LEASE = timedelta(minutes=5)


class CoordinationContract:
    async def test_a_renewed_lease_keeps_the_row_from_other_workers(self, store: Storage) -> None:
        for subject in ("p1", "p2"):
            await store.set_due(DueWork("checkin", subject, NOW, "d"))
        claimed = await store.claim_due(
            NOW, owner="a", lease_until=NOW + LEASE, limit=5, kinds=("checkin",)
        )
        mine = {w.subject: w for w in claimed}
        assert sorted(mine) == ["p1", "p2"]
        # Four minutes on, "a" renews only p1 (the work it still has in hand).
        beat = NOW + timedelta(minutes=4)
        assert await store.renew_due_leases("a", [("checkin", "p1")], beat, beat + LEASE) == 1
        # Past the first lease: p2 is free for "b", p1 is still "a"'s.
        later = NOW + timedelta(minutes=6)
        taken = await store.claim_due(
            later, owner="b", lease_until=later + LEASE, limit=5, kinds=("checkin",)
        )
        assert [w.subject for w in taken] == ["p2"]
        # "a" cannot renew what "b" holds now, nor a lease that has already run out.
        assert await store.renew_due_leases("a", [("checkin", "p2")], later, later + LEASE) == 0
        gone = NOW + timedelta(minutes=20)
        assert await store.renew_due_leases("a", [("checkin", "p1")], gone, gone + LEASE) == 0
        # The renewing owner still completes its row; the other owner's stays.
        assert await store.advance_due(mine["p1"], None)
        assert not await store.advance_due(mine["p2"], None)
        assert await store.get_due("checkin", "p2") is not None
        assert await store.renew_due_leases("a", [], NOW, NOW + LEASE) == 0

    async def test_a_job_runs_once_per_period_whoever_claims(self, store: Storage) -> None:
        claims = await asyncio.gather(
            *(store.claim_job_run("purge", "2026-11-27", f"proc-{n}", NOW) for n in range(4))
        )
        assert sorted(claims) == [False, False, False, True]
        assert not await store.claim_job_run("purge", "2026-11-27", "proc-9", NOW)
        assert await store.claim_job_run("purge", "2026-11-28", "proc-9", NOW)
        assert await store.claim_job_run("other", "2026-11-27", "proc-9", NOW)

    async def test_a_lease_is_held_renewed_refused_and_taken_over(self, store: Storage) -> None:
        until = NOW + timedelta(minutes=1)
        assert await store.hold_lease("telegram-polling", "a", NOW, until) is None
        assert await store.hold_lease("telegram-polling", "b", NOW, until) == "a"
        later = NOW + timedelta(seconds=50)
        assert await store.hold_lease("telegram-polling", "a", later, later + LEASE) is None
        assert await store.hold_lease("telegram-polling", "b", NOW + LEASE, until) == "a"
        # "a" stopped renewing (it died): once its lease runs out, "b" takes it.
        expired = later + LEASE
        assert await store.hold_lease("telegram-polling", "b", expired, expired + LEASE) is None
        assert await store.hold_lease("telegram-polling", "a", expired, expired + LEASE) == "b"
        # Released, it is free at once; releasing someone else's lease does nothing.
        await store.release_lease("telegram-polling", "a")
        assert await store.hold_lease("telegram-polling", "a", expired, expired + LEASE) == "b"
        await store.release_lease("telegram-polling", "b")
        assert await store.hold_lease("telegram-polling", "a", expired, expired + LEASE) is None

    async def test_a_persons_turn_can_be_taken_again_after_it_ends(self, store: Storage) -> None:
        order: list[str] = []
        async with store.person_turn("telegram:42"):
            order.append("first")
        async with store.person_turn("telegram:42"), store.person_turn("telegram:43"):
            order.append("second")
        assert order == ["first", "second"]
