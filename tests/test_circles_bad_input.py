"""Circles when things go sideways: each gets a kind, clear answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.circles.commands import facilitators_for_venue
from handlers.circles.common import HERE, RSVP, HerePress, RsvpPress
from handlers.circles.session import person_left
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from scheduling.due import DueWorker
from storage.deliveries import DeliveryStatus
from storage.people import Role
from storage.sqlite import SqliteStorage
from tests.support import FakeClock, RecordingMessenger
from tests.support.circles import ROOM, Room, count_with, create_circle, last_with, member, payload

FIRST_START = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # Tue 1 Dec, 19:00 New York


async def test_facilitator_commands_refuse_everyone_else(
    dispatcher: Dispatcher, clock: FakeClock, storage: SqliteStorage
) -> None:
    alex = await member(dispatcher, storage, clock, "3001", "Alex")
    for args in (("create",), ("start",), ("end",), ("cancel", "series"), ("handover",)):
        reply = await alex.room.command("circle", *args)
        assert "/circle is for coordinators or facilitators" in reply[0].text
        assert "/help" in reply[0].text
    reply = await alex.room.command("next")
    assert "/next is for coordinators or facilitators" in reply[0].text
    assert "circles" in (await alex.dm.command("circles"))[0].text  # /circles is for everyone


async def test_rsvp_after_a_cancellation(
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
) -> None:
    robin = await member(dispatcher, storage, clock, "2001", "Robin", role=Role.FACILITATOR)
    alex = await member(dispatcher, storage, clock, "3001", "Alex")
    blair = await member(dispatcher, storage, clock, "3002", "Blair")
    await create_circle(robin, messenger, storage)
    first = last_with(messenger, ROOM, "Tap Going")
    await alex.room.press(payload(first, "Going"))

    wrong_day = await robin.room.command("circle", "cancel", "2", "Dec")
    assert "doesn't meet on Wed 2 Dec" in wrong_day[0].text and "Tue 1 Dec" in wrong_day[0].text
    unreadable = await robin.room.command("circle", "cancel", "soon")
    assert "couldn't read that as a date" in unreadable[0].text
    done = await robin.room.command("circle", "cancel", "1", "Dec")
    assert "Tue 1 Dec is cancelled" in done[0].text and "The next one is Tue 8 Dec" in done[0].text
    assert "cancelled, so there's no need to come" in messenger.last(alex.dm.user_id).text
    assert "Tue 1 Dec is cancelled" in last_with(messenger, ROOM, "cancelled").text
    late = await blair.room.press(payload(first, "Going"))
    assert "was cancelled, so there's nothing to answer" in late[0].text
    assert "/circles" in late[0].text
    again = await robin.room.command("circle", "cancel", "1", "Dec")
    assert "already cancelled" in again[0].text

    second = last_with(messenger, ROOM, "Tap Going")  # the next one was announced
    assert "Tue 8 Dec" in second.text
    await blair.room.press(payload(second, "Going"))
    ask = await robin.room.command("circle", "cancel")
    assert "Cancel just the next one" in ask[0].text
    series = await robin.room.press(payload(ask[0], "whole series"))
    assert "whole *Tuesday evening circle* series is cancelled" in series[0].text
    assert "cancelled" in messenger.last(blair.dm.user_id).text
    late = await alex.room.press(payload(second, "Maybe"))
    assert "was cancelled" in late[0].text
    assert (await alex.dm.command("circles"))[0].text.startswith("No circles are scheduled")


async def test_the_facilitator_leaving_mid_session(
    ctx: Context,
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
) -> None:
    robin = await member(dispatcher, storage, clock, "2001", "Robin", role=Role.FACILITATOR)
    sky = await member(dispatcher, storage, clock, "2002", "Sky", role=Role.FACILITATOR)
    alex = await member(dispatcher, storage, clock, "3001", "Alex")
    await create_circle(robin, messenger, storage)
    clock.set(FIRST_START)
    await robin.room.command("circle", "start")
    here = payload(last_with(messenger, ROOM, "Our guidelines"), "I'm here")
    await alex.room.press(here)

    # No co-facilitator there yet: the room hears any facilitator can carry on or close.
    assert await person_left(ctx, robin.room.ref)
    assert "Any facilitator can carry on" in messenger.last(ROOM).text
    refused = await sky.room.command("next")
    assert "Robin is running this circle" in refused[0].text
    # Sky arrives; the hand-over picks from attendees by button.
    clock.advance(minutes=1)
    await sky.room.press(here)
    offer = await robin.room.command("circle", "handover", "@sky")
    assert "Who should run the rest" in offer[0].text
    assert [b.label for b in offer[0].buttons] == ["Sky"]
    assert "Robin is running" in (await alex.room.press(offer[0].buttons[0].payload))[0].text
    await robin.room.press(offer[0].buttons[0].payload)
    assert "Sky is running the circle now. Thank you, Robin." in messenger.last(ROOM).text
    await sky.room.command("next")
    assert "*Alex*, the floor is yours" in messenger.last(ROOM).text
    # Sky has to leave too: it passes back to the circle's own facilitator.
    assert await person_left(ctx, sky.room.ref)
    assert "Sky had to step away, so Robin is running" in messenger.last(ROOM).text
    # And any facilitator can end it; the summary goes to whoever closed it.
    await sky.room.command("circle", "end")
    assert "Summary of" not in "".join(m.text for m in messenger.to(sky.dm.user_id))
    for person in (alex, sky):
        pulse = last_with(messenger, person.dm.user_id, "How are you")
        await person.dm.press(payload(pulse, "3"))
    assert "Shares: 1" in last_with(messenger, sky.dm.user_id, "Summary of").text
    assert "Summary of" in last_with(messenger, robin.dm.user_id, "Summary of").text


async def test_two_sessions_of_one_circle_are_refused(
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
) -> None:
    robin = await member(dispatcher, storage, clock, "2001", "Robin", role=Role.FACILITATOR)
    await create_circle(robin, messenger, storage)
    early = await robin.room.command("circle", "start")
    assert "It's not time for *Tuesday evening circle* yet" in early[0].text
    assert "Tue 1 Dec, 7:00 pm your time" in early[0].text
    clock.set(FIRST_START - timedelta(minutes=10))
    assert await robin.room.command("circle", "start") == []
    clock.advance(minutes=1)
    second = await robin.dm.command("circle", "start", "#1")
    assert "already running (opened by Robin at 6:50 pm)" in second[0].text
    assert "/circle end" in second[0].text
    assert count_with(messenger, ROOM, "Our guidelines") == 1


async def test_a_circle_with_nobody_going(
    ctx: Context,
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
) -> None:
    robin = await member(dispatcher, storage, clock, "2001", "Robin", role=Role.FACILITATOR)
    await create_circle(robin, messenger, storage)
    worker = DueWorker(ctx)
    clock.set(FIRST_START - timedelta(hours=24))
    await worker.tick()  # reminders: nobody to remind
    clock.set(FIRST_START)
    await worker.tick()
    assert await robin.room.command("circle", "start") == []
    await robin.room.command("next")
    assert "Nobody has tapped “I'm here” yet" in messenger.last(ROOM).text
    clock.advance(minutes=20)
    reply = await robin.room.command("circle", "end")
    assert "The summary is in your private messages" in reply[-1].text
    summary = last_with(messenger, robin.dm.user_id, "Summary of").text
    assert summary == (
        "Summary of *Tuesday evening circle*, Tue 1 Dec:\n"
        "Nobody tapped “I'm here” this time. That happens; thank you for being there.\n"
        "Shares: 0. Passes: 0.\n"
        "Check-out pulse: not shown, as fewer than 3 people answered (0 so far); that way no "
        "one's answer can be picked out.\n"
        "Time used: 20 min of 1 h 30 min planned.\n"
        "Thank you for holding the space. Send /circles to see the next one."
    )


async def test_a_crisis_in_a_circle_pings_its_facilitator_without_the_text(
    ctx: Context,
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
) -> None:
    robin = await member(dispatcher, storage, clock, "2001", "Robin", role=Role.FACILITATOR)
    alex = await member(dispatcher, storage, clock, "3001", "Alex")
    await create_circle(robin, messenger, storage)
    assert await facilitators_for_venue(ctx, alex.room.ref) == [robin.id]
    assert await facilitators_for_venue(ctx, alex.dm.ref) == []
    words = "i just... want to die"
    reply = await alex.room.say(words)
    assert reply  # the crisis reply still goes out
    ping = last_with(messenger, robin.dm.user_id, "may mean they're in crisis")
    assert "Alex" in ping.text and "Tuesday evening circle" in ping.text
    assert words not in ping.text and "die" not in ping.text
    subject = f"{(await storage.circles_led_by(robin.id))[0].id}:{robin.id}"
    assert await storage.delivery_status("circle_crisis", subject, "evt-1") is (DeliveryStatus.SENT)
    await alex.room.say("just chatting")  # ordinary group text: nothing
    assert count_with(messenger, robin.dm.user_id, "may mean they're in crisis") == 1


async def test_stale_and_odd_presses(
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
) -> None:
    robin = await member(dispatcher, storage, clock, "2001", "Robin", role=Role.FACILITATOR)
    alex = await member(dispatcher, storage, clock, "3001", "Alex")
    await create_circle(robin, messenger, storage)
    announcement = last_with(messenger, ROOM, "Tap Going")
    off = await alex.dm.press(announcement.buttons[0].payload.replace(":g", ":x"))
    assert "Tap Going first" in off[0].text
    assert "older message" in (await alex.dm.press(RSVP.encode(RsvpPress(999, "g"))))[0].text
    assert "older message" in (await alex.dm.press(HERE.encode(HerePress(999))))[0].text
    stranger = Room(dispatcher, user_id="9999")  # in the group, never joined the program
    assert "Circles are for members" in (await stranger.press(payload(announcement, "Go")))[0].text
    clock.set(FIRST_START + timedelta(hours=2))
    past = await alex.room.press(payload(announcement, "Going"))
    assert "already happened" in past[0].text


async def test_session_buttons_count_only_in_the_circles_own_room(
    dispatcher: Dispatcher, clock: FakeClock, messenger: RecordingMessenger, storage: SqliteStorage
) -> None:
    """'I'm here', a hand and a pass pressed from anywhere else (a forged press in a DM or
    another group) neither mark anyone present nor move the floor."""
    robin = await member(dispatcher, storage, clock, "2001", "Robin", role=Role.FACILITATOR)
    alex = await member(dispatcher, storage, clock, "3001", "Alex")
    await create_circle(robin, messenger, storage)
    clock.set(FIRST_START)
    await robin.room.command("circle", "start")
    guidelines = last_with(messenger, ROOM, "Our guidelines")
    elsewhere = Room(dispatcher, user_id=alex.dm.user_id, room="another-group")
    for chat in (alex.dm, elsewhere):
        [refused] = await chat.press(payload(guidelines, "I'm here"))
        assert "works in the circle's own chat" in refused.text
    session = await storage.open_session(1)
    assert session is not None
    assert not any(a.attended for a in await storage.attendance_of(session.id))
    [welcome] = await alex.room.press(payload(guidelines, "I'm here"))
    assert "1 here so far" in welcome.text
