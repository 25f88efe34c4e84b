"""The check-in conversation and the sober-day counter, through the dispatcher."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from handlers.checkins import milestones
from storage.base import Storage
from storage.checkins import Answer
from storage.people import AccountAddress
from tests.support import Chat, FakeClock, answer_all, onboard

pytestmark = pytest.mark.backends("sqlite", "postgres")

ADDRESS = AccountAddress("test", "1001")


async def person_id(storage: Storage) -> int:
    person = await storage.person_for_account(ADDRESS)
    assert person is not None
    return person.id


async def test_questions_use_buttons_and_store_answers(chat: Chat, storage: Storage) -> None:
    await onboard(chat)
    start = await chat.command("checkin")
    mood = start[-1]
    assert mood.buttons[0].label == "1 · Very low"
    craving = (await chat.press(mood.buttons[3].payload))[-1]
    assert [b.label for b in craving.buttons] == [str(n) for n in range(11)]
    used = (await chat.press(craving.buttons[7].payload))[-1]
    assert [b.label for b in used.buttons] == ["Yes", "No"]
    note = (await chat.press(used.buttons[1].payload))[-1]
    assert [b.label for b in note.buttons] == ["Skip"]
    closing = (await chat.say("a calm day, went to a meeting"))[-1].text
    assert "Thanks for checking in" in closing and "Day 1" in closing and "/days" in closing

    checkin = await storage.latest_checkin(await person_id(storage))
    assert checkin is not None and checkin.completed_at is not None
    answers = await storage.answers_of(checkin.id)
    assert answers["mood"].number == 4 and answers["craving"].number == 7
    assert answers["used"].text == "no" and answers["note"].text == "a calm day, went to a meeting"


async def test_typed_numbers_and_words(chat: Chat, storage: Storage) -> None:
    await onboard(chat)
    await chat.command("checkin")
    again = await chat.say("great")
    # asks again in one message: why, the question and its buttons
    assert len(again) == 1 and "1 to 5" in again[0].text and "feeling" in again[0].text
    assert len(again[0].buttons) == 5
    await chat.say("four")
    await chat.say("seven")
    await chat.say("nope")
    await chat.press_label("Skip")
    checkin = await storage.latest_checkin(await person_id(storage))
    assert checkin is not None
    answers = await storage.answers_of(checkin.id)
    assert answers["mood"].number == 4 and answers["craving"].number == 7
    assert answers["note"].skipped


async def test_double_press_and_closed_checkin(chat: Chat) -> None:
    await onboard(chat)
    mood = (await chat.command("checkin"))[-1]
    await chat.press(mood.buttons[2].payload)
    double = await chat.press(mood.buttons[4].payload)
    assert "already have that answer" in double[0].text
    await chat.say("2")
    await chat.say("no")
    await chat.press_label("Skip")
    stale = await chat.press(mood.buttons[0].payload)
    assert "closed" in stale[0].text and "/checkin" in stale[0].text


async def test_second_checkin_while_open_carries_on(chat: Chat) -> None:
    await onboard(chat)
    await chat.command("checkin")
    await chat.say("3")
    again = await chat.command("checkin")
    assert len(again) == 1 and "open already" in again[0].text
    assert "cravings" in again[0].text and again[0].buttons


async def test_relapse_starts_a_new_streak_not_a_new_journey(
    chat: Chat, storage: Storage, clock: FakeClock
) -> None:
    await onboard(chat)
    await answer_all(chat)
    for _ in range(9):
        clock.advance(days=1)
        await answer_all(chat)
    clock.advance(days=1)
    closing = await answer_all(chat, used="yes")
    assert "day 1 again, and 11 days on your journey" in closing
    assert "not failure" in closing
    clock.advance(days=1)
    days = (await chat.command("days"))[0].text
    assert "Current streak: 2 days" in days and "Your journey: 12 days" in days


async def test_milestones_reached_by_a_day() -> None:
    start = date(2024, 2, 29)

    def keys(day: date) -> list[str]:
        return [m.key for m in milestones.reached(start, day)]

    assert keys(start - timedelta(days=1)) == []
    assert keys(start) == ["1d"]
    assert keys(start + timedelta(days=6)) == ["1d", "7d"]
    assert keys(date(2025, 2, 27))[-1] == "180d"  # the day before the anniversary
    assert keys(date(2025, 2, 28))[-1] == "1y"  # 29 February's anniversary in a short year
    assert keys(date(2028, 2, 29))[-3:] == ["2y", "3y", "4y"]
    assert "One year" in milestones.reached(start, date(2025, 3, 1))[-1].cheer
    assert "3 years" in milestones.reached(start, date(2027, 3, 1))[-1].cheer


async def test_week_milestone_celebrated(chat: Chat, clock: FakeClock) -> None:
    await onboard(chat)
    closings = []
    for _ in range(7):
        closings.append(await answer_all(chat))
        clock.advance(days=1)
    assert "first day" in closings[0]
    assert "One week" in closings[6]
    assert not any("🎉" in c for c in closings[1:6])


async def test_reset_takes_any_past_date_and_moves_the_journey_back(
    chat: Chat, storage: Storage, clock: FakeClock
) -> None:
    await onboard(chat)
    await answer_all(chat)
    joined = clock().date()
    clock.advance(days=20)
    await answer_all(chat, used="yes")
    today = clock().date()
    future = (await chat.command("reset", (today + timedelta(days=3)).isoformat()))[0].text
    assert "hasn't come yet" in future
    done = (await chat.command("reset", (today - timedelta(days=5)).isoformat()))[0].text
    assert "6 days" in done
    person = await storage.get_person(await person_id(storage))
    assert person is not None and person.streak_start == today - timedelta(days=5)
    assert person.journey_start == joined  # a later streak leaves the journey where it was
    # Before joining: the count the person really has, and the journey starts then too.
    earlier = (await chat.command("reset", "1 Oct 2025"))[0].text
    assert "1 October 2025" in earlier
    person = await storage.get_person(await person_id(storage))
    assert person is not None
    assert person.streak_start == person.journey_start == date(2025, 10, 1)
    days = (await chat.command("days"))[0].text
    assert f"Current streak: {(today - date(2025, 10, 1)).days + 1} days" in days
    bad = (await chat.command("reset", "someday"))[0].text
    assert "like “2025-10-01”" in bad


async def test_late_answer_counts_for_its_day(
    chat: Chat, storage: Storage, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 27, 23, 0, tzinfo=clock().tzinfo))  # 16:00 in Denver
    await onboard(chat)
    await chat.command("checkin")
    await chat.say("3")
    clock.advance(hours=10)  # the next morning in Denver
    await chat.say("2")
    await chat.say("no")
    await chat.press_label("Skip")
    checkin = await storage.latest_checkin(await person_id(storage))
    assert checkin is not None and checkin.local_date == date(2026, 11, 27)
    assert await storage.completed_on(await person_id(storage), date(2026, 11, 27))


async def test_awaited_press_on_a_check_in_closed_behind_the_state(
    chat: Chat, storage: Storage, clock: FakeClock
) -> None:
    # The state still awaits this question, but the check-in was closed (a newer one opened
    # elsewhere): the answer is not stored and the press is told the check-in is closed.
    await onboard(chat)
    mood = (await chat.command("checkin"))[-1]
    old = await storage.latest_checkin(await person_id(storage))
    assert old is not None
    await storage.open_checkin(old.person_id, old.local_date, "on_demand", clock())
    stale = await chat.press(mood.buttons[2].payload)
    assert "closed" in stale[0].text
    assert await storage.answers_of(old.id) == {}


async def test_awaited_press_already_stored_says_so(chat: Chat, storage: Storage) -> None:
    await onboard(chat)
    mood = (await chat.command("checkin"))[-1]
    checkin = await storage.latest_checkin(await person_id(storage))
    assert checkin is not None
    await storage.record_answer(checkin.id, Answer("mood", number=5.0), checkin.started_at)
    double = await chat.press(mood.buttons[2].payload)
    assert "already have that answer" in double[0].text
    assert (await storage.answers_of(checkin.id))["mood"].number == 5
