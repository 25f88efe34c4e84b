"""The core's calendar hook: what the circle flow tells outside calendars, and that a calendar
that fails (or hangs) never breaks a circle and is logged without any text.

Platform-free: a recording calendar stands in for the Discord one, which
``tests/test_discord_events.py`` drives through discord.py and simcord.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

from handlers import calendars
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from scheduling.due import DueWorker
from storage.circles import Circle, Occurrence
from storage.people import Role
from storage.sqlite import SqliteStorage
from tests.support import FakeClock, RecordingMessenger
from tests.support.circles import ROOM, create_circle, last_with, member, payload

FIRST_START = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # Tue 1 Dec, 7 pm in New York
SECRET = "the words someone typed"

Call = tuple[str, str, tuple[tuple[date, datetime], ...]]


class RecordingCalendar:
    """Keeps what it was told: (what, circle title, ((local date, start), ...))."""

    def __init__(self) -> None:
        self.calls: list[Call] = []

    async def occurrence_scheduled(self, circle: Circle, occurrence: Occurrence) -> None:
        self.calls.append(("scheduled", circle.title, _dates([occurrence])))

    async def occurrence_cancelled(self, circle: Circle, occurrence: Occurrence) -> None:
        self.calls.append(("cancelled", circle.title, _dates([occurrence])))

    async def circle_ended(self, circle: Circle, occurrences: Sequence[Occurrence]) -> None:
        self.calls.append(("ended", circle.title, _dates(occurrences)))

    async def occurrence_started(self, circle: Circle, occurrence: Occurrence) -> None:
        self.calls.append(("started", circle.title, _dates([occurrence])))

    async def occurrence_finished(self, circle: Circle, occurrence: Occurrence) -> None:
        self.calls.append(("finished", circle.title, _dates([occurrence])))


class BrokenCalendar:
    """Fails every time, with an error message carrying text (as a real one may)."""

    async def occurrence_scheduled(self, circle: Circle, occurrence: Occurrence) -> None:
        raise ValueError(f"{SECRET} {circle.title}")

    async def occurrence_cancelled(self, circle: Circle, occurrence: Occurrence) -> None:
        raise ValueError(SECRET)

    async def circle_ended(self, circle: Circle, occurrences: Sequence[Occurrence]) -> None:
        raise ValueError(SECRET)

    async def occurrence_started(self, circle: Circle, occurrence: Occurrence) -> None:
        raise ValueError(SECRET)

    async def occurrence_finished(self, circle: Circle, occurrence: Occurrence) -> None:
        raise ValueError(SECRET)


class StuckCalendar(RecordingCalendar):
    async def occurrence_scheduled(self, circle: Circle, occurrence: Occurrence) -> None:
        await asyncio.sleep(30)


def _dates(occurrences: Sequence[Occurrence]) -> tuple[tuple[date, datetime], ...]:
    return tuple((o.local_date, o.starts_at) for o in occurrences)


def at(day: int, start: datetime) -> tuple[tuple[date, datetime], ...]:
    return ((date(2026, 12, day), start),)


async def test_the_circle_flow_tells_calendars_about_every_date(
    ctx: Context,
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
) -> None:
    calendar = RecordingCalendar()
    ctx.calendars.add(calendar)
    robin = await member(dispatcher, storage, clock, "2001", "Robin", role=Role.FACILITATOR)
    title = "Tuesday evening circle"
    await create_circle(robin, messenger, storage)
    assert calendar.calls == [("scheduled", title, at(1, FIRST_START))]

    # /circle edit: a new time moves the date; a new name renames it; places change nothing.
    later = FIRST_START + timedelta(minutes=30)
    await robin.room.command("circle", "edit")
    menu = last_with(messenger, robin.dm.user_id, "What would you like to change")
    await robin.dm.press(payload(menu, "Time"))
    await robin.dm.say("7:30pm")
    menu = (await robin.dm.command("circle", "edit"))[0]
    await robin.dm.press(payload(menu, "Name"))
    await robin.dm.say("Tuesday night circle")
    menu = (await robin.dm.command("circle", "edit"))[0]
    await robin.dm.press(payload(menu, "Places"))
    await robin.dm.say("5")
    renamed = "Tuesday night circle"
    assert calendar.calls[1:] == [
        ("scheduled", title, at(1, later)),
        ("scheduled", renamed, at(1, later)),
    ]

    # Cancelling one date: that date is off, and the next one is scheduled.
    del calendar.calls[:]
    await robin.room.command("circle", "cancel", "1", "Dec")
    week = timedelta(days=7)
    assert calendar.calls == [
        ("cancelled", renamed, at(1, later)),
        ("scheduled", renamed, at(8, later + week)),
    ]

    # The due queue moving on after a start schedules the date after it.
    del calendar.calls[:]
    clock.set(later + week + timedelta(seconds=5))
    await DueWorker(ctx).tick()
    assert calendar.calls == [("scheduled", renamed, at(15, later + 2 * week))]

    # Ending the series takes the dates still ahead with it.
    del calendar.calls[:]
    await robin.room.command("circle", "cancel", "series")
    assert calendar.calls == [("ended", renamed, at(15, later + 2 * week))]


async def test_a_session_starts_and_finishes_its_date_in_calendars(
    ctx: Context,
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
) -> None:
    calendar = RecordingCalendar()
    ctx.calendars.add(calendar)
    robin = await member(dispatcher, storage, clock, "2001", "Robin", role=Role.FACILITATOR)
    await create_circle(robin, messenger, storage)
    del calendar.calls[:]
    clock.set(FIRST_START + timedelta(minutes=1))
    await robin.room.command("circle", "start")
    await robin.room.command("circle", "end")
    title = "Tuesday evening circle"
    assert calendar.calls == [
        ("started", title, at(1, FIRST_START)),
        ("finished", title, at(1, FIRST_START)),
    ]


async def test_a_failing_or_stuck_calendar_never_breaks_a_circle_nor_logs_text(
    ctx: Context,
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(calendars, "MIRROR_TIMEOUT_S", 0.05)
    working = RecordingCalendar()
    for calendar in (BrokenCalendar(), StuckCalendar(), working):
        ctx.calendars.add(calendar)
    caplog.set_level(logging.DEBUG)
    robin = await member(dispatcher, storage, clock, "2001", "Robin", role=Role.FACILITATOR)
    circle, done = await create_circle(robin, messenger, storage)
    assert "The first one is Tue 1 Dec, 7:00 pm New York time" in done
    assert "Tap Going" in last_with(messenger, ROOM, "Tuesday evening circle").text
    start = await storage.get_due("circle_start", str(circle.id))
    assert start is not None and start.due_at == FIRST_START
    assert working.calls == [("scheduled", circle.title, at(1, FIRST_START))]  # still told
    await robin.room.command("circle", "cancel", "series")
    ended = await storage.get_circle(circle.id)
    assert ended is not None and not ended.active

    failures = [r for r in caplog.records if r.name == "handlers.calendars"]
    said = [r.getMessage() for r in failures]
    assert [(s.split(":")[0], s.split(" failed: ")[1].split()[0]) for s in said] == [
        ("calendar BrokenCalendar", "ValueError"),
        ("calendar StuckCalendar", "TimeoutError"),
        ("calendar BrokenCalendar", "ValueError"),
    ]
    assert all(f"circle {circle.id} " in s for s in said)
    for record in caplog.records:
        assert SECRET not in record.getMessage() and circle.title not in record.getMessage()
