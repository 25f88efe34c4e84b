"""A peer circle in a Telegram group, through the real python-telegram-bot and the emulator:
created from the group (set-up continues in a private chat), RSVPs with the announcement's
buttons in the group, a waitlist promotion told by DM, and the 24-hour reminder by DM."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.adapters.telegram import TelegramAdapter, TelegramSettings
from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.messaging import Messengers
from handlers.program import ProgramSettings
from scheduling.due import DueWorker
from storage.people import Account, AccountAddress, Role
from storage.sqlite import SqliteStorage
from tests.support import FakeClock
from tests.support.emulator import EmulatorHandle, running_emulator

pytestmark = pytest.mark.e2e  # the Node Telegram emulator

GROUP = -500
ROBIN, ALEX, BLAIR, CASEY = 201, 202, 203, 204
Msg = dict[str, Any]


def text_of(message: Msg) -> str:
    return str(message.get("text") or message.get("caption") or "")


def button(message: Msg, label_part: str) -> str:
    for row in message.get("reply_markup", {}).get("inline_keyboard", []):
        for key in row:
            if label_part.casefold() in key["text"].casefold():
                return str(key["callback_data"])
    raise AssertionError(f"no button like {label_part!r} in {text_of(message)!r}")


class Telegram:
    def __init__(self, emu: EmulatorHandle) -> None:
        self.emu = emu

    async def newest(self, chat: int, part: str = "") -> Msg:
        return await self.emu.wait_for_bot_message(chat, lambda m: part in text_of(m), within=10)

    async def count(self, chat: int) -> int:
        return len(await self.emu.bot_messages(chat))

    async def say(self, user: int, text: str, chat: int | None = None) -> None:
        before = await self.count(chat or user)
        await self.emu.send_message(chat or user, user, text, first_name=f"u{user}")
        await self.emu.wait_for_bot_messages(chat or user, before + 1, within=10)

    async def press(self, user: int, label: str, chat: int | None = None, part: str = "") -> None:
        message = await self.newest(chat or user, part)
        before = await self.count(chat or user)
        await self.emu.press_button(
            chat or user, user, message["message_id"], button(message, label)
        )
        await self.emu.wait_for_bot_messages(chat or user, before + 1, within=10)


@pytest.fixture
async def telegram(
    storage: SqliteStorage, clock: FakeClock
) -> AsyncIterator[tuple[Telegram, Context]]:
    ctx = assemble(
        Context(storage=storage, program=ProgramSettings(), messengers=Messengers(), clock=clock)
    )
    for user, name, role in (
        (ROBIN, "Robin", Role.FACILITATOR),
        (ALEX, "Alex", Role.MENTEE),
        (BLAIR, "Blair", Role.MENTEE),
        (CASEY, "Casey", Role.MENTEE),
    ):
        account = Account(AccountAddress("telegram", str(user)), person_id=0, chat_id=str(user))
        person = await storage.create_person(
            account, role=role, consented_at=clock(), display_name=name
        )
        await storage.update_settings(person.id, timezone="America/New_York", checkin_time="08:00")
        await storage.mark_onboarded(person.id, clock())
    async with running_emulator() as emu:
        adapter = TelegramAdapter(
            emu.token,
            build_dispatcher(ctx),
            TelegramSettings(api_base_url=emu.base_url, poll_timeout=1),
        )
        ctx.messengers.add(adapter.messenger)
        await adapter.start()
        try:
            yield Telegram(emu), ctx
        finally:
            await adapter.stop()


async def test_a_circle_in_a_telegram_group(
    telegram: tuple[Telegram, Context], clock: FakeClock, storage: SqliteStorage
) -> None:
    tg, ctx = telegram
    await tg.emu.send_message(GROUP, ROBIN, "/circle create", first_name="Robin")
    assert "private message" in text_of(await tg.newest(GROUP, "private"))
    await tg.newest(ROBIN, "What's it called?")  # set-up continues in Robin's private chat
    await tg.say(ROBIN, "Tuesday evening circle")
    await tg.say(ROBIN, "For anyone in recovery who'd like company on a weeknight.")
    await tg.press(ROBIN, "standard guidelines")
    await tg.press(ROBIN, "Tue")
    await tg.say(ROBIN, "7pm")
    await tg.press(ROBIN, "Yes,")
    await tg.press(ROBIN, "Every week")
    await tg.say(ROBIN, "90")
    await tg.say(ROBIN, "2")
    await tg.press(ROBIN, "In that group")
    await tg.press(ROBIN, "Create it", part="Shall I create it?")

    announcement = await tg.newest(GROUP, "Tap Going")
    for person in (ALEX, BLAIR, CASEY):
        before = await tg.count(GROUP)
        await tg.emu.press_button(
            GROUP, person, announcement["message_id"], button(announcement, "Going")
        )
        await tg.emu.wait_for_bot_messages(GROUP, before + 1, within=10)
    assert "waitlist" in text_of(await tg.newest(GROUP)).casefold()  # Casey: capacity was 2
    before = await tg.count(CASEY)
    await tg.emu.press_button(GROUP, ALEX, announcement["message_id"], button(announcement, "Can"))
    promoted = await tg.emu.wait_for_bot_messages(CASEY, before + 1, within=10)
    assert "place" in text_of(promoted[-1]).casefold()  # told privately, not in the group

    [circle] = await storage.circles_led_by(
        (await storage.person_for_account(AccountAddress("telegram", str(ROBIN)))).id  # type: ignore[union-attr]
    )
    first_start = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # Tue 1 Dec, 7pm in New York
    clock.set(first_start - timedelta(hours=24) + timedelta(minutes=1))
    before_blair = await tg.count(BLAIR)
    await DueWorker(ctx).tick()
    reminder = await tg.emu.wait_for_bot_messages(BLAIR, before_blair + 1, within=10)
    assert f"{circle.title} is tomorrow" in text_of(reminder[-1])  # bold markup is stripped
    casey = [text_of(m) for m in await tg.emu.bot_messages(CASEY)]
    assert any("is tomorrow" in t for t in casey)  # promoted from the waitlist: reminded too
    alex = [text_of(m) for m in await tg.emu.bot_messages(ALEX)]
    assert not any("is tomorrow" in t for t in alex)  # Alex said Can't: no reminder
    group = [text_of(m) for m in await tg.emu.bot_messages(GROUP)]
    assert not any("is tomorrow" in t for t in group)  # reminders are private, not in the group
