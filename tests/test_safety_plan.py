"""``/safetyplan``: built in the chat, editable, shown on a crisis hit and on /sos, private."""

from __future__ import annotations

from handlers.context import Context
from handlers.crisis.safety_plan import DONE, EDIT, MAX_PART_CHARS, DonePress, EditPress
from handlers.dispatcher import Dispatcher
from storage.people import AccountAddress
from storage.sqlite import SqliteStorage
from tests.support import Chat, RecordingMessenger, onboard
from tests.support.mentoring import pings, team


async def build_plan(chat: Chat) -> list[str]:
    start = await chat.command("safetyplan")
    assert "stays private" in start[0].text and "1 of 4" in start[1].text
    asked = [(await chat.say("not sleeping, skipping meals"))[0].text]
    asked.append((await chat.say("a walk by the river"))[0].text)
    asked.append((await chat.press_label("Skip"))[0].text)  # people and places: later
    asked.append((await chat.say("my counsellor Dana 555-0100"))[0].text)
    return asked


async def test_build_show_and_edit(chat: Chat, storage: SqliteStorage) -> None:
    await onboard(chat)
    asked = await build_plan(chat)
    assert "2 of 4" in asked[0] and "3 of 4" in asked[1] and "4 of 4" in asked[2]
    assert "saved" in asked[3] and "/safetyplan" in asked[3]
    person = await storage.person_for_account(AccountAddress("test", "1001"))
    assert person is not None
    plan = await storage.get_safety_plan(person.id)
    assert plan is not None and plan.people_places == "" and plan.what_helps.startswith("a walk")

    [shown] = await chat.command("safetyplan")
    assert "a walk by the river" in shown.text and "(nothing yet)" in shown.text
    await chat.press(EDIT.encode(EditPress("people_places")))
    [updated, again] = await chat.say("my sister Jo, the Tuesday meeting")
    assert updated.text == "Updated." and "my sister Jo" in again.text
    await chat.press_label("Edit What helps")
    [kept, _] = await chat.press_label("Keep")
    assert kept.text == "Updated."
    closed = await chat.press(DONE.encode(DonePress()))
    assert "any time" in closed[0].text
    assert await storage.load_conversation(AccountAddress("test", "1001")) is None
    stale = await chat.press(EDIT.encode(EditPress("what_helps")))
    assert "older message" in stale[0].text


async def test_too_long_and_all_skipped(chat: Chat, storage: SqliteStorage) -> None:
    await onboard(chat)
    await chat.command("safetyplan")
    [too_long, asked_again] = await chat.say("x" * (MAX_PART_CHARS + 1))
    assert str(MAX_PART_CHARS) in too_long.text and "1 of 4" in asked_again.text
    for _ in range(4):
        last = await chat.press_label("Skip")
    assert "nothing is saved" in last[0].text
    [crisis] = await chat.say("i want to kill myself")
    assert "safety plan" not in crisis.text


async def test_shown_on_crisis_and_sos_after_the_resources_never_to_the_mentor(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger
) -> None:
    t = await team(ctx, dispatcher)
    await build_plan(t.mentee)
    for reply in (await t.mentee.command("sos"), await t.mentee.say("i want to die")):
        text = reply[0].text
        assert len(reply) == 1
        assert text.index("988") < text.index("Your safety plan") < text.index("mentor know")
        assert "a walk by the river" in text and "Dana 555-0100" in text
        assert "People and places" not in text  # an empty part is left out
    for ping in pings(messenger):
        assert "river" not in ping.text and "Dana" not in ping.text
    [listing] = await t.mentor.command("mentees")
    assert "river" not in listing.text


async def test_a_crisis_typed_into_the_plan_gets_the_crisis_reply(
    chat: Chat, storage: SqliteStorage
) -> None:
    await onboard(chat)
    await chat.command("safetyplan")
    [reply] = await chat.say("when i start thinking i want to kill myself")
    assert "988" in reply.text
    state = await storage.load_conversation(AccountAddress("test", "1001"))
    assert state is not None and state.step == "build:warning_signs"  # still open, to rephrase
