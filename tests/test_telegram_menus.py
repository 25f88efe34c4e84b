"""Per-person command menus on Telegram, through the real python-telegram-bot and the emulator."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.adapters.telegram import TelegramAdapter, TelegramSettings
from bot.adapters.telegram_menus import PersonalMenus
from handlers.account.help import personal_menu
from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.messaging import Messengers
from handlers.program import ProgramSettings
from storage.people import AccountAddress, InviteCode, Role
from storage.sqlite import SqliteStorage
from tests.support import FakeClock
from tests.support.emulator import EmulatorHandle, running_emulator

pytestmark = pytest.mark.e2e  # the Node Telegram emulator

USER = 777


@pytest.fixture
async def started(
    storage: SqliteStorage, clock: FakeClock
) -> AsyncIterator[tuple[EmulatorHandle, TelegramAdapter]]:
    ctx = assemble(
        Context(storage=storage, program=ProgramSettings(), messengers=Messengers(), clock=clock)
    )
    dispatcher = build_dispatcher(ctx)

    async def menu_for(address: AccountAddress) -> list[tuple[str, str]] | None:
        return await personal_menu(ctx, dispatcher.commands_for, address)

    async with running_emulator() as emu:
        adapter = TelegramAdapter(
            emu.token,
            dispatcher,
            TelegramSettings(api_base_url=emu.base_url, poll_timeout=1),
            command_listing=lambda: [
                (s.name, s.description)
                for s in dispatcher.commands_for(frozenset({Role.MENTEE}), True)
            ],
            menus=PersonalMenus(menu_for),
        )
        ctx.messengers.add(adapter.messenger)
        await adapter.start()
        try:
            yield emu, adapter
        finally:
            await adapter.stop()


def scoped(call: dict[str, Any]) -> Any:
    scope = call["params"].get("scope")
    return json.loads(scope) if isinstance(scope, str) else scope


async def test_a_mentor_gets_their_own_menu(
    started: tuple[EmulatorHandle, TelegramAdapter], storage: SqliteStorage, clock: FakeClock
) -> None:
    emu, _ = started
    await storage.create_invite(
        InviteCode("MENTORX", Role.MENTOR, 1, clock(), expires_at=clock() + timedelta(days=1))
    )
    default = await emu.calls("setMyCommands")
    # The mentees' menu for everyone: once in English, once per other language's code.
    assert [c["params"].get("language_code") for c in default] == [None, "es"]
    assert all(scoped(c) in (None, {"type": "default"}) for c in default)
    assert "mentees" not in json.dumps([c["params"] for c in default])

    await emu.send_command(USER, USER, "/start", "MENTORX")
    welcome = await emu.wait_for_bot_message(
        USER, lambda m: "Is that okay?" in (m.get("text") or "")
    )
    data = welcome["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await emu.press_button(USER, USER, welcome["message_id"], data)
    for text in ("River", "Denver"):
        await emu.send_message(USER, USER, text)
        await emu.wait_for_bot_messages(USER, 1, within=5)
    confirm = await emu.wait_for_bot_message(
        USER, lambda m: "Is that right?" in (m.get("text") or "")
    )
    yes = confirm["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await emu.press_button(USER, USER, confirm["message_id"], yes)
    # A mentor is not asked for a check-in time: staff have check-ins off until they choose.
    await emu.wait_for_bot_message(USER, lambda m: "all set" in (m.get("text") or ""))

    await emu.send_command(USER, USER, "/help")
    await emu.wait_for_bot_message(USER, lambda m: "what you can do" in (m.get("text") or ""))
    # The menu is refreshed right after the reply: wait (bounded) for that call to arrive.
    personal: list[dict[str, Any]] = []
    for _ in range(200):
        personal = [c for c in await emu.calls("setMyCommands") if not is_default(c)]
        if personal:
            break
        await asyncio.sleep(0.05)
    assert len(personal) == 1
    assert scoped(personal[0]) == {"type": "chat", "chat_id": USER}
    assert "mentees" in json.dumps(personal[0]["params"])
    # Unchanged roles: nothing republished. A person's updates are handled in order, so once
    # the third /help is answered, the second one's refresh has run.
    for _ in range(2):
        before = len(await emu.bot_messages(USER))
        await emu.send_command(USER, USER, "/help")
        await emu.wait_for_bot_messages(USER, before + 1)
    assert len(await emu.calls("setMyCommands")) == len(default) + 1


def is_default(call: dict[str, Any]) -> bool:
    return scoped(call) in (None, {"type": "default"})
