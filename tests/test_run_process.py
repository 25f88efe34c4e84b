"""``peerbot run`` as a real process against the Telegram emulator, stopped with SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.support.emulator import EmulatorHandle, running_emulator

pytestmark = [
    pytest.mark.e2e,  # a real `peerbot run` subprocess against the Node emulator
    pytest.mark.backends("sqlite", "postgres"),
]

ROOT = Path(__file__).resolve().parent.parent
USER = 4242


def has_text(part: str) -> Callable[[dict[str, Any]], bool]:
    return lambda message: part in (message.get("text") or "")


async def wait_for_line(stream: asyncio.StreamReader, part: str, seen: list[str]) -> None:
    while True:
        line = (await asyncio.wait_for(stream.readline(), timeout=30)).decode()
        if not line:
            raise AssertionError(f"process ended before logging {part!r}:\n{''.join(seen)}")
        seen.append(line)
        if part in line:
            return


async def start_bot(
    emu: EmulatorHandle, tmp_path: Path, database_url: str
) -> asyncio.subprocess.Process:
    config = tmp_path / "config.toml"
    config.write_text(f'[telegram]\napi_base_url = "{emu.base_url}"\npoll_timeout = 1\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERBOT_")}
    env.update(
        PEERBOT_TELEGRAM_TOKEN=emu.token,
        PEERBOT_DATABASE_URL=database_url,
        PYTHONPATH=str(ROOT),
    )
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--config", str(config),
        cwd=tmp_path, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def rows(database_url: str, sql: str) -> list[tuple[Any, ...]]:
    """What the stopped bot left in its database, read with the backend's own client."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            return [tuple(row) for row in db.execute(sql)]
    conn = await asyncpg.connect(database_url)
    try:
        return [tuple(row) for row in await conn.fetch(sql)]
    finally:
        await conn.close()


async def test_sigterm_mid_conversation_keeps_the_answer(tmp_path: Path, database_url: str) -> None:
    async with running_emulator() as emu:
        bot = await start_bot(emu, tmp_path, database_url)
        log: list[str] = []
        assert bot.stderr is not None
        await wait_for_line(bot.stderr, "started the TelegramAdapter", log)

        await emu.send_command(USER, USER, "/start")
        welcome = await emu.wait_for_bot_message(USER, has_text("Is that okay?"), within=15)
        data = welcome["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        await emu.press_button(USER, USER, welcome["message_id"], data)
        await emu.wait_for_bot_message(USER, has_text("What name"), within=15)
        await emu.send_message(USER, USER, "River")
        await emu.wait_for_bot_message(USER, has_text("Nice to meet you, River"), within=15)

        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), timeout=30) == 0
        rest = (await bot.stderr.read()).decode()
        assert "Traceback" not in "".join(log) + rest
        assert emu.token.split(":")[1] not in "".join(log) + rest  # the token is never logged

    assert await rows(database_url, "SELECT display_name FROM people") == [("River",)]
    # a restart would resume at the time-zone question
    assert await rows(database_url, "SELECT step FROM conversation_state") == [("zone",)]
