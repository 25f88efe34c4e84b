"""The storage contract for the batch path of scheduled check-in prompts.

Mixed into a backend's contract class (see ``test_storage_sqlite.py``), which provides the
``store`` fixture.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from storage.base import Storage
from storage.checkins import Answer
from storage.deliveries import DeliveryStatus
from storage.due_queue import DueWork
from storage.people import Account, AccountAddress
from storage.prompt_batches import (
    DueOutcome,
    LedgerMark,
    MissToCount,
    PreparedPrompts,
    PromptKey,
    PromptToOpen,
)
from tests.support.storage_contract.core import NOW, make_person

DAY = date(2026, 11, 27)
DUE = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
KIND, MISS, SOURCE = "checkin", "missed-checkin", "scheduled"


async def _claimed(store: Storage, person_id: int, owner: str = "w") -> DueWork:
    await store.set_due(DueWork(KIND, str(person_id), DUE, DAY.isoformat(), person_id=person_id))
    [row] = [
        r
        for r in await store.claim_due(
            DUE, owner=owner, lease_until=DUE + timedelta(minutes=5), limit=100, kinds=(KIND,)
        )
        if r.subject == str(person_id)
    ]
    return row


async def _prepare(
    store: Storage,
    *,
    marks: tuple[LedgerMark, ...] = (),
    misses: tuple[MissToCount, ...] = (),
    prompts: tuple[PromptToOpen, ...] = (),
) -> PreparedPrompts:
    return await store.prepare_prompts(
        kind=KIND,
        miss_kind=MISS,
        marks=marks,
        misses=misses,
        prompts=prompts,
        source=SOURCE,
        flow="ck",
        step="mood",
        now=NOW,
    )


class PromptBatchContract:
    async def test_facts_for_a_batch(self, store: Storage) -> None:
        sam = await make_person(store, "1")
        kit = await make_person(store, "2")
        await store.update_settings(sam, timezone="America/Denver", checkin_time="20:00")
        request = await store.request_link(
            await _link(store, sam),
            Account(AccountAddress("discord", "d1"), 0, "dm1"),
            now=NOW + timedelta(minutes=1),
            expires_at=NOW + timedelta(days=1),
        )
        await store.answer_link_request(request.id, accept=True, now=NOW + timedelta(minutes=1))
        # Sam: a scheduled check-in two days ago never answered, one completed yesterday
        # on demand, and today's prompt already sent.
        await store.open_checkin(sam, DAY - timedelta(days=2), "scheduled", NOW)
        done = await store.open_checkin(sam, DAY - timedelta(days=1), "on_demand", NOW)
        await store.record_answer(done.id, Answer("mood", number=4), NOW)
        await store.complete_checkin(done.id, NOW)
        await store.finish_delivery(KIND, str(sam), DAY.isoformat(), DeliveryStatus.SENT, NOW)
        await store.begin_delivery(MISS, str(sam), "2026-11-25", sam, NOW)
        # Kit: completed today already.
        today = await store.open_checkin(kit, DAY, "on_demand", NOW)
        await store.complete_checkin(today.id, NOW)
        keys = [PromptKey(sam, str(sam), DAY), PromptKey(kit, str(kit), DAY)]
        keys.append(PromptKey(9999, "9999", DAY))  # gone: absent from the answer
        facts = await store.prompt_batch_facts(keys, kind=KIND, miss_kind=MISS, source=SOURCE)
        assert set(facts) == {str(sam), str(kit)}
        s = facts[str(sam)]
        assert s.person == await store.get_person(sam)
        assert s.settings == await store.get_settings(sam)
        assert list(s.accounts) == await store.accounts_of(sam)
        assert [a.address.platform for a in s.accounts] == ["telegram", "discord"]
        assert s.status is DeliveryStatus.SENT and not s.completed and s.miss_status is None
        assert s.previous_day == DAY - timedelta(days=2)  # the latest *scheduled* one
        assert not s.previous_completed
        assert s.previous_miss_status is DeliveryStatus.PENDING
        k = facts[str(kit)]
        assert k.completed and k.status is None and k.previous_day is None
        assert not k.previous_completed and k.previous_miss_status is None
        assert await store.prompt_batch_facts([], kind=KIND, miss_kind=MISS, source=SOURCE) == {}

    async def test_prepare_opens_checkins_before_any_send(self, store: Storage) -> None:
        sam = await make_person(store, "1")
        kit = await make_person(store, "2")
        older = await store.open_checkin(sam, DAY - timedelta(days=1), "scheduled", NOW)
        row_sam = await _claimed(store, sam)
        row_kit = await _claimed(store, kit)
        await store.finish_delivery(KIND, str(kit), DAY.isoformat(), DeliveryStatus.SENT, NOW)
        sam_address = AccountAddress("telegram", "1")
        prepared = await store.prepare_prompts(
            kind=KIND,
            miss_kind=MISS,
            marks=(),
            misses=(),
            prompts=(
                PromptToOpen(row_sam, sam_address, DAY),
                PromptToOpen(row_kit, AccountAddress("telegram", "2"), DAY),
            ),
            source=SOURCE,
            flow="ck",
            step="mood",
            now=NOW,
        )
        # Kit's prompt was settled already: nothing opened, not to be sent.
        assert set(prepared.checkin_ids) == {str(sam)}
        assert await store.delivery_status(KIND, str(sam), DAY.isoformat()) is (
            DeliveryStatus.PENDING
        )
        assert await store.delivery_status(KIND, str(kit), DAY.isoformat()) is (DeliveryStatus.SENT)
        opened = await store.get_checkin(prepared.checkin_ids[str(sam)])
        assert opened is not None and opened.open
        assert (opened.person_id, opened.local_date, opened.source) == (sam, DAY, SOURCE)
        closed = await store.get_checkin(older.id)
        assert closed is not None and not closed.open
        state = await store.load_conversation(sam_address)
        assert state is not None and (state.flow, state.step) == ("ck", "mood")
        assert state.data == {"checkin_id": opened.id}
        assert await store.load_conversation(AccountAddress("telegram", "2")) is None
        # Again (a retry after a transient failure): one more attempt, a new check-in.
        again = await _prepare(store, prompts=(PromptToOpen(row_sam, sam_address, DAY),))
        assert again.checkin_ids[str(sam)] != opened.id

    async def test_prepare_skips_rows_no_longer_leased_to_the_claimant(
        self, store: Storage
    ) -> None:
        sam = await make_person(store, "1")
        row = await _claimed(store, sam, owner="first")
        # The person moved their time: the row lost its lease.
        await store.set_due(DueWork(KIND, str(sam), DUE, DAY.isoformat(), person_id=sam))
        prepared = await _prepare(
            store, prompts=(PromptToOpen(row, AccountAddress("telegram", "1"), DAY),)
        )
        assert prepared.checkin_ids == {}
        assert await store.delivery_status(KIND, str(sam), DAY.isoformat()) is None
        assert await store.latest_checkin(sam) is None

    async def test_marks_never_overwrite_a_final_status(self, store: Storage) -> None:
        sam = await make_person(store, "1")
        kit = await make_person(store, "2")
        await store.finish_delivery(KIND, str(sam), DAY.isoformat(), DeliveryStatus.SENT, NOW)
        await store.begin_delivery(KIND, str(kit), DAY.isoformat(), kit, NOW)
        await _prepare(
            store,
            marks=(
                LedgerMark(KIND, str(sam), DAY.isoformat(), sam, DeliveryStatus.SKIPPED, "x"),
                LedgerMark(KIND, str(kit), DAY.isoformat(), kit, DeliveryStatus.MISSED, "late"),
            ),
        )
        assert await store.delivery_status(KIND, str(sam), DAY.isoformat()) is (DeliveryStatus.SENT)
        assert await store.delivery_status(KIND, str(kit), DAY.isoformat()) is (
            DeliveryStatus.MISSED
        )

    async def test_each_miss_is_counted_once(self, store: Storage) -> None:
        sam = await make_person(store, "1")
        kit = await make_person(store, "2")
        misses = (
            MissToCount(sam, str(sam), DAY - timedelta(days=1)),
            MissToCount(sam, str(sam), DAY),
            MissToCount(kit, str(kit), DAY),
        )
        first = await _prepare(store, misses=misses)
        assert list(first.newly_counted) == list(misses)
        assert first.miss_counts == {sam: 2, kit: 1}
        assert await store.delivery_status(MISS, str(sam), DAY.isoformat()) is (
            DeliveryStatus.PENDING
        )
        again = await _prepare(store, misses=misses[1:])
        assert list(again.newly_counted) == []
        assert again.miss_counts == {sam: 2, kit: 1}
        assert (await store.get_settings(sam)).consecutive_misses == 2

    async def test_finish_marks_reminds_and_advances_only_rows_still_ours(
        self, store: Storage
    ) -> None:
        sent, blocked, moved, flaky = [await make_person(store, str(n)) for n in range(4)]
        rows = {p: await _claimed(store, p) for p in (sent, blocked, moved, flaky)}
        for p in rows:
            await store.begin_delivery(KIND, str(p), DAY.isoformat(), p, NOW)
        # Moved their time after the claim: the row is no longer the claimed one.
        await store.set_due(
            DueWork(KIND, str(moved), DUE + timedelta(hours=1), DAY.isoformat(), person_id=moved)
        )
        tomorrow = DueWork(KIND, str(sent), DUE + timedelta(days=1), "2026-11-28", person_id=sent)
        reminder = DueWork("reminder", str(sent), DUE + timedelta(hours=3), DAY.isoformat(), sent)
        until = datetime(9999, 12, 31, tzinfo=UTC)
        await store.finish_due_batch(
            [
                DueOutcome(
                    rows[sent],
                    tomorrow,
                    marks=(
                        LedgerMark(KIND, str(sent), DAY.isoformat(), sent, DeliveryStatus.SENT),
                    ),
                    reminder=reminder,
                ),
                DueOutcome(
                    rows[blocked],
                    None,
                    marks=(
                        LedgerMark(
                            KIND, str(blocked), DAY.isoformat(), blocked, DeliveryStatus.FAILED, "b"
                        ),
                    ),
                    paused_until=until,
                    paused_reason="blocked",
                ),
                DueOutcome(rows[moved], None),
                DueOutcome(rows[flaky], None, advance=False),
            ],
            NOW,
        )
        assert await store.delivery_status(KIND, str(sent), DAY.isoformat()) is (
            DeliveryStatus.SENT
        )
        next_row = await store.get_due(KIND, str(sent))
        assert next_row is not None and (next_row.due_at, next_row.occurrence) == (
            tomorrow.due_at,
            tomorrow.occurrence,
        )
        assert next_row.lease_owner is None
        assert await store.get_due("reminder", str(sent)) == reminder
        assert await store.delivery_status(KIND, str(blocked), DAY.isoformat()) is (
            DeliveryStatus.FAILED
        )
        settings = await store.get_settings(blocked)
        assert (settings.paused_until, settings.paused_reason) == (until, "blocked")
        assert await store.get_due(KIND, str(blocked)) is None
        kept = await store.get_due(KIND, str(moved))
        assert kept is not None and kept.due_at == DUE + timedelta(hours=1)
        still = await store.get_due(KIND, str(flaky))
        assert still is not None and still.lease_owner == "w"
        assert await store.delivery_status(KIND, str(flaky), DAY.isoformat()) is (
            DeliveryStatus.PENDING
        )
        await store.finish_due_batch([], NOW)  # nothing to write


async def _link(store: Storage, person_id: int) -> str:
    code = f"link-{person_id}"
    await store.create_link_code(
        code,
        person_id,
        made_by=AccountAddress("telegram", str(person_id)),
        now=NOW,
        expires_at=NOW + timedelta(hours=2),
    )
    return code
