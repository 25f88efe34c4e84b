"""Weekly circles keep their local time across DST changes, on a fake clock through the due
queue; a time that does not exist on spring-forward day moves to the end of the gap, and the
facilitator is told when they create it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from handlers.circles import when as circles_time
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from scheduling.due import DueWorker
from storage.circles import Circle, Recurrence
from storage.people import Role
from storage.sqlite import SqliteStorage
from tests.support import FakeClock, RecordingMessenger
from tests.support.circles import ROOM, create_circle, member

NEW_YORK = ZoneInfo("America/New_York")


async def _starts(
    ctx: Context, storage: SqliteStorage, clock: FakeClock, circle_id: int, n: int
) -> list[datetime]:
    """Let the start row fire ``n`` times; the start instants it walked through, in UTC."""
    worker = DueWorker(ctx)
    seen: list[datetime] = []
    for _ in range(n):
        row = await storage.get_due("circle_start", str(circle_id))
        assert row is not None
        seen.append(row.due_at)
        clock.set(row.due_at + timedelta(seconds=5))
        await worker.tick()
    return seen


async def test_weekly_keeps_seven_pm_across_fall_back(
    ctx: Context,
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
) -> None:
    clock.set(datetime(2026, 10, 20, 12, 0, tzinfo=UTC))
    robin = await member(dispatcher, storage, clock, "2001", "Robin", role=Role.FACILITATOR)
    circle, done = await create_circle(robin, messenger, storage, day="Sun", at="7pm")
    assert "doesn't exist" not in done
    starts = await _starts(ctx, storage, clock, circle.id, 3)
    assert starts == [
        datetime(2026, 10, 25, 23, 0, tzinfo=UTC),  # EDT, UTC-4
        datetime(2026, 11, 2, 0, 0, tzinfo=UTC),  # 2026-11-01 is fall-back day: EST, UTC-5
        datetime(2026, 11, 9, 0, 0, tzinfo=UTC),
    ]
    assert {s.astimezone(NEW_YORK).time() for s in starts} == {time(19, 0)}
    assert sum("is starting now" in m.text for m in messenger.to(ROOM)) == 3


async def test_weekly_keeps_seven_pm_across_spring_forward(
    ctx: Context,
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
) -> None:
    clock.set(datetime(2026, 2, 24, 12, 0, tzinfo=UTC))
    robin = await member(dispatcher, storage, clock, "2001", "Robin", role=Role.FACILITATOR)
    circle, _ = await create_circle(robin, messenger, storage, day="Sun", at="7pm")
    starts = await _starts(ctx, storage, clock, circle.id, 3)
    assert starts == [
        datetime(2026, 3, 2, 0, 0, tzinfo=UTC),  # EST
        datetime(2026, 3, 8, 23, 0, tzinfo=UTC),  # 2026-03-08 is spring-forward day: EDT
        datetime(2026, 3, 15, 23, 0, tzinfo=UTC),
    ]
    assert {s.astimezone(NEW_YORK).time() for s in starts} == {time(19, 0)}


async def test_a_time_in_the_gap_moves_forward_and_the_facilitator_is_told(
    ctx: Context,
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
) -> None:
    clock.set(datetime(2026, 2, 24, 12, 0, tzinfo=UTC))
    robin = await member(dispatcher, storage, clock, "2001", "Robin", role=Role.FACILITATOR)
    circle, done = await create_circle(
        robin, messenger, storage, title="Early risers", day="Sun", at="2:30am"
    )
    assert (
        "on Sun 8 Mar, 2:30 am doesn't exist in New York time (the clocks go forward), "
        "so that week it starts at 3:00 am instead."
    ) in done
    starts = await _starts(ctx, storage, clock, circle.id, 3)
    assert [s.astimezone(NEW_YORK).time() for s in starts] == [
        time(2, 30),
        time(3, 0),  # the gap's end
        time(2, 30),
    ]


def _circle(**changes: object) -> Circle:
    fields: dict[str, object] = {
        "id": 1,
        "title": "t",
        "facilitator_id": 1,
        "zone": "America/New_York",
        "local_time": time(19, 0),
        "weekdays": (1,),
        "recurrence": Recurrence.WEEKLY,
        "start_date": date(2026, 12, 1),
        "duration": timedelta(minutes=90),
        "created_at": datetime(2026, 11, 27, tzinfo=UTC),
    }
    fields.update(changes)
    return Circle(**fields)  # type: ignore[arg-type]


def test_every_other_week_and_several_days() -> None:
    after = datetime(2026, 11, 27, tzinfo=UTC)
    biweekly = _circle(recurrence=Recurrence.BIWEEKLY, weekdays=(1, 3))
    days = [s.local_date.isoformat() for s in islice(circles_time.slots(biweekly, after), 4)]
    assert days == ["2026-12-01", "2026-12-03", "2026-12-15", "2026-12-17"]
    once = _circle(recurrence=Recurrence.ONCE)
    assert [s.local_date for s in circles_time.slots(once, after)] == [date(2026, 12, 1)]


def test_weekdays_typed_and_shown() -> None:
    assert circles_time.parse_weekdays("Mon and Thu") == (0, 3)
    assert circles_time.parse_weekdays("tuesdays") == (1,)
    assert circles_time.show_days((0, 2, 4)) == "Monday, Wednesday and Friday"
    for bad in ("t", "someday", ""):
        try:
            circles_time.parse_weekdays(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
