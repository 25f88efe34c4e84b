"""Setting a circle up from a private chat, /circle here, /circle edit, and quiet-first order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.circles.session import speaking_queue
from handlers.dispatcher import Dispatcher
from storage.circles import Attendance, RsvpStatus, SpeakingOrder
from storage.people import Role
from storage.sqlite import SqliteStorage
from tests.support import FakeClock, RecordingMessenger
from tests.support.circles import ROOM, create_circle, last_with, member, payload

FIRST_START = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)


async def test_created_privately_then_placed_with_circle_here(
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
) -> None:
    robin = await member(dispatcher, storage, clock, "2001", "Robin", role=Role.FACILITATOR)
    dm = robin.dm
    await dm.command("circle", "create")
    assert "didn't catch a name" in (await dm.say("   "))[0].text
    await dm.say("Morning circle")
    await dm.press_label("Skip")
    await dm.say("Be kind.")
    bad = await dm.say("someday")
    assert "days of the week" in bad[0].text
    await dm.say("Mon and Thu")
    bad = await dm.say("25:00")
    assert "Hours go from 0 to 23" in bad[0].text
    await dm.say("8:30am")
    bad = await dm.say("UTC+5")
    assert "city" in bad[0].text.lower() or "offset" in bad[0].text.lower()
    await dm.say("London")
    assert "Please tap" in (await dm.say("sometimes"))[0].text
    await dm.say("every other week")
    assert "15 to 240 minutes" in (await dm.say("8h"))[0].text
    await dm.say("1h")
    assert "number from 2 to 500" in (await dm.say("lots"))[0].text
    where = await dm.say("no limit")
    assert "I'll choose later" in where[-1].buttons[0].label
    assert "Please tap" in (await dm.say("the park"))[0].text
    confirm = await dm.press_label("choose later")
    assert "every other Monday and Thursday" in confirm[-1].text
    assert "Places: no limit" in confirm[-1].text
    done = await dm.press_label("Create it")
    assert "send /circle here in the group" in done[-1].text
    assert messenger.to(ROOM) == []

    assert "not in our private chat" in (await dm.command("circle", "here"))[0].text
    reply = await robin.room.command("circle", "here")
    assert "now meets in this chat" in reply[0].text
    announcement = last_with(messenger, ROOM, "Morning circle")
    assert "Mon 30 Nov, 8:30 am London time" in announcement.text
    assert "every other Monday and Thursday" in announcement.text


async def test_edit_moves_the_next_one_and_fills_new_places(
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
) -> None:
    robin = await member(dispatcher, storage, clock, "2001", "Robin", role=Role.FACILITATOR)
    alex = await member(dispatcher, storage, clock, "3001", "Alex")
    blair = await member(dispatcher, storage, clock, "3002", "Blair")
    circle, _ = await create_circle(robin, messenger, storage, capacity="2")
    going = payload(last_with(messenger, ROOM, "Tap Going"), "Going")
    await robin.room.press(going)
    await alex.room.press(going)
    await blair.room.press(going)  # waitlisted

    moved = await robin.room.command("circle", "edit")
    assert "private message" in moved[0].text
    menu = last_with(messenger, robin.dm.user_id, "What would you like to change")
    await robin.dm.press(payload(menu, "Time"))
    done = await robin.dm.say("7:30pm")
    assert "The next one is Tue 1 Dec, 7:30 pm New York time" in done[0].text
    occurrence = (await storage.occurrences_of(circle.id, after=clock()))[0]
    assert occurrence.starts_at == FIRST_START + timedelta(minutes=30)
    assert len(await storage.rsvps_of(occurrence.id)) == 3  # the same occurrence, RSVPs kept
    row = await storage.get_due("circle_start", str(circle.id))
    assert row is not None and row.due_at == occurrence.starts_at

    menu = (await robin.dm.command("circle", "edit"))[0]
    await robin.dm.press(payload(menu, "Places"))
    await robin.dm.say("3")
    assert "a place opened" in messenger.last(blair.dm.user_id).text
    statuses = {r.status for r in await storage.rsvps_of(occurrence.id)}
    assert statuses == {RsvpStatus.GOING}

    menu = (await robin.dm.command("circle", "edit"))[0]
    await robin.dm.press(payload(menu, "Days"))
    done = await robin.dm.press_label("Wed")
    assert "The next one is Wed 2 Dec, 7:30 pm" in done[0].text
    assert "cancelled" in last_with(messenger, alex.dm.user_id, "cancelled").text
    assert "Wed 2 Dec" in last_with(messenger, ROOM, "Tap Going").text

    menu = (await robin.dm.command("circle", "edit"))[0]
    assert "nothing changed" in (await robin.dm.press(payload(menu, "Nothing")))[0].text
    sky = await member(dispatcher, storage, clock, "2002", "Sky", role=Role.FACILITATOR)
    refused = await sky.dm.command("circle", "edit", "#1")
    assert "led by someone else" in refused[0].text
    assert "don't have any circles yet" in (await sky.dm.command("circle", "edit"))[0].text


def test_quiet_first_puts_who_spoke_least_recently_first() -> None:
    t = datetime(2026, 12, 2, tzinfo=UTC)

    def here(person: int, minute: int, **more: object) -> Attendance:
        return Attendance(1, person, True, t + timedelta(minutes=minute), **more)  # type: ignore[arg-type]

    attendance = [
        here(1, 0),
        here(2, 1),
        here(3, 2),
        here(4, 3, shared=1),
        here(5, 4, hand_raised_at=t),
        Attendance(1, 6, False),  # expected but not here
    ]
    history = {1: t - timedelta(days=1), 2: t - timedelta(days=14)}
    assert speaking_queue(attendance, SpeakingOrder.JOIN_ORDER, history, None) == [1, 2, 3, 5]
    assert speaking_queue(attendance, SpeakingOrder.QUIET_FIRST, history, None) == [3, 5, 2, 1]
    assert speaking_queue(attendance, SpeakingOrder.QUIET_FIRST, history, 3) == [5, 2, 1]
