"""The date a person counts their recovery from, milestones once each, and one check-in a day.

Issue 16 items 1 and 2, through the core (the dispatcher, the real storage, a fake clock).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.checkins import recovery
from handlers.checkins import texts as checkin_texts
from storage.base import Storage
from storage.people import AccountAddress
from tests.support import Chat, FakeClock, answer_all, onboard
from tests.support.chat import asks_since

pytestmark = pytest.mark.backends("sqlite", "postgres")

ADDRESS = AccountAddress("test", "1001")
ONE_YEAR = "One year"


async def person_id(storage: Storage) -> int:
    person = await storage.person_for_account(ADDRESS)
    assert person is not None
    return person.id


def local_noon(day: date) -> datetime:
    """Noon in Denver (the onboard helper's zone) on ``day``."""
    return datetime(day.year, day.month, day.day, 19, 0, tzinfo=UTC)


async def test_clean_since_2025_10_01_sees_the_real_count_and_one_year_once(
    chat: Chat, storage: Storage, clock: FakeClock
) -> None:
    """The Must-show: a mentee who says at onboarding they count from 2025-10-01."""
    clock.set(local_noon(date(2026, 9, 28)))
    await onboard(chat, since="2025-10-01")
    told = chat.last.text
    assert "1 October 2025" in told and "day 363 of your recovery" in told
    assert "You're all set" in told  # the same message closes onboarding
    person = await storage.get_person(await person_id(storage))
    assert person is not None and person.onboarded
    assert person.journey_start == person.streak_start == date(2025, 10, 1)

    closings: dict[date, str] = {}
    for _ in range(6):  # 28 Sep .. 3 Oct 2026, one check-in a day
        closings[clock().date()] = await answer_all(chat)
        clock.advance(days=1)
    assert "Day 363 of your current streak" in closings[date(2026, 9, 28)]
    # The first check-in celebrates the milestone the person had really reached, not day 1.
    assert "Six months" in closings[date(2026, 9, 28)]
    assert "first day" not in closings[date(2026, 9, 28)]
    assert ONE_YEAR in closings[date(2026, 10, 1)]  # the anniversary
    others = [text for day, text in closings.items() if day != date(2026, 10, 1)]
    assert not any(ONE_YEAR in text for text in others)
    assert not any("🎉" in text for text in others[1:])
    days = (await chat.command("days"))[0].text
    assert "Current streak: 369 days (since 1 October 2025)" in days

    # A second check-in on the anniversary itself repeats neither the count nor the cheer.
    clock.set(local_noon(date(2026, 10, 1)) + timedelta(hours=2))
    again = await answer_all(chat, mood="5")
    assert ONE_YEAR not in again and "Day " not in again and "updated" in again


async def test_backdated_date_later_in_settings_celebrates_once(
    chat: Chat, storage: Storage, clock: FakeClock
) -> None:
    await onboard(chat)  # skipped the question
    first = await answer_all(chat)
    assert "Day 1 of your current streak" in first and "first day" in first
    clock.advance(days=1)
    await chat.command("settings")
    asked = await chat.press_label("Recovery date")
    assert "count your recovery from" in asked[0].text
    set_reply = (await chat.say("October 1 2025"))[0].text
    today = clock().date()
    expected = (today - date(2025, 10, 1)).days + 1
    assert f"day {expected} of your recovery" in set_reply
    closing = await answer_all(chat)
    assert f"Day {expected}" in closing and ONE_YEAR in closing
    clock.advance(days=1)
    assert "🎉" not in await answer_all(chat)


async def test_relapse_then_reset_counts_milestones_again_from_the_new_date(
    chat: Chat, storage: Storage, clock: FakeClock
) -> None:
    await onboard(chat, since="1 Oct 2025")
    assert ONE_YEAR in await answer_all(chat)
    clock.advance(days=1)
    relapse = await answer_all(chat, used="yes")
    assert "day 1 again" in relapse and "🎉" not in relapse
    assert "Your mentor is here" not in relapse  # no mentor: none promised
    clock.advance(days=1)
    assert "🌱" not in await answer_all(chat)  # day 2: day 1 was the relapse day
    for _ in range(5):
        clock.advance(days=1)
        closing = await answer_all(chat)
    assert "One week" in closing  # the new streak's milestones count again
    # /reset back to the old date (it was a mistake): its one year was celebrated already.
    await chat.command("reset", "2025-10-01")
    clock.advance(days=1)
    assert ONE_YEAR not in await answer_all(chat)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2025-10-01", date(2025, 10, 1)),
        ("1 Oct 2025", date(2025, 10, 1)),
        ("October 1 2025", date(2025, 10, 1)),
        ("October 1, 2025", date(2025, 10, 1)),
        ("1st October 2025", date(2025, 10, 1)),
    ],
)
def test_common_date_forms_are_read(typed: str, expected: date) -> None:
    assert recovery.read_recovery_date(typed, date(2026, 11, 27)) == expected


def test_numeric_dates_in_either_order_are_refused_with_an_example() -> None:
    answer = recovery.read_recovery_date("10/1/2025", date(2026, 11, 27))
    assert answer == checkin_texts.RECOVERY_DATE_AMBIGUOUS
    assert isinstance(answer, str) and "“1 Oct 2025”" in answer


async def test_future_and_nonsense_get_a_kind_answer_and_the_question_again(
    chat: Chat, storage: Storage
) -> None:
    await onboard(chat, since="2099-01-01")
    future = chat.last
    assert "hasn't come yet" in future.text and asks_since(future)
    await chat.say("10/1/2025")
    assert "month's name" in chat.last.text and asks_since(chat.last)
    await chat.say("whenever")
    assert "couldn't read that as a date" in chat.last.text and asks_since(chat.last)
    person = await storage.get_person(await person_id(storage))
    assert person is not None and not person.onboarded and person.streak_start is None
    done = await chat.press_label("Skip")
    assert "You're all set" in done[0].text
    person = await storage.get_person(await person_id(storage))
    assert person is not None and person.onboarded and person.streak_start is None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_anything_typed_is_a_past_date_or_a_kind_sentence(typed: str) -> None:
    today = date(2026, 11, 27)
    answer = recovery.read_recovery_date(typed, today)
    if isinstance(answer, date):
        assert recovery.EARLIEST <= answer <= today
    else:
        assert answer in {
            checkin_texts.RECOVERY_DATE_AMBIGUOUS,
            checkin_texts.RECOVERY_DATE_NOT_UNDERSTOOD,
            checkin_texts.RECOVERY_DATE_NO_SUCH_DAY,
            checkin_texts.RECOVERY_DATE_FUTURE,
            checkin_texts.RECOVERY_DATE_TOO_EARLY,
        }  # fixed sentences: what was typed is never echoed


async def test_crisis_text_at_the_date_question_gets_crisis_handling(
    chat: Chat, storage: Storage
) -> None:
    await onboard(chat, since="I want to end my life")
    reply = chat.last.text
    assert "988" in reply  # the crisis lines, not a date error
    # The question is still open for afterwards.
    await chat.say("2025-10-01")
    assert "1 October 2025" in chat.last.text


async def test_settings_corrects_a_typo_in_the_journey_too(
    chat: Chat, storage: Storage, clock: FakeClock
) -> None:
    await onboard(chat, since="2015-10-01")  # meant 2025
    await chat.command("settings")
    await chat.press_label("Recovery date")
    await chat.say("2025-10-01")
    person = await storage.get_person(await person_id(storage))
    assert person is not None
    assert person.journey_start == person.streak_start == date(2025, 10, 1)
