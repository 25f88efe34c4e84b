"""The dispatcher's order of business: crisis screen first, whatever else is going on."""

from __future__ import annotations

import asyncio
from itertools import pairwise

import pytest

from handlers.account.onboarding import CONSENT_YES, ConsentYesPress
from handlers.crisis import assess
from handlers.dispatcher import Dispatcher
from handlers.messaging import ChatKind, ConversationRef, IncomingEvent, Text
from handlers.screening import SCREEN_CHUNK, CrisisAssessment, screen
from storage.people import AccountAddress
from storage.sqlite import SqliteStorage
from tests.support import Chat, onboard

REF = ConversationRef("test", "1001", "1001")


async def test_edits_are_screened_but_never_answer_a_question(
    dispatcher: Dispatcher, chat: Chat, storage: SqliteStorage
) -> None:
    await chat.command("start")
    await chat.press(CONSENT_YES.encode(ConsentYesPress()))
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


async def test_a_huge_message_is_screened_whole_without_holding_the_loop(
    dispatcher: Dispatcher, chat: Chat
) -> None:
    """A 100 KB text is longer than anyone can send, so it is refused; but it is screened
    first, all of it, in chunks with the loop free between them."""
    filler = "I had a long day at work and went to a meeting after. " * 2000
    # at the start, across the first chunk's end (seen whole in the next), mid-way, at the end
    for at in (0, SCREEN_CHUNK - 10, len(filler) // 2, len(filler)):
        text = filler[:at] + " i want to end my life " + filler[at:]
        [reply] = await chat.say(text)
        assert "988" in reply.text, at
    [refused] = await chat.say(filler)
    assert "longer than I can take" in refused.text


async def test_the_screen_lets_other_turns_run_between_chunks() -> None:
    ticks = 0
    seen_at: list[int] = []

    async def other_turns() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    def counting_assess(chunk: str) -> CrisisAssessment:
        seen_at.append(ticks)
        return assess(chunk)

    running = asyncio.create_task(other_turns())
    await asyncio.sleep(0)
    found = await screen(counting_assess, "a calm sentence about my day. " * 4000)
    running.cancel()
    assert not found.is_crisis
    assert len(seen_at) > 30  # 120,000 characters, 3,600 new ones a chunk
    assert all(later > earlier for earlier, later in pairwise(seen_at))


async def test_a_typo_gets_the_command_the_person_may_use(chat: Chat) -> None:
    await onboard(chat)  # a mentee
    said = await chat.command("chekin")
    assert said[0].text.startswith("I don't know /chekin. Did you mean /checkin?")
    said = await chat.command("mentes")  # a mentor's command: no help to a mentee
    assert "Did you mean" not in said[0].text and "/help" in said[0].text
    said = await chat.command("zzzz")
    assert "Did you mean" not in said[0].text
