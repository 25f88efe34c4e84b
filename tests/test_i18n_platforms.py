"""The platforms' own menus in each language: Telegram's command list per ``language_code``
(the emulator records setMyCommands) and Discord's slash-command description localizations
(simcord records the sync), through the real client libraries."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.adapters.telegram import TelegramAdapter, TelegramSettings
from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.messaging import Messengers
from handlers.program import ProgramSettings
from storage.people import Role
from storage.sqlite import SqliteStorage
from tests.support import FakeClock
from tests.support.discord_world import World, discord_world
from tests.support.emulator import EmulatorHandle


@pytest.mark.e2e
async def test_telegram_menu_is_published_per_language(
    emulator_process: EmulatorHandle, storage: SqliteStorage, clock: FakeClock
) -> None:
    emu = emulator_process
    await emu.reset()
    ctx = assemble(
        Context(storage=storage, program=ProgramSettings(), messengers=Messengers(), clock=clock)
    )
    dispatcher = build_dispatcher(ctx)

    def mentee_commands() -> list[tuple[str, str]]:  # as bot/runner.py lists them
        specs = dispatcher.commands_for(frozenset({Role.MENTEE}), True)
        return [(spec.name, spec.described()) for spec in specs]

    adapter = TelegramAdapter(
        emu.token,
        dispatcher,
        TelegramSettings(api_base_url=emu.base_url, poll_timeout=1),
        command_listing=mentee_commands,
    )
    await adapter.start()
    await adapter.stop()
    menus: dict[Any, dict[str, str]] = {}
    for call in await emu.calls("setMyCommands"):
        params = call["params"]
        commands = params["commands"]
        commands = json.loads(commands) if isinstance(commands, str) else commands
        menus[params.get("language_code")] = {c["command"]: c["description"] for c in commands}
    assert menus[None]["checkin"] == "do your daily check-in now"
    assert menus["es"]["checkin"] == "hacer tu registro diario ahora"
    assert menus["es"].keys() == menus[None].keys()  # the same commands, only described in Spanish


@pytest.fixture
async def world(storage: SqliteStorage, clock: FakeClock) -> AsyncIterator[World]:
    async with discord_world(storage, clock) as w:
        yield w


async def test_discord_slash_commands_carry_spanish_descriptions(world: World) -> None:
    await world.slash("help")  # the adapter is up and its commands synced
    synced = [
        r.json
        for r in world.env.http_requests
        if r.method == "PUT" and r.path.endswith("/commands") and isinstance(r.json, list)
    ]
    assert synced
    checkin = next(c for c in synced[-1] if c["name"] == "checkin")
    assert checkin["description"] == "do your daily check-in now"
    localized = checkin.get("description_localizations") or {}
    assert localized.get("es-ES") == "hacer tu registro diario ahora"
    assert localized.get("es-419") == "hacer tu registro diario ahora"
    assert "name_localizations" not in checkin or not checkin["name_localizations"]
