"""The due queue, the delivery ledger and the sender, on a fake clock (no sleeps)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from handlers.account.settings import MENU, MenuPress
from handlers.app import assemble
from handlers.checkins.schedule import after_schedule_change
from handlers.context import Context
from handlers.messaging import (
    ConversationRef,
    DeliveryError,
    DeliveryFailure,
    Messengers,
    OutgoingMessage,
    SentRef,
)
from handlers.program import ProgramSettings
from scheduling.due import DueWorker
from storage.deliveries import DeliveryStatus
from storage.people import Account, AccountAddress, Role
from storage.sqlite import SqliteStorage
from tests.support import Chat, FakeClock, RecordingMessenger, onboard

# 2026-11-27 in Denver is MST (UTC-7): 20:00 local is 03:00 UTC the next day.
FIRST_DUE = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


async def add_people(
    ctx: Context, count: int, *, zone: str = "America/Denver", at: str = "20:00"
) -> list[int]:
    ids = []
    for n in range(count):
        account = Account(AccountAddress("test", f"u{n}"), person_id=0, chat_id=f"u{n}")
        person = await ctx.storage.create_person(
            account, role=Role.MENTEE, consented_at=ctx.clock(), display_name=f"P{n}"
        )
        await ctx.storage.update_settings(person.id, timezone=zone, checkin_time=at)
        await ctx.storage.mark_onboarded(person.id, ctx.clock())
        await after_schedule_change(ctx, person.id)
        ids.append(person.id)
    return ids


async def test_scheduled_prompt_is_sent_once_and_advanced(
    ctx: Context,
    chat: Chat,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
) -> None:
    await onboard(chat, zone="Denver", at="8pm")
    person = await storage.person_for_account(AccountAddress("test", "1001"))
    assert person is not None
    row = await storage.get_due("checkin", str(person.id))
    assert row is not None and row.due_at == FIRST_DUE and row.occurrence == "2026-11-27"
    worker = DueWorker(ctx)
    messenger.clear()
    assert await worker.tick() == 0  # not due yet
    clock.set(FIRST_DUE + timedelta(seconds=20))
    await worker.tick()
    prompt = messenger.last("1001")
    assert "time for your daily check-in" in prompt.text and prompt.buttons
    await worker.tick()
    assert len(messenger.sent) == 1  # a second tick sends nothing more
    row = await storage.get_due("checkin", str(person.id))
    assert row is not None and row.due_at == FIRST_DUE + timedelta(days=1)
    assert await storage.delivery_status("checkin", str(person.id), "2026-11-27") is (
        DeliveryStatus.SENT
    )
    # The reminder comes 3 h later, 23:00 local, inside quiet hours: held until 07:00 local.
    reminder = await storage.get_due("reminder", str(person.id))
    assert reminder is not None
    assert reminder.due_at == datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
    # The person answers with the prompt's buttons: the state was set for them.
    await chat.press(prompt.buttons[2].payload)
    clock.set(reminder.due_at + timedelta(seconds=5))
    await worker.tick()
    assert "gentle nudge" in messenger.last("1001").text  # not finished, so nudged once
    await worker.tick()
    assert sum("gentle nudge" in m.text for m in messenger.to("1001")) == 1


async def test_reminder_skipped_when_answered(
    ctx: Context, chat: Chat, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    await onboard(chat)
    worker = DueWorker(ctx)
    clock.set(FIRST_DUE)
    await worker.tick()
    await chat.say("4")
    await chat.say("1")
    await chat.say("no")
    await chat.press_label("Skip")
    messenger.clear()
    clock.advance(hours=12)
    await worker.tick()
    assert messenger.sent == []


async def test_too_late_is_recorded_as_missed_not_sent(
    ctx: Context, clock: FakeClock, messenger: RecordingMessenger, storage: SqliteStorage
) -> None:
    [pid] = await add_people(ctx, 1)
    clock.set(FIRST_DUE + timedelta(hours=2, minutes=1))  # beyond max_lateness
    await DueWorker(ctx).tick()
    assert messenger.sent == []
    assert await storage.delivery_status("checkin", str(pid), "2026-11-27") is DeliveryStatus.MISSED
    assert (await storage.get_settings(pid)).consecutive_misses == 1
    row = await storage.get_due("checkin", str(pid))
    assert row is not None and row.occurrence == "2026-11-28"


async def test_consecutive_misses_are_counted_once_each(
    ctx: Context, clock: FakeClock, storage: SqliteStorage
) -> None:
    [pid] = await add_people(ctx, 1)
    worker = DueWorker(ctx)
    for day in range(4):
        clock.set(FIRST_DUE + timedelta(days=day, seconds=1))
        await worker.tick()
        await worker.tick()
    # Three prompted days went unanswered before the fourth prompt.
    assert (await storage.get_settings(pid)).consecutive_misses == 3


class CrashingMessenger(RecordingMessenger):
    """Records every send; after ``crash_after`` sends, the process 'dies' (cancels the tick)."""

    def __init__(self, crash_after: int) -> None:
        super().__init__("test")
        self.crash_after = crash_after
        self.tick_task: asyncio.Task[object] | None = None

    async def send(self, ref: ConversationRef, message: OutgoingMessage) -> SentRef:
        sent = await super().send(ref, message)
        await asyncio.sleep(0)  # let other sends interleave, as real network I/O would
        if len(self.sent) == self.crash_after and self.tick_task is not None:
            self.tick_task.cancel()
        return sent


async def test_restart_mid_fanout_sends_each_prompt_once(tmp_path: Path, clock: FakeClock) -> None:
    storage = SqliteStorage(tmp_path / "fanout.db")
    await storage.open()
    crashing = CrashingMessenger(crash_after=400)
    ctx = assemble(Context(storage, ProgramSettings(), Messengers({"test": crashing}), clock))
    await add_people(ctx, 1000)
    clock.set(FIRST_DUE + timedelta(seconds=10))
    concurrency = 16
    first = DueWorker(ctx, owner="first", concurrency=concurrency)
    crashing.tick_task = asyncio.ensure_future(first.tick())
    await asyncio.gather(crashing.tick_task, return_exceptions=True)
    assert 400 <= len(crashing.sent) < 1000  # it died in the middle

    # A new process on the same file, once the dead one's leases have run out.
    pending_at_crash = await _pending(storage)
    crashing.tick_task = None
    clock.advance(minutes=6)
    second = DueWorker(ctx, owner="second", concurrency=concurrency)
    await second.tick()
    per_person: dict[str, int] = {}
    for ref, _ in crashing.sent:
        per_person[ref.chat_id] = per_person.get(ref.chat_id, 0) + 1
    assert len(per_person) == 1000  # nobody skipped
    duplicates = {chat for chat, n in per_person.items() if n > 1}
    assert all(per_person[c] == 2 for c in duplicates)
    # Only prompts in the documented window (sent, but not yet marked) went out twice.
    assert duplicates <= pending_at_crash
    assert len(duplicates) <= concurrency
    await storage.close()


async def _pending(storage: SqliteStorage) -> set[str]:
    rows = await storage.db.fetchall(
        "SELECT a.chat_id FROM deliveries d JOIN accounts a ON a.person_id = d.person_id"
        " WHERE d.kind = 'checkin' AND d.status = 'pending'"
    )
    return {row["chat_id"] for row in rows}


async def test_two_dispatchers_on_one_file_never_claim_the_same_row(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "shared.db"
    first_store, second_store = SqliteStorage(path), SqliteStorage(path)
    await first_store.open()
    await second_store.open()
    messenger = RecordingMessenger("test")
    ctx_a = assemble(
        Context(first_store, ProgramSettings(), Messengers({"test": messenger}), clock)
    )
    ctx_b = assemble(
        Context(second_store, ProgramSettings(), Messengers({"test": messenger}), clock)
    )
    await add_people(ctx_a, 300)
    clock.set(FIRST_DUE + timedelta(seconds=5))
    a = DueWorker(ctx_a, owner="a", batch_size=25)
    b = DueWorker(ctx_b, owner="b", batch_size=25)
    await asyncio.gather(a.tick(), b.tick(), a.tick(), b.tick())
    chats = [ref.chat_id for ref, _ in messenger.sent]
    assert len(chats) == 300 and len(set(chats)) == 300
    await first_store.close()
    await second_store.close()


class FlakyMessenger(RecordingMessenger):
    def __init__(self, errors: list[DeliveryError]) -> None:
        super().__init__("test")
        self.failures = errors


async def test_429_is_retried_after_retry_after(storage: SqliteStorage, clock: FakeClock) -> None:
    flaky = FlakyMessenger(
        [
            DeliveryError(DeliveryFailure.RATE_LIMITED, retry_after=7),
            DeliveryError(DeliveryFailure.TIMEOUT),
        ]
    )
    ctx = assemble(
        Context(storage, ProgramSettings(), Messengers({"test": flaky}), clock, clock.sleep)
    )
    [pid] = await add_people(ctx, 1)
    clock.set(FIRST_DUE)
    await DueWorker(ctx).tick()
    assert clock.slept == [7, 2.0]
    assert len(flaky.sent) == 1
    assert await storage.delivery_status("checkin", str(pid), "2026-11-27") is DeliveryStatus.SENT


async def test_network_outage_keeps_the_prompt_for_later(
    storage: SqliteStorage, clock: FakeClock
) -> None:
    async def no_sleep(seconds: float) -> None:
        return None

    flaky = FlakyMessenger([DeliveryError(DeliveryFailure.NETWORK)] * 4)
    ctx = assemble(
        Context(storage, ProgramSettings(), Messengers({"test": flaky}), clock, no_sleep)
    )
    [pid] = await add_people(ctx, 1)
    clock.set(FIRST_DUE)
    worker = DueWorker(ctx)
    await worker.tick()
    assert flaky.sent == []
    assert await storage.delivery_status("checkin", str(pid), "2026-11-27") is (
        DeliveryStatus.PENDING
    )
    clock.advance(minutes=6)  # the lease ran out; the network is back
    await worker.tick()
    assert len(flaky.sent) == 1


async def test_blocked_bot_pauses_the_person(storage: SqliteStorage, clock: FakeClock) -> None:
    flaky = FlakyMessenger(
        [DeliveryError(DeliveryFailure.BLOCKED, "bot was blocked by the user", permanent=True)]
    )
    ctx = assemble(Context(storage, ProgramSettings(), Messengers({"test": flaky}), clock))
    [pid] = await add_people(ctx, 1)
    clock.set(FIRST_DUE)
    await DueWorker(ctx).tick()
    settings = await storage.get_settings(pid)
    assert settings.paused_reason == "bot was blocked by the user"
    assert await storage.get_due("checkin", str(pid)) is None
    assert await storage.delivery_status("checkin", str(pid), "2026-11-27") is (
        DeliveryStatus.FAILED
    )


async def test_pause_resume_and_new_time_move_the_row(
    chat: Chat, storage: SqliteStorage, clock: FakeClock
) -> None:
    await onboard(chat)
    pid = (await storage.person_for_account(AccountAddress("test", "1001"))).id  # type: ignore[union-attr]
    reply = await chat.command("pause", "until", "2026-12-05")
    assert "paused until" in reply[0].text
    row = await storage.get_due("checkin", str(pid))
    assert row is not None and row.occurrence == "2026-12-05"
    await chat.command("resume")
    row = await storage.get_due("checkin", str(pid))
    assert row is not None and row.occurrence == "2026-11-27"
    await chat.command("pause")
    assert await storage.get_due("checkin", str(pid)) is None
    await chat.command("resume")
    await chat.command("settings")
    await chat.press(MENU.encode(MenuPress("time")))
    await chat.say("7am")
    row = await storage.get_due("checkin", str(pid))
    assert row is not None and row.due_at == datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
    await chat.command("stop")
    assert await storage.get_due("checkin", str(pid)) is None
    await chat.command("start")
    assert await storage.get_due("checkin", str(pid)) is not None


async def test_zone_gone_from_tzdata_is_not_scheduled(ctx: Context, storage: SqliteStorage) -> None:
    [pid] = await add_people(ctx, 1)
    await storage.update_settings(pid, timezone="Mars/Olympus_Mons")
    assert await after_schedule_change(ctx, pid) is None
    assert await storage.get_due("checkin", str(pid)) is None


async def test_changing_zone_moves_the_prompt(ctx: Context, storage: SqliteStorage) -> None:
    [pid] = await add_people(ctx, 1)
    await storage.update_settings(pid, timezone="Asia/Kolkata")
    row = await after_schedule_change(ctx, pid)
    # 20:00 in Kolkata (UTC+5:30) on 2026-11-27 is 14:30 UTC, before the clock's 15:00: next day.
    assert row is not None and row.due_at == datetime(2026, 11, 28, 14, 30, tzinfo=UTC)
