"""The logs of a whole run hold no message text and no secret, even at DEBUG.

A real ``peerbot run`` process against the Telegram emulator, with ``[logging] level = "DEBUG"``
and a data key: onboarding, a check-in with a note, /mydata and a crisis message. Then every
text the person sent, every text the bot sent, the bot token and the data key are looked for in
everything the process logged: none may be there.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from storage.crypto import TextCipher
from tests.support.emulator import EmulatorHandle, running_emulator
from tests.support.privacy import raw_bytes

pytestmark = pytest.mark.e2e  # a real `peerbot run` subprocess against the Node emulator

ROOT = Path(__file__).resolve().parent.parent
USER = 5151
NAME = "Marisolde"
NOTE = "today I walked past the old bar and kept going, E2E-note-8812"
CRISIS = "I want to end my life tonight E2E-crisis-3391"
WAIT = 15


def has_text(part: str) -> Callable[[dict[str, Any]], bool]:
    return lambda message: part in (message.get("text") or "")


def button(message: dict[str, Any], label_part: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for key in row:
            if label_part in key["text"]:
                return str(key["callback_data"])
    raise AssertionError(f"no button like {label_part!r} in {message}")


async def drain(stream: asyncio.StreamReader, into: list[str], started: asyncio.Event) -> None:
    while line := await stream.readline():
        into.append(line.decode(errors="replace"))
        if "started the TelegramAdapter" in into[-1]:
            started.set()


async def start_bot(emu: EmulatorHandle, tmp_path: Path, key: str) -> asyncio.subprocess.Process:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\napi_base_url = "{emu.base_url}"\npoll_timeout = 1\n'
        '[logging]\nlevel = "DEBUG"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERBOT_")}
    env.update(
        PEERBOT_TELEGRAM_TOKEN=emu.token,
        PEERBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        PEERBOT_DATA_KEY=key,
        PYTHONPATH=str(ROOT),
    )
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--config", str(config),
        cwd=tmp_path, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def converse(emu: EmulatorHandle) -> list[str]:
    """Onboarding, a check-in with a note, /mydata, a crisis message; returns what was typed."""
    typed = ["/start", NAME, "Denver", "8pm", "/checkin", NOTE, "/mydata", CRISIS]
    await emu.send_command(USER, USER, "/start")
    welcome = await emu.wait_for_bot_message(USER, has_text("Is that okay?"), within=WAIT)
    await emu.press_button(USER, USER, welcome["message_id"], button(welcome, "Yes"))
    await emu.wait_for_bot_message(USER, has_text("What name"), within=WAIT)
    await emu.send_message(USER, USER, NAME)
    await emu.wait_for_bot_message(USER, has_text("Which city"), within=WAIT)
    await emu.send_message(USER, USER, "Denver")
    zone = await emu.wait_for_bot_message(USER, has_text("Is that right?"), within=WAIT)
    await emu.press_button(USER, USER, zone["message_id"], button(zone, "Yes"))
    await emu.wait_for_bot_message(USER, has_text("What time of day"), within=WAIT)
    await emu.send_message(USER, USER, "8pm")
    since = await emu.wait_for_bot_message(USER, has_text("recovery from"), within=WAIT)
    await emu.press_button(USER, USER, since["message_id"], button(since, "Skip"))
    await emu.wait_for_bot_message(USER, has_text("You're all set"), within=WAIT)

    await emu.send_command(USER, USER, "/checkin")
    for question, label in (("feeling", "Good"), ("cravings", "2"), ("used since", "No")):
        asked = await emu.wait_for_bot_message(USER, has_text(question), within=WAIT)
        await emu.press_button(USER, USER, asked["message_id"], button(asked, label))
    await emu.wait_for_bot_message(USER, has_text("Anything you'd like to note"), within=WAIT)
    await emu.send_message(USER, USER, NOTE)
    await emu.wait_for_bot_message(USER, has_text("Thanks for checking in"), within=WAIT)

    await emu.send_command(USER, USER, "/mydata")
    await emu.wait_for_bot_messages(USER, predicate=lambda m: "document" in m, within=WAIT)
    await emu.send_message(USER, USER, CRISIS)
    await emu.wait_for_bot_message(USER, has_text("988"), within=WAIT)
    return typed


async def test_a_whole_run_logs_no_message_text_and_no_secret(tmp_path: Path) -> None:
    key = TextCipher.generate_key()
    async with running_emulator() as emu:
        bot = await start_bot(emu, tmp_path, key)
        assert bot.stderr is not None and bot.stdout is not None
        logged: list[str] = []
        started = asyncio.Event()
        readers = [
            asyncio.create_task(drain(bot.stderr, logged, started)),
            asyncio.create_task(drain(bot.stdout, logged, started)),
        ]
        try:
            await asyncio.wait_for(started.wait(), timeout=30)
            typed = await converse(emu)
            sent = [m.get("text") or m.get("caption") or "" for m in await emu.bot_messages(USER)]
            documents = [m for m in await emu.bot_messages(USER) if "document" in m]
        finally:
            bot.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(bot.wait(), timeout=30) == 0
            await asyncio.gather(*readers)

    log = "".join(logged)
    assert "DEBUG handlers.dispatcher" in log  # DEBUG really was on
    assert "crisis screen hit" in log  # and the run really did what it says
    assert "PEERBOT_DATA_KEY is not set" not in log
    assert documents and documents[0]["document"]["file_name"].endswith(".json")
    assert "Traceback" not in log
    leaks = [text for text in typed if text in log]
    leaks += [text for text in sent if len(text) >= 12 and text in log]
    # Lines of the bot's longer messages, too, in case a message was logged in part.
    leaks += [
        line for text in sent for line in text.splitlines() if len(line) >= 20 and line in log
    ]
    leaks += [secret for secret in (emu.token, emu.token.split(":")[1], key) if secret in log]
    assert leaks == [], leaks

    # The note is stored (encrypted: not in the file's bytes) and reads back.
    raw = raw_bytes(tmp_path / "bot.db")
    assert NOTE.encode() not in raw and NAME.encode() in raw
    with sqlite3.connect(tmp_path / "bot.db") as db:
        stored = db.execute(
            "SELECT value_text FROM checkin_answers WHERE question_key = 'note'"
        ).fetchone()
    assert stored is not None and TextCipher(key).decrypt(stored[0]) == NOTE
