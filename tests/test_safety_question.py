"""Asking when unsure: a ``possible`` verdict gets the direct question, and each answer (or
none) does what a crisis counsellor would. The learned stage that gives ``possible`` is not on
main yet, so these tests screen with the real phrase screen plus a stand-in that answers
``possible`` for one marker text, and run the program's real dispatcher around it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from handlers import app, crisis
from handlers.context import Context
from handlers.crisis import ask
from handlers.crisis import texts as crisis_texts
from handlers.dispatcher import Dispatcher
from handlers.screening import CrisisAssessment, Level
from handlers.texts import common
from handlers.texts import program as checkin_texts
from scheduling.due import DueWorker
from storage.mentoring import Severity, Trigger
from storage.people import AccountAddress
from storage.sqlite import SqliteStorage
from tests.support import Chat, FakeClock, RecordingMessenger
from tests.support.chat import Room
from tests.support.mentoring import pings, team

UNSURE = "i don't see the point of any of it anymore"
"""The stand-in model's marker: it answers ``possible`` for a text holding this."""


def unsure_assess(text: str) -> CrisisAssessment:
    if UNSURE in text.lower():
        return CrisisAssessment(Level.POSSIBLE, category="no_future", matched="test_model")
    return crisis.assess(text)


@pytest.fixture
def dispatcher(ctx: Context) -> Dispatcher:
    """The program's dispatcher, with a screen that can say ``possible``."""
    return Dispatcher(app.assemble(ctx), replace(app.SAFETY, assess=unsure_assess))


def test_the_marker_is_not_a_phrase_screen_hit() -> None:
    assert not crisis.assess(UNSURE).flagged


async def test_possible_gets_the_direct_question_with_resources(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger
) -> None:
    t = await team(ctx, dispatcher)
    messenger.clear()
    [reply] = await t.mentee.say(UNSURE)
    assert crisis_texts.ASK_QUESTION in reply.text
    assert "988" in reply.text  # the crisis line, whatever the answer
    assert [b.label for b in reply.buttons] == [
        crisis_texts.ASK_YES,
        crisis_texts.ASK_NO,
        crisis_texts.ASK_RATHER_NOT_SAY,
    ]
    assert pings(messenger) == []  # asking alerts nobody yet


async def test_yes_raises_an_urgent_alert_and_sends_the_crisis_reply(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger, storage: SqliteStorage
) -> None:
    t = await team(ctx, dispatcher)
    messenger.clear()
    await t.mentee.say(UNSURE)
    replies = await t.mentee.press_label(crisis_texts.ASK_YES)
    assert replies[0].text.startswith(crisis_texts.CRISIS_OPENING)
    assert "988" in replies[0].text and crisis_texts.CRISIS_MENTOR_ALERTED in replies[0].text
    [alert] = await storage.open_alerts([t.mentee_id])
    assert alert.severity is Severity.URGENT and alert.trigger is Trigger.CRISIS
    [ping] = pings(messenger, "m1")
    assert "*Sam*" in ping.text and UNSURE not in ping.text.lower()
    assert await storage.get_due(ask.UNANSWERED, str(t.mentee_id)) is None


async def test_rather_not_say_alerts_like_yes_and_answers_gently(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger, storage: SqliteStorage
) -> None:
    t = await team(ctx, dispatcher)
    messenger.clear()
    await t.mentee.say(UNSURE)
    [reply] = await t.mentee.press_label(crisis_texts.ASK_RATHER_NOT_SAY)
    assert reply.text.startswith(crisis_texts.ASK_QUIET_OPENING)
    assert "988" in reply.text and crisis_texts.ASK_QUIET_MENTOR_ALERTED in reply.text
    [alert] = await storage.open_alerts([t.mentee_id])
    assert alert.severity is Severity.URGENT
    assert len(pings(messenger, "m1")) == 1


async def test_no_ends_warmly_without_an_alert(
    ctx: Context,
    dispatcher: Dispatcher,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
    clock: FakeClock,
) -> None:
    t = await team(ctx, dispatcher)
    worker = DueWorker(ctx)
    await worker.tick()
    messenger.clear()
    await t.mentee.say(UNSURE)
    [reply] = await t.mentee.press_label(crisis_texts.ASK_NO)
    assert reply.text.startswith(crisis_texts.ASK_NO_OPENING)
    assert "988" in reply.text and reply.buttons == ()
    clock.advance(hours=1)
    await worker.tick()
    assert await storage.open_alerts([t.mentee_id]) == []
    assert pings(messenger) == []


async def test_no_answer_in_30_minutes_raises_a_normal_alert_from_the_due_queue(
    ctx: Context,
    dispatcher: Dispatcher,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
    clock: FakeClock,
) -> None:
    t = await team(ctx, dispatcher)
    worker = DueWorker(ctx)
    await worker.tick()
    messenger.clear()
    start = clock()
    await t.mentee.say(UNSURE)
    clock.set(start + timedelta(minutes=29))
    await t.mentee.say(UNSURE)  # asked again: the deadline is not put off
    await worker.tick()
    assert await storage.open_alerts([t.mentee_id]) == []
    clock.set(start + timedelta(minutes=30))
    await worker.tick()
    [alert] = await storage.open_alerts([t.mentee_id])
    assert alert.severity is Severity.NORMAL and alert.trigger is Trigger.POSSIBLE_UNANSWERED
    [ping] = pings(messenger, "m1")
    assert "*Sam*" in ping.text and "asked whether they're safe" in ping.text
    assert UNSURE not in ping.text.lower()


async def test_three_possible_in_a_week_note_the_mentor_once(
    ctx: Context,
    dispatcher: Dispatcher,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
    clock: FakeClock,
) -> None:
    t = await team(ctx, dispatcher)
    worker = DueWorker(ctx)
    await worker.tick()
    messenger.clear()
    for _day in range(4):
        await t.mentee.say(UNSURE)
        await t.mentee.press_label(crisis_texts.ASK_NO)
        await worker.tick()
        clock.advance(days=1)
    alerts = await storage.open_alerts([t.mentee_id])
    repeated = [a for a in alerts if a.trigger is Trigger.POSSIBLE_REPEATED]
    assert [a.severity for a in repeated] == [Severity.NORMAL]  # once, not on the fourth
    assert all(a.trigger is not Trigger.POSSIBLE_UNANSWERED for a in alerts)  # all answered
    [ping] = [p for p in pings(messenger, "m1") if "made me ask" in p.text]
    assert ping.text.startswith("Heads-up: *Sam*")


async def test_the_open_check_in_continues_after_the_question(
    ctx: Context, dispatcher: Dispatcher, storage: SqliteStorage
) -> None:
    t = await team(ctx, dispatcher)
    address = AccountAddress("test", t.mentee.user_id)
    [asked] = await t.mentee.command("checkin")
    assert checkin_texts.MOOD_QUESTION in asked.text
    before = await storage.load_conversation(address)
    assert before is not None and before.flow == "ck"
    await t.mentee.say(UNSURE)
    assert await storage.load_conversation(address) == before
    await t.mentee.press_label(crisis_texts.ASK_NO)
    assert await storage.load_conversation(address) == before
    replies = await t.mentee.say("4")
    assert checkin_texts.CRAVING_QUESTION in replies[-1].text


async def test_someone_not_yet_known_is_asked_and_nothing_is_stored(
    dispatcher: Dispatcher, storage: SqliteStorage
) -> None:
    stranger = Chat(dispatcher, user_id="new")
    [reply] = await stranger.say(UNSURE)
    assert crisis_texts.ASK_QUESTION in reply.text and "988" in reply.text
    replies = await stranger.press_label(crisis_texts.ASK_YES)
    assert "988" in replies[0].text and crisis_texts.CRISIS_NOBODY_ALERTED in replies[0].text
    assert await storage.open_alerts(None) == []


async def test_in_a_group_the_question_goes_privately(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger
) -> None:
    t = await team(ctx, dispatcher)
    messenger.clear()
    room = Room(dispatcher, user_id=t.mentee.user_id)
    assert await room.say(UNSURE) == []
    [private] = messenger.to(t.mentee.user_id)
    assert crisis_texts.ASK_QUESTION in private.text


async def test_a_damaged_press_is_stale(dispatcher: Dispatcher) -> None:
    chat = Chat(dispatcher, user_id="someone")
    for payload in ("sq:", "sq:yes:1", "sq:maybe", "sq:YES"):
        [reply] = await chat.press(payload)
        assert reply.text.startswith(common.STALE_BUTTON.split("{")[0])
