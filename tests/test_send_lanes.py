"""Urgent before scheduled, end to end: the due worker runs routine kinds in the routine lane,
a ping raised in the middle of a paced fan-out goes before the prompts still waiting, every
prompt goes exactly once; and big programs: ``[checkin] spread`` staggers a same-minute group,
the start warns with figures when the rate cannot carry it within ``max_lateness``."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from handlers.app import assemble
from handlers.checkins.fanout import lateness_warning, worst_backlog
from handlers.checkins.schedule import after_schedule_change, spread_offset
from handlers.context import Context
from handlers.mentoring.escalation import raise_alert
from handlers.messaging import (
    Capabilities,
    ConversationRef,
    Messengers,
    OutgoingMessage,
    SentRef,
)
from handlers.pacing import Budget, Lane, SendPacer, current_lane
from handlers.program import CheckinSettings, ProgramSettings
from scheduling.due import DueWorker
from storage.deliveries import DeliveryStatus
from storage.due_queue import DueWork
from storage.mentoring import Trigger
from storage.people import Account, AccountAddress, Role
from storage.sqlite import SqliteStorage
from tests.support import FakeClock
from tests.support.clock import SteppedClock

FIRST_DUE = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 20:00 in Denver


class PacedMessenger:
    """A platform with a budget: sends wait in a :class:`SendPacer` on a stepped clock."""

    platform = "test"
    capabilities = Capabilities()

    def __init__(self, clock: SteppedClock, budget: Budget) -> None:
        self.clock = clock
        self.pacer = SendPacer(budget, clock=clock, sleep=clock.sleep)
        self.sent: list[tuple[float, str, Lane, str]] = []

    async def send(self, ref: ConversationRef, message: OutgoingMessage) -> SentRef:
        async with self.pacer.slot(ref.chat_id, Budget(1, 1.0)):
            self.sent.append((self.clock(), ref.chat_id, current_lane(), message.text))
        return SentRef(ref, str(len(self.sent)))


async def add_person(ctx: Context, name: str, role: Role = Role.MENTEE, at: str = "20:00") -> int:
    account = Account(AccountAddress("test", name), person_id=0, chat_id=name)
    person = await ctx.storage.create_person(
        account, role=role, consented_at=ctx.clock(), display_name=name
    )
    await ctx.storage.update_settings(person.id, timezone="America/Denver", checkin_time=at)
    await ctx.storage.mark_onboarded(person.id, ctx.clock())
    await after_schedule_change(ctx, person.id)
    return person.id


async def test_a_ping_raised_mid_fanout_overtakes_the_waiting_prompts(
    tmp_path: Path, clock: FakeClock
) -> None:
    storage = SqliteStorage(tmp_path / "lanes.db")
    await storage.open()
    steps = SteppedClock()
    platform = PacedMessenger(steps, Budget(10, 1.0))
    ctx = assemble(Context(storage, ProgramSettings(), Messengers({"test": platform}), clock))
    mentees = [await add_person(ctx, f"m{n}") for n in range(60)]
    await add_person(ctx, "coordinator", Role.COORDINATOR)  # no mentor: coordinators hear it
    clock.set(FIRST_DUE + timedelta(seconds=10))
    platform.sent.clear()

    fanout = asyncio.create_task(DueWorker(ctx).tick())
    await steps.run_until(2.5)
    assert 20 <= len(platform.sent) <= 30  # 10 a second: the fan-out is under way
    assert {lane for _, _, lane, _ in platform.sent} == {Lane.ROUTINE}
    raised_at = steps()
    sos = asyncio.create_task(raise_alert(ctx, mentees[-1], Trigger.SOS))
    await steps.run_until(30)
    await asyncio.gather(fanout, sos)

    pings = [(t, chat) for t, chat, lane, _ in platform.sent if lane is Lane.URGENT]
    assert len(pings) == 1 and pings[0][1] == "coordinator"
    assert pings[0][0] <= raised_at + 1.0  # the next free place, not after 30 prompts
    after = [chat for t, chat, _, _ in platform.sent if t > pings[0][0]]
    assert len(after) >= 20  # prompts that were waiting went after it
    prompts = Counter(chat for _, chat, lane, _ in platform.sent if lane is Lane.ROUTINE)
    everyone = [*(f"m{n}" for n in range(60)), "coordinator"]  # who has a daily prompt too
    assert prompts == Counter(everyone)  # each exactly once
    for person_id in mentees:
        row = await storage.get_due("checkin", str(person_id))
        assert row is not None and row.due_at > FIRST_DUE  # advanced to the next day
    assert await storage.delivery_status("checkin", str(mentees[0]), "2026-11-27") is (
        DeliveryStatus.SENT
    )
    await storage.close()


async def test_routine_kinds_run_in_the_routine_lane_urgent_ones_first(
    tmp_path: Path, clock: FakeClock
) -> None:
    storage = SqliteStorage(tmp_path / "kinds.db")
    await storage.open()
    ctx = assemble(Context(storage, ProgramSettings(), Messengers(), clock))
    seen: list[tuple[str, Lane]] = []

    async def record(ctx: Context, row: DueWork, now: datetime) -> None:
        seen.append((row.kind, current_lane()))

    registry = ctx.capabilities
    routine = {"checkin", "reminder", "goal_review", "circle_reminder", "training-expiry"}
    assert routine <= registry.routine_kinds
    assert not {"escalation", "checkin_alert"} & registry.routine_kinds
    kinds = ("reminder", "escalation", "goal_review", "checkin_alert", "training-expiry")
    for kind in kinds:
        await storage.set_due(DueWork(kind, "1", clock() - timedelta(minutes=1), "d"))
    handlers = {k: record for k in kinds}
    await DueWorker(ctx, handlers, batch_handlers={}).tick()
    assert sorted(seen) == [
        ("checkin_alert", Lane.URGENT),
        ("escalation", Lane.URGENT),
        ("goal_review", Lane.ROUTINE),
        ("reminder", Lane.ROUTINE),
        ("training-expiry", Lane.ROUTINE),
    ]
    assert {kind for kind, _ in seen[:2]} == {"checkin_alert", "escalation"}  # claimed first
    await storage.close()


async def test_spread_staggers_a_same_minute_group_and_keeps_each_day(
    tmp_path: Path, clock: FakeClock
) -> None:
    storage = SqliteStorage(tmp_path / "spread.db")
    await storage.open()
    program = ProgramSettings(checkin=CheckinSettings(spread=timedelta(minutes=10)))
    ctx = assemble(Context(storage, program, Messengers(), clock))
    people = [await add_person(ctx, f"s{n}") for n in range(50)]
    rows = [await storage.get_due("checkin", str(p)) for p in people]
    due = [row.due_at for row in rows if row is not None]
    assert len(due) == 50 and all(FIRST_DUE <= d < FIRST_DUE + timedelta(minutes=10) for d in due)
    assert len({d.replace(second=0) for d in due}) == 10  # every minute of the window used
    assert {row.occurrence for row in rows if row is not None} == {"2026-11-27"}
    per_minute = await storage.due_per_minute("checkin")
    assert max(count for _, count in per_minute) <= 8  # not 50 in one minute
    # After a prompt, the next one is the next day at the same place in the window.
    clock.set(due[0] + timedelta(seconds=1))
    await after_schedule_change(ctx, people[0])
    again = await storage.get_due("checkin", str(people[0]))
    assert again is not None and again.due_at == due[0] + timedelta(days=1)
    assert again.occurrence == "2026-11-28"
    assert spread_offset(7, timedelta(0)) == timedelta(0)
    await storage.close()


def test_the_backlog_of_a_same_minute_group_at_a_rate() -> None:
    minute = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    # 10,000 people at 29.4/s: the last goes out ~5.7 minutes late.
    backlog = worst_backlog([(minute, 10_000)], 29.4, timedelta(hours=2))
    assert backlog is not None and backlog.late == 0
    assert backlog.lateness.total_seconds() == pytest.approx(10_000 / 29.4)
    # With max_lateness 5 minutes, those beyond 5 min (8,820 go in time) are late.
    tight = worst_backlog([(minute, 10_000)], 29.4, timedelta(minutes=5))
    assert tight is not None and tight.late == 10_000 - 8_820
    # Two groups a minute apart: the second waits for the first.
    two = worst_backlog(
        [(minute, 3000), (minute + timedelta(minutes=1), 3000)], 30, timedelta(hours=2)
    )
    assert two is not None and two.minute == minute + timedelta(minutes=1)
    assert two.lateness == timedelta(seconds=6000 / 30 - 60)


async def test_the_start_warns_with_figures_when_a_group_cannot_go_in_time(
    tmp_path: Path, clock: FakeClock
) -> None:
    storage = SqliteStorage(tmp_path / "warn.db")
    await storage.open()
    program = ProgramSettings(checkin=CheckinSettings(max_lateness=timedelta(minutes=1)))
    ctx = assemble(Context(storage, program, Messengers(), clock))
    for n in range(40):
        await add_person(ctx, f"w{n}")
    warning = await lateness_warning(ctx, 0.5, "Telegram")
    assert warning is not None
    assert "40 daily prompts are due at 03:00 UTC" in warning
    assert "1.3 min late" in warning and "max_lateness (1.0 min)" in warning
    assert "about 10 prompts" in warning and "spread" in warning
    assert await lateness_warning(ctx, 30.0, "Telegram") is None
    await storage.close()
