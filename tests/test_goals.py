"""Goals through the dispatcher: adding, ticking steps, setting aside, and the weekly review."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from handlers.account.settings import MENU, MenuPress
from handlers.context import Context
from handlers.goals.cards import SHOW, TICK, ShowPress, TickPress, progress_bar
from handlers.goals.flow import MAX_OPEN_GOALS, MAX_TITLE_CHARS
from handlers.goals.review import GOAL_REVIEW, run_goal_review
from handlers.profile import ZoneYesPress, profile_routes
from scheduling.due import DueWorker
from storage.base import Storage
from storage.deliveries import DeliveryStatus
from storage.goals import GoalTerm
from storage.people import Account, AccountAddress, Role
from tests.support import Chat, FakeClock, RecordingMessenger, onboard

pytestmark = pytest.mark.backends("sqlite", "postgres")

ADDRESS = AccountAddress("test", "1001")


async def person_id(storage: Storage) -> int:
    person = await storage.person_for_account(ADDRESS)
    assert person is not None
    return person.id


def test_progress_bar() -> None:
    assert progress_bar(3, 5) == "▓▓▓░░ 3/5"
    assert progress_bar(0, 4) == "░░░░ 0/4"
    assert progress_bar(5, 5) == "▓▓▓▓▓ 5/5"
    assert progress_bar(1, 20) == "▓░░░░░░░░░ 1/20"  # scaled to ten cells; progress shows
    assert progress_bar(19, 20) == "▓▓▓▓▓▓▓▓▓░ 19/20"  # unfinished never looks full
    assert progress_bar(0, 0) == ""


async def test_add_a_goal_with_a_date_and_steps(chat: Chat, storage: Storage) -> None:
    await onboard(chat)
    ask = (await chat.command("goal", "add"))[-1]
    assert "What's the goal?" in ask.text and ask.buttons[0].label == "Never mind"
    term = (await chat.say("Walk 20 minutes a day"))[-1]
    assert "short-term" in term.text and [b.label for b in term.buttons] == [
        "Short-term",
        "Long-term",
    ]
    when = (await chat.press_label("Short-term"))[-1]
    assert "date" in when.text and when.buttons[0].label == "No date"
    steps = (await chat.say("15 Dec 2026"))[-1]
    assert "steps" in steps.text
    assert "Step 1 added" in (await chat.say("Buy walking shoes"))[-1].text
    await chat.say("Walk on Monday")
    saved = await chat.press_label("Done")
    assert "Saved" in saved[0].text and "/goal review" in saved[0].text
    card = saved[1]
    assert "*Walk 20 minutes a day*" in card.text and "░░ 0/2" in card.text
    assert "Short-term · by Tue 15 Dec 2026" in card.text
    assert [b.label for b in card.buttons] == [
        "⬜ Buy walking shoes",
        "⬜ Walk on Monday",
        "Set aside",
    ]

    goals = await storage.goals_of(await person_id(storage))
    assert len(goals) == 1
    goal = goals[0]
    assert goal.term is GoalTerm.SHORT and goal.target_date == date(2026, 12, 15)
    assert [s.title for s in goal.steps] == ["Buy walking shoes", "Walk on Monday"]


async def test_ticking_steps_moves_the_bar_and_celebrates(chat: Chat, storage: Storage) -> None:
    await onboard(chat)
    await chat.command("goal", "add", "Go", "to", "two", "meetings")
    await chat.say("short")
    await chat.say("no date")
    await chat.say("Find a meeting")
    await chat.say("Go once")
    await chat.say("done")
    first = (await chat.press_label("Find a meeting"))[-1]
    assert "▓░ 1/2" in first.text and first.buttons[0].label == "✅ Find a meeting"
    done = await chat.press_label("Go once")
    assert "You reached your goal" in done[0].text and "▓▓ 2/2" in done[1].text
    goal = (await storage.goals_of(await person_id(storage), include_closed=True))[0]
    assert goal.completed_at is not None and not goal.open
    undo = (await chat.press_label("Go once"))[-1]  # tap again to undo: open again
    assert "▓░ 1/2" in undo.text
    goal = (await storage.goals_of(await person_id(storage)))[0]
    assert goal.completed_at is None


async def test_goal_title_too_long_is_asked_again(chat: Chat, storage: Storage) -> None:
    await onboard(chat)
    await chat.command("goal", "add")
    replies = await chat.say("x" * (MAX_TITLE_CHARS + 1))
    assert f"{MAX_TITLE_CHARS} characters at most" in replies[0].text
    assert "What's the goal?" in replies[1].text
    assert "short-term goal" in (await chat.say("Sleep by eleven"))[-1].text
    empty = await chat.command("goal", "add", "\u200b")  # invisible only: nothing to save
    assert "few words" in empty[0].text


async def test_target_date_in_the_past_is_refused(chat: Chat, storage: Storage) -> None:
    await onboard(chat)
    await chat.command("goal", "add", "Save", "some", "money")
    await chat.say("long")
    past = await chat.say("2026-11-01")
    assert "already passed" in past[0].text and past[1].buttons[0].label == "No date"
    assert "already passed" in (await chat.say("yesterday"))[0].text
    assert "couldn't read that as a date" in (await chat.say("someday"))[0].text
    assert "steps" in (await chat.say("today"))[-1].text  # today is fine
    await chat.press_label("No steps")
    goal = (await storage.goals_of(await person_id(storage)))[0]
    assert goal.term is GoalTerm.LONG and goal.target_date == date(2026, 11, 27)


async def test_goal_without_steps_is_marked_reached(chat: Chat, storage: Storage) -> None:
    await onboard(chat)
    await chat.command("goal", "add", "Call my sister")
    await chat.press_label("Short-term")
    await chat.press_label("No date")
    card = (await chat.press_label("No steps"))[-1]
    assert "0/1" in card.text and card.buttons[0].label == "Mark as reached"
    reached = await chat.press_label("Mark as reached")
    assert "You reached your goal" in reached[0].text
    listing = (await chat.command("goals"))[0].text
    assert "Goals reached in the last 30 days: 1" in listing


async def test_goals_list_set_aside_and_other_peoples_buttons(chat: Chat, storage: Storage) -> None:
    assert "/start" in (await chat.command("goals"))[0].text  # not set up yet
    await onboard(chat)
    assert "You don't have any goals yet" in (await chat.command("goals"))[0].text
    for title in ("Walk daily", "Update my CV"):
        await chat.command("goal", "add", title)
        await chat.say("short")
        await chat.say("no")
        await chat.say("no steps")
    listing = (await chat.command("goals"))[0]
    assert "1. Walk daily" in listing.text and "2. Update my CV" in listing.text
    assert [b.label for b in listing.buttons] == ["1. Walk daily", "2. Update my CV"]
    card = (await chat.press(listing.buttons[1].payload))[-1]
    confirm = (await chat.press(card.buttons[-1].payload))[-1]
    assert "Set aside “Update my CV”?" in confirm.text
    assert "set aside" in (await chat.press_label("Yes, set it aside"))[0].text
    assert "Update my CV" not in (await chat.command("goals"))[0].text
    assert "set aside" in (await chat.press(card.buttons[0].payload))[0].text

    other = Chat(chat.dispatcher, user_id="2002")
    await onboard(other, name="Kim")
    stale = await other.press(listing.buttons[0].payload)
    assert "older message" in stale[0].text
    assert "older message" in (await other.press(TICK.encode(TickPress(999, 1))))[0].text


async def test_too_many_open_goals(chat: Chat, storage: Storage, clock: FakeClock) -> None:
    await onboard(chat)
    pid = await person_id(storage)
    for n in range(MAX_OPEN_GOALS):
        await storage.create_goal(
            pid, title=f"Goal {n}", term=GoalTerm.SHORT, target_date=None, steps=(), now=clock()
        )
    reply = (await chat.command("goal", "add"))[0].text
    assert f"{MAX_OPEN_GOALS} goals on the go" in reply


async def test_comment_shows_on_the_card(chat: Chat, storage: Storage, clock: FakeClock) -> None:
    await onboard(chat)
    mentor = await storage.create_person(
        Account(AccountAddress("test", "m1"), person_id=0, chat_id="m1"),
        role=Role.MENTOR,
        consented_at=clock(),
        display_name="Robin",
    )
    await chat.command("goal", "add", "Walk daily")
    await chat.say("short")
    await chat.say("no")
    await chat.say("no")
    goal = (await storage.goals_of(await person_id(storage)))[0]
    await storage.add_goal_comment(goal.id, mentor.id, "Proud of you!", clock())
    card = (await chat.press(SHOW.encode(ShowPress(goal.id))))[-1]
    assert "💬 Robin: “Proud of you!”" in card.text


async def test_weekly_review_is_scheduled_sent_once_and_skipped_without_goals(
    ctx: Context,
    chat: Chat,
    storage: Storage,
    clock: FakeClock,
    messenger: RecordingMessenger,
) -> None:
    await onboard(chat)  # Denver
    pid = await person_id(storage)
    menu = (await chat.command("goal", "review"))[0]
    assert "10:00 am" in menu.text and menu.buttons[6].label == "Sunday"
    done = (await chat.press_label("Sunday"))[0].text
    assert "every Sunday at 10:00 am" in done
    row = await storage.get_due(GOAL_REVIEW, str(pid))
    # Sunday 29 Nov 2026, 10:00 in Denver (MST, UTC-7).
    sunday = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)
    assert row is not None and row.due_at == sunday and row.occurrence == "2026-11-29"

    worker = DueWorker(ctx, {GOAL_REVIEW: run_goal_review})
    clock.set(sunday + timedelta(seconds=5))
    await worker.tick()
    assert messenger.sent == []  # no open goals: nothing to review
    status = await storage.delivery_status(GOAL_REVIEW, str(pid), "2026-11-29")
    assert status is DeliveryStatus.SKIPPED
    row = await storage.get_due(GOAL_REVIEW, str(pid))
    assert row is not None and row.due_at == sunday + timedelta(days=7)

    await chat.command("goal", "add", "Walk daily")
    await chat.say("short")
    await chat.say("no")
    await chat.say("Buy shoes")
    await chat.say("done")
    clock.set(sunday + timedelta(days=7, seconds=5))
    await worker.tick()
    await worker.tick()
    review = messenger.to("1001")
    assert len(review) == 1
    assert (
        "weekly look at your goals" in review[0].text and "1. Walk daily  ░ 0/1" in review[0].text
    )
    assert review[0].buttons[0].payload.startswith("gl:show:")

    assert "no weekly goal review" in (await chat.command("goal", "review", "off"))[0].text
    assert await storage.get_due(GOAL_REVIEW, str(pid)) is None


async def test_a_new_time_zone_moves_the_queued_review(
    chat: Chat, storage: Storage, clock: FakeClock
) -> None:
    await onboard(chat)  # Denver
    pid = await person_id(storage)
    await chat.command("goal", "review")
    await chat.press_label("Sunday")
    await chat.command("settings")
    await chat.press(MENU.encode(MenuPress("zone")))
    await chat.say("Europe/London")
    await chat.press(profile_routes("st").zone_yes.encode(ZoneYesPress()))
    row = await storage.get_due(GOAL_REVIEW, str(pid))
    # Sunday 29 Nov 2026, 10:00 in London (GMT) instead of in Denver.
    assert row is not None and row.due_at == datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


async def test_a_draft_of_an_unknown_shape_is_stale_not_an_error(
    chat: Chat, storage: Storage, clock: FakeClock
) -> None:
    """A draft saved by an older version (or damaged) ends the flow with the stale answer."""
    from handlers.goals.cards import STEPS_DONE, StepsDonePress
    from storage.conversations import ConversationState

    await onboard(chat)
    for data in ({"title": 5}, {"title": "Walk", "term": "forever"}, {"title": "W", "steps": "x"}):
        state = ConversationState(flow="gl", step="steps", data=dict(data))
        await storage.save_conversation(ADDRESS, state, clock())
        [reply] = await chat.press(STEPS_DONE.encode(StepsDonePress()))
        assert "older message" in reply.text
        await storage.save_conversation(ADDRESS, state, clock())
        [reply] = await chat.say("done")
        assert "older message" in reply.text
        assert await storage.load_conversation(ADDRESS) is None
