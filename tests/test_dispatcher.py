"""The dispatcher's order of business: crisis screen first, whatever else is going on."""

from __future__ import annotations

import pytest

from handlers.dispatcher import Dispatcher
from handlers.messaging import ChatKind, ConversationRef, IncomingEvent, Text
from storage.people import AccountAddress
from storage.sqlite import SqliteStorage
from tests.support import Chat, onboard

REF = ConversationRef("test", "1001", "1001")


async def test_edits_are_screened_but_never_answer_a_question(
    dispatcher: Dispatcher, chat: Chat, storage: SqliteStorage
) -> None:
    await chat.command("start")
    await chat.press("ob:consent:yes")
    edit = IncomingEvent(REF, Text("Sam"), event_id="e1", edited=True)
    assert await dispatcher.handle(edit) == []
    state = await storage.load_conversation(AccountAddress("test", "1001"))
    assert state is not None and state.step == "name"  # still waiting for the name
    crisis_edit = IncomingEvent(REF, Text("i want to die"), event_id="e2", edited=True)
    [reply] = await dispatcher.handle(crisis_edit)
    assert "988" in reply.text


async def test_crisis_mid_checkin_keeps_the_checkin(chat: Chat, storage: SqliteStorage) -> None:
    await onboard(chat)
    await chat.command("checkin")
    [reply] = await chat.say("honestly i want to kill myself")
    assert "988" in reply.text and "741741" in reply.text
    state = await storage.load_conversation(AccountAddress("test", "1001"))
    assert state is not None and state.flow == "ck" and state.step == "mood"


async def test_group_chatter_is_ignored_but_screened(dispatcher: Dispatcher) -> None:
    group = ConversationRef("test", "-500", "1001")
    chatter = IncomingEvent(group, Text("great meeting today"), chat_kind=ChatKind.GROUP)
    assert await dispatcher.handle(chatter) == []
    crisis = IncomingEvent(group, Text("i dont want to be alive anymore"), chat_kind=ChatKind.GROUP)
    replies = await dispatcher.handle(crisis)
    assert replies and "988" in replies[0].text


async def test_a_failing_flow_apologises_without_a_traceback(
    dispatcher: Dispatcher, chat: Chat, storage: SqliteStorage, caplog: pytest.LogCaptureFixture
) -> None:
    await onboard(chat)

    async def broken(*args: object) -> None:
        raise ValueError("a sentence the person typed")

    dispatcher.commands["checkin"] = dispatcher.commands["checkin"].__class__(
        "checkin",
        "broken",
        broken,  # type: ignore[arg-type]
    )
    [reply] = await chat.command("checkin")
    assert "something went wrong on my side" in reply.text
    assert "Traceback" not in reply.text and "typed" not in reply.text
    logged = [r.getMessage() for r in caplog.records if r.name == "handlers.dispatcher"]
    assert any("ValueError at handlers" in m or "ValueError at" in m for m in logged)
    assert not any("typed" in m for m in logged)  # the exception's message is never logged
