"""The crisis path does not depend on reading anything: an unreadable stored conversation
(damaged, or sealed under another key) must not stop /sos, /help or /deleteme."""

from __future__ import annotations

import pytest

from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.texts import common
from storage.sqlite import SqliteStorage
from tests.support import Chat, onboard


async def damage_conversation(storage: SqliteStorage) -> None:
    async with storage.db.write() as db:
        db.execute("UPDATE conversation_state SET data = ?", ("not json, not a token",))


@pytest.mark.parametrize("command", ["sos", "help", "deleteme"])
async def test_commands_answer_when_the_conversation_cannot_be_read(
    ctx: Context, dispatcher: Dispatcher, storage: SqliteStorage, chat: Chat, command: str
) -> None:
    await onboard(chat)
    await chat.command("settings")  # a conversation is stored
    await damage_conversation(storage)
    replies = await chat.command(command)
    assert replies and all(r.text != common.SOMETHING_WENT_WRONG for r in replies)
    if command == "sos":
        assert "988" in replies[0].text  # the resources, first


async def test_a_crisis_text_is_answered_when_the_conversation_cannot_be_read(
    ctx: Context, dispatcher: Dispatcher, storage: SqliteStorage, chat: Chat
) -> None:
    await onboard(chat)
    await chat.command("checkin")
    await damage_conversation(storage)
    [reply] = await chat.say("i want to end my life")
    assert "988" in reply.text
