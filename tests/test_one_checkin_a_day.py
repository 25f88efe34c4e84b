"""One day, one check-in: a second check-in on the same local day updates that day's answers.

Issue 16 item 2: the day count and milestone are not repeated, the report, the progress
chart, the low-mood run and the export see one check-in for the day, a use reported only on
the second check-in still alerts the mentor, and crisis text mid-update is crisis first.
"""

from __future__ import annotations

import pytest

from handlers.app import REGISTRY
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from storage.base import Storage
from storage.people import AccountAddress
from tests.support import Chat, FakeClock, RecordingMessenger, answer_all, onboard
from tests.support.mentoring import pings, team

pytestmark = pytest.mark.backends("sqlite", "postgres")


async def test_second_checkin_updates_today_and_counts_the_day_once(
    chat: Chat, storage: Storage, clock: FakeClock
) -> None:
    await onboard(chat)
    first = await answer_all(chat, mood="2", craving="7")
    assert "Day 1" in first and "first day" in first
    clock.advance(hours=3)
    opening = (await chat.command("checkin"))[0].text
    assert "checked in today already" in opening and "replace today's" in opening
    await chat.say("4")
    await chat.say("3")
    await chat.say("no")
    again = (await chat.press_label("Skip"))[-1].text
    assert "today's check-in is updated" in again
    assert "Day 1" not in again and "first day" not in again and "🎉" not in again

    person = await storage.person_for_account(AccountAddress("test", "1001"))
    assert person is not None
    today = clock().date()
    scores = await storage.daily_scores(person.id, today, today)
    assert [(s.mood, s.craving) for s in scores] == [(4.0, 3.0)]
    weeks = await storage.weekly_trends(today, today)
    assert [(w.checkins, w.mood_avg) for w in weeks] == [(1, 4.0)]
    recent = await storage.recent_checkins(person.id, 5)
    assert len(recent) == 1 and recent[0].answers["mood"].number == 4.0
    exported = await storage.export_person(person.id, REGISTRY.ledger_kinds)
    assert len(exported["checkins"]) == 1
    assert sorted(row["question_key"] for row in exported["checkin_answers"]) == [
        "craving",
        "mood",
        "note",
        "used",
    ]
    # The next day counts as day 2, once.
    clock.advance(days=1)
    assert "Day 2 of your current streak" in await answer_all(chat)


async def test_abandoned_update_leaves_the_days_answers_as_they_were(
    chat: Chat, storage: Storage, clock: FakeClock
) -> None:
    await onboard(chat)
    await answer_all(chat, mood="5")
    await chat.command("checkin")
    await chat.say("1")  # then nothing more
    person = await storage.person_for_account(AccountAddress("test", "1001"))
    assert person is not None
    today = clock().date()
    assert [s.mood for s in await storage.daily_scores(person.id, today, today)] == [5.0]
    assert await storage.completed_on(person.id, today)


async def test_a_use_reported_on_the_second_checkin_alerts_the_mentor(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger, clock: FakeClock
) -> None:
    people = await team(ctx, dispatcher)
    first = await answer_all(people.mentee, used="no")
    assert "Day 1" in first
    assert pings(messenger, "m1") == []
    clock.advance(hours=2)
    again = await answer_all(people.mentee, used="yes")
    assert "updated" in again and "day 1 again" in again
    assert "Your mentor is here for you" in again  # a mentor exists: the promise is true
    mentor_pings = pings(messenger, "m1")
    assert len(mentor_pings) == 1 and "use" in mentor_pings[0].text.lower()
    person = await ctx.storage.get_person(people.mentee_id)
    assert person is not None and person.streak_start == clock().date()


async def test_crisis_text_during_the_update_goes_to_crisis_handling(
    chat: Chat, clock: FakeClock
) -> None:
    await onboard(chat)
    await answer_all(chat)
    await chat.command("checkin")
    await chat.say("3")
    reply = (await chat.say("I want to kill myself"))[0].text
    assert "988" in reply and "nobody on the team has been alerted" in reply
    # The update carries on where it was afterwards.
    await chat.say("4")
    await chat.say("no")
    assert "updated" in (await chat.press_label("Skip"))[-1].text


async def test_a_yes_taken_back_the_same_day_says_how_to_put_the_streak_right(
    chat: Chat, storage: Storage, clock: FakeClock
) -> None:
    await onboard(chat, since="2025-10-01")
    await answer_all(chat)
    clock.advance(days=1)
    assert "day 1 again" in await answer_all(chat, used="yes")
    clock.advance(minutes=10)
    corrected = await answer_all(chat, used="no")
    assert "updated" in corrected and "/reset" in corrected
    await chat.command("reset", "2025-10-01")
    person = await storage.person_for_account(AccountAddress("test", "1001"))
    assert person is not None
    assert person.streak_start == person.journey_start
