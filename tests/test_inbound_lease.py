"""How Telegram's updates come in, decided once per database by ``peerbot run`` itself.

Telegram serves one way at a time: one long poller, or a webhook (which any number of
processes in webhook mode may serve behind a load balancer). The real ``run`` (with idle
stand-ins for the adapters, so nothing connects) takes the lease on a real database of each
backend, and a process of the other kind, or a second poller, is refused with one line.
The same refusal between two real processes against the emulator is in
``tests/test_several_processes.py``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.errors import AdapterStartError
from bot.runner import run

pytestmark = pytest.mark.backends("sqlite", "postgres")


class IdleAdapter:
    """A platform adapter that connects nowhere, so ``run`` runs no console."""

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass


def telegram_config(tmp_path: Path, database_url: str, *, webhook: bool) -> Config:
    path = tmp_path / ("webhook.toml" if webhook else "polling.toml")
    section = '[telegram]\nwebhook_url = "https://bot.example.org/telegram"\n' if webhook else ""
    path.write_text(section, encoding="utf-8")
    env = {
        "PEERBOT_DATABASE_URL": database_url,
        "PEERBOT_TELEGRAM_TOKEN": "123:not-a-real-token",
        "PEERBOT_TELEGRAM_WEBHOOK_SECRET": "not-a-real-secret",
    }
    return load_config(path, env=env)


class Running:
    """``run`` started in the background until :meth:`stop`."""

    def __init__(self, config: Config) -> None:
        self.stopping = asyncio.Event()
        self.started = asyncio.Event()
        started = self.started

        class Adapter(IdleAdapter):
            async def start(self) -> None:
                started.set()

        self.task = asyncio.create_task(
            run(config, stop=self.stopping, make_adapters=lambda *_: [Adapter()])
        )

    async def wait_started(self) -> None:
        waiter = asyncio.create_task(self.started.wait())
        await asyncio.wait([waiter, self.task], timeout=60, return_when=asyncio.FIRST_COMPLETED)
        if self.task.done():
            self.task.result()  # raises what stopped it
        assert self.started.is_set()

    async def stop(self) -> int:
        self.stopping.set()
        return await asyncio.wait_for(self.task, timeout=30)


async def refusal(config: Config) -> str:
    with pytest.raises(AdapterStartError) as refused:
        await run(config, make_adapters=lambda *_: [IdleAdapter()])
    return str(refused.value)


async def test_processes_in_webhook_mode_share_and_a_poller_is_refused_beside_them(
    tmp_path: Path, database_url: str
) -> None:
    webhook = telegram_config(tmp_path, database_url, webhook=True)
    first, second = Running(webhook), Running(webhook)
    try:
        await first.wait_started()
        await second.wait_started()  # every process may serve the webhook
        said = await refusal(telegram_config(tmp_path, database_url, webhook=False))
        assert "webhook mode are running on this database" in said
        assert "not-a-real" not in said
    finally:
        assert [await first.stop(), await second.stop()] == [0, 0]


async def test_a_poller_refuses_a_second_poller_and_a_webhook_then_lets_go(
    tmp_path: Path, database_url: str
) -> None:
    polling = telegram_config(tmp_path, database_url, webhook=False)
    poller = Running(polling)
    try:
        await poller.wait_started()
        assert "already long-polling Telegram" in await refusal(polling)
        webhook = telegram_config(tmp_path, database_url, webhook=True)
        assert "would stop its polling" in await refusal(webhook)
    finally:
        assert await poller.stop() == 0
    again = Running(polling)  # the poller gave polling up as it stopped
    await again.wait_started()
    assert await again.stop() == 0
