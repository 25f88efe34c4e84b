"""Guessing codes: redemption attempts are throttled per account, failures are logged and
recorded without the code, and a code is echoed only when it looks like one."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from handlers.account import codeguard
from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.messaging import Messengers
from handlers.program import ProgramSettings
from storage.people import AccountAddress, InviteCode, Role
from storage.sqlite import SqliteStorage
from tests.support import Chat, FakeClock, onboard

WAIT_WORDS = "try again"


def now() -> datetime:
    return datetime.now(UTC)


def counting(storage: SqliteStorage, monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """Count calls of one storage method (by the code it was asked about)."""
    asked: list[str] = []
    real = getattr(storage, name)

    async def spy(code: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(code)
        return await real(code, *args, **kwargs)

    monkeypatch.setattr(storage, name, spy)
    return asked


async def test_fifty_wrong_invite_codes_are_throttled_with_a_growing_wait(
    chat: Chat,
    storage: SqliteStorage,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await onboard(chat)
    asked = counting(storage, monkeypatch, "redeem_invite")
    caplog.set_level(logging.INFO)
    answers = [(await chat.command("join", f"WRONG{n:03d}"))[0].text for n in range(50)]
    assert all("couldn't find" in a for a in answers[:5])
    assert all(WAIT_WORDS in a and "couldn't find" not in a for a in answers[5:])
    assert len(asked) == 5  # the 6th and later never reach storage
    assert "10 minutes" in answers[5]
    assert not any("WRONG" in r.getMessage() for r in caplog.records)
    assert any("failed" in r.getMessage() for r in caplog.records)

    clock.advance(minutes=10)  # the first wait is over: five more tries, then a longer wait
    for n in range(5):
        assert "couldn't find" in (await chat.command("join", f"AGAIN{n}"))[0].text
    longer = (await chat.command("join", "AGAIN5"))[0].text
    assert WAIT_WORDS in longer and "20 minutes" in longer
    assert len(asked) == 10

    clock.advance(minutes=20)  # a right code after the wait works
    now = clock()
    await storage.create_invite(InviteCode("RIGHT1", Role.MENTOR, 1, now, now + timedelta(1)))
    assert "joined as a mentor" in (await chat.command("join", "RIGHT1"))[0].text


async def test_start_code_and_link_code_are_throttled_too(
    dispatcher: Dispatcher, storage: SqliteStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    stranger = Chat(dispatcher, user_id="666")
    checked = counting(storage, monkeypatch, "check_invite")
    for n in range(8):
        await stranger.command("start", f"GUESS{n}")
    assert len(checked) == 5
    assert WAIT_WORDS in stranger.replies[-1].text
    linker = Chat(dispatcher, user_id="667")
    tried = counting(storage, monkeypatch, "request_link")
    answers = [(await linker.command("link", f"LNK{n}"))[0].text for n in range(7)]
    assert len(tried) == 5
    assert WAIT_WORDS in answers[5] and WAIT_WORDS in answers[6]
    # Another account is not held back by this one's guesses.
    assert "couldn't find" in (await Chat(dispatcher, user_id="668").command("link", "X"))[0].text


async def test_repeated_failures_are_recorded_without_the_code(
    chat: Chat, ctx: Context, storage: SqliteStorage, clock: FakeClock
) -> None:
    await onboard(chat)
    for n in range(7):
        await chat.command("join", f"SECRET{n}")
    rows = await codeguard.repeated_failures(ctx, window=timedelta(days=1))
    assert len(rows) == 1
    row = rows[0]
    assert row.address == AccountAddress("test", chat.user_id)
    assert row.failures == 5 and row.person is not None
    assert "SECRET" not in repr(rows)


async def test_an_oversized_code_is_never_echoed(chat: Chat) -> None:
    huge = "X" * 3000
    answer = (await chat.command("start", huge))[0].text
    assert huge[:17] not in answer
    assert "that code" in answer
    await onboard(Chat(chat.dispatcher, user_id="2002"))
    assert "ABC123" in (await chat.command("start", "ABC123"))[0].text


def test_peerbot_audit_shows_repeated_failures_without_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{tmp_path / "cli.db"}"\n', encoding="utf-8")

    async def guesses() -> None:
        storage = SqliteStorage(tmp_path / "cli.db")
        await storage.open()
        try:
            ctx = assemble(Context(storage, ProgramSettings(), Messengers({}), FakeClock(now())))
            dispatcher = build_dispatcher(ctx)
            guesser = Chat(dispatcher, user_id="31337", platform="telegram")
            for n in range(9):
                await guesser.command("link", f"GUESS{n}")
            for n in range(2):  # two typos are not "repeated"
                await Chat(dispatcher, user_id="5").command("join", f"TYPO{n}")
        finally:
            await storage.close()

    asyncio.run(guesses())
    assert main(["audit", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "repeated failed code attempts" in out
    assert "telegram 31337" in out and "no record here" in out and "link" in out
    assert "GUESS" not in out and "TYPO" not in out and "test 5" not in out
