"""The team hears when no coordinator is on duty: ``peerbot run`` logs it at start and
``peerbot roster`` shows it (with nobody on duty, an alert about someone without a mentor goes
to every coordinator; with no coordinator, to nobody)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_config
from bot.runner import run
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.mentoring import roster
from storage.people import Account, AccountAddress, Role
from storage.sqlite import SqliteStorage
from tests.support.mentoring import staff


async def test_roster_warns_when_nobody_is_on_duty(ctx: Context, dispatcher: Dispatcher) -> None:
    assert "reaches nobody" in ((await roster.roster(ctx)).duty_warning or "")
    _, coordinator_id = await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
    assert "every coordinator" in ((await roster.roster(ctx)).duty_warning or "")
    await roster.set_on_duty(ctx, coordinator_id)
    assert (await roster.roster(ctx)).duty_warning is None


def test_cli_roster_shows_that_nobody_is_on_duty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{tmp_path / "cli.db"}"\n', encoding="utf-8")

    async def coordinator() -> None:
        storage = SqliteStorage(tmp_path / "cli.db")
        await storage.open()
        account = Account(AccountAddress("test", "p1"), person_id=0, chat_id="p1")
        await storage.create_person(
            account, role=Role.COORDINATOR, consented_at=datetime(2026, 1, 1, tzinfo=UTC)
        )
        await storage.close()

    asyncio.run(coordinator())
    assert main(["roster", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "Warning: No coordinator is on duty" in out and "peerbot oncall" in out


async def test_peerbot_run_warns_at_start_when_nobody_is_on_duty(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    class Idle:
        async def start(self) -> None:
            pass

        async def stop(self) -> None:
            pass

    config = load_config(None, env={"PEERBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"})
    stop = asyncio.Event()
    stop.set()
    with caplog.at_level(logging.WARNING, logger="bot.runner"):
        assert (
            await asyncio.wait_for(
                run(config, stop=stop, make_adapters=lambda *_: [Idle()]), timeout=10
            )
            == 0
        )
    assert any("No coordinator is on duty" in r.getMessage() for r in caplog.records)
