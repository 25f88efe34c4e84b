"""``run`` with both tokens: the Telegram and Discord adapters in one process, one database.

Telegram goes through the real python-telegram-bot to the emulator; Discord through the real
discord.py to simcord, which is in-process, so this runs ``bot.runner.run`` in the test's own
loop and only swaps the Discord gateway connection for simcord's.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import discord
import pytest
import simcord

from bot.adapters.discord import DiscordAdapter
from bot.config import load_config
from bot.runner import PlatformAdapter, platform_adapters, run
from handlers.dispatcher import Dispatcher
from handlers.messaging import Messengers
from storage.people import AccountAddress
from storage.sqlite import SqliteStorage
from tests.support.emulator import running_emulator

pytestmark = pytest.mark.e2e  # the Node Telegram emulator

USER = 5151


class SimcordGateway:
    """The Discord adapter with simcord standing in for Discord's gateway."""

    def __init__(self, adapter: DiscordAdapter, env: simcord.Env) -> None:
        self.adapter = adapter
        self.env = env

    async def start(self) -> None:
        await self.env.restart_bot(self.adapter.client)

    async def stop(self) -> None:
        await self.adapter.stop(drain_timeout=5)


async def test_both_adapters_start_share_one_core_and_stop_cleanly(tmp_path: Path) -> None:
    placeholder = discord.Client(intents=discord.Intents.default())
    env = simcord.Env(placeholder, approved_intents=discord.Intents.default())
    await env.start()
    sam = env.create_user("sam", global_name="Sam")
    env.create_guild("Recovery Program").add_member(sam)
    try:
        async with running_emulator() as emu:
            config_file = tmp_path / "config.toml"
            config_file.write_text(
                f'[telegram]\napi_base_url = "{emu.base_url}"\npoll_timeout = 1\n'
            )
            config = load_config(
                config_file,
                env={
                    "PEERBOT_TELEGRAM_TOKEN": emu.token,
                    "PEERBOT_DISCORD_TOKEN": "discord-test-token",
                    "PEERBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'both.db'}",
                },
            )
            started: list[str] = []

            def adapters(config, dispatcher: Dispatcher, messengers: Messengers):  # type: ignore[no-untyped-def]
                made: list[PlatformAdapter] = []
                for adapter in platform_adapters(config, dispatcher, messengers):
                    started.append(type(adapter).__name__)
                    if isinstance(adapter, DiscordAdapter):
                        made.append(SimcordGateway(adapter, env))
                    else:
                        made.append(adapter)
                return made

            stop = asyncio.Event()
            running = asyncio.create_task(run(config, stop=stop, make_adapters=adapters))

            await emu.send_command(USER, USER, "/start")
            welcome = await emu.wait_for_bot_message(
                USER, lambda m: "Is that okay?" in (m.get("text") or ""), within=15
            )
            data = welcome["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            await emu.press_button(USER, USER, welcome["message_id"], data)
            await emu.wait_for_bot_message(USER, lambda m: "What name" in (m.get("text") or ""))

            await sam.slash("start")
            await env.settle()
            assert any("Is that okay?" in m.content for m in sam.dm_channel.history())

            stop.set()
            assert await asyncio.wait_for(running, timeout=30) == 0
            assert started == ["TelegramAdapter", "DiscordAdapter"]
    finally:
        await env.shutdown()

    storage = SqliteStorage(tmp_path / "both.db")
    await storage.open()
    try:
        # The Telegram person consented (a person row); the Discord one is at the consent step.
        assert await storage.person_for_account(AccountAddress("telegram", str(USER)))
        assert await storage.load_conversation(AccountAddress("discord", str(sam.id)))
    finally:
        await storage.close()
