"""``[ops] listen``: ``/healthz`` and ``/metrics`` as ``peerbot run`` serves them (fetched over
loopback from the real ``run`` and from a real ``peerbot run`` process), the checks that fail
and say which, and what the core counts (sends by lane, 429s, prompts, acknowledgement times),
with nothing about a person in any label."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import ConfigError, load_config
from bot.errors import AdapterStartError
from bot.ops import Heartbeat, OpsMetrics, OpsServer
from bot.runner import run
from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.messaging import (
    ChatKind,
    Command,
    ConversationRef,
    DeliveryError,
    DeliveryFailure,
    IncomingEvent,
    Messengers,
)
from handlers.replies import ReplyPath
from scheduling.due import DueWorker
from storage.base import Storage
from tests.support import FakeClock, RecordingMessenger
from tests.support.mentoring import pings, team

SAFE_LABELS = {"platform", "lane", "kind", "severity", "le"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def _get(port: int, path: str) -> tuple[int, str, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}{path}") as response,
    ):
        return response.status, response.headers["Content-Type"], await response.text()


class ChattyAdapter:
    """A platform adapter on a recording messenger: at start someone writes /start to it,
    answered through the one reply path as a real adapter's would be."""

    def __init__(self, dispatcher: Dispatcher, messengers: Messengers) -> None:
        self.messenger = RecordingMessenger(platform="test")
        messengers.add(self.messenger)
        self.replies = ReplyPath(dispatcher, self.messenger)
        self.up = True

    async def start(self) -> None:
        ref = ConversationRef("test", "4242", "4242")
        event = IncomingEvent(
            ref, Command("start", ()), "Quinn Private", ChatKind.DIRECT, event_id="e1"
        )
        await self.replies.respond(event)

    async def stop(self) -> None:
        pass

    def connected(self) -> bool:
        return self.up


async def test_peerbot_run_serves_healthz_and_metrics_over_loopback(tmp_path: Path) -> None:
    port = _free_port()
    config_file = tmp_path / "config.toml"
    config_file.write_text(f'[ops]\nlisten = "127.0.0.1:{port}"\n', encoding="utf-8")
    config = load_config(
        config_file, env={"PEERBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}"}
    )
    adapters: list[ChattyAdapter] = []

    def make(_: Any, dispatcher: Dispatcher, messengers: Messengers) -> list[Any]:
        adapters.append(ChattyAdapter(dispatcher, messengers))
        return list(adapters)

    stop = asyncio.Event()
    running = asyncio.create_task(run(config, stop=stop, make_adapters=make))
    try:
        for _ in range(200):  # until the server listens
            try:
                status, kind, body = await _get(port, "/healthz")
                break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        else:
            raise AssertionError("/healthz never answered")
        health = json.loads(body)
        assert (status, health["status"], health["failing"]) == (200, "ok", [])
        assert kind.startswith("application/json")
        assert set(health["checks"]) == {"database", "scheduler", "adapters"}
        assert health["checks"]["adapters"]["connected"] == {"test": True}

        adapters[0].up = False
        status, _, body = await _get(port, "/healthz")
        assert status == 503 and json.loads(body)["failing"] == ["adapters"]

        status, kind, text = await _get(port, "/metrics")
        assert status == 200 and kind.startswith("text/plain")
        samples = _samples(text)
        sent = samples[("peerbot_messages_sent_total", (("lane", "urgent"), ("platform", "test")))]
        assert sent == len(adapters[0].messenger.sent) >= 1  # the answer to /start
        assert samples[("peerbot_due_queue_lag_seconds", ())] == 0
        assert samples[("peerbot_alerts_open", (("severity", "urgent"),))] == 0
        assert samples[("peerbot_database_up", ())] == 1
        assert samples[("peerbot_adapter_connected", (("platform", "test"),))] == 0
        assert {name for _, labels in samples for name, _ in labels} <= SAFE_LABELS
        assert "4242" not in text and "Quinn" not in text and "4242" not in body
    finally:
        stop.set()
        assert await asyncio.wait_for(running, timeout=10) == 0
    with pytest.raises(aiohttp.ClientConnectionError):  # stopped with the bot
        await _get(port, "/healthz")


async def test_a_port_in_use_stops_the_start_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config_file = tmp_path / "config.toml"
        config_file.write_text(f'[ops]\nlisten = "127.0.0.1:{port}"\n', encoding="utf-8")
        config = load_config(
            config_file, env={"PEERBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}"}
        )
        with pytest.raises(AdapterStartError, match=rf"127\.0\.0\.1:{port}.*\[ops\] listen"):
            await run(config, make_adapters=lambda *_: [IdleAdapter()])


def test_a_bad_listen_address_is_a_config_error(tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text('[ops]\nlisten = "everywhere"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[ops\] listen = \"everywhere\" is not a host"):
        load_config(config_file, env={})
    assert load_config(None, env={}).ops_listen is None  # off by default


class IdleAdapter:
    """A platform adapter that connects nowhere, so ``run`` starts no console."""

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass


class BrokenStorage:
    async def oldest_due(self, now: datetime) -> datetime | None:
        raise ConnectionResetError("the server went away: postgresql://bot:s3cret@db/x")

    async def open_alerts(self) -> list[object]:
        raise ConnectionResetError


async def test_healthz_names_each_failing_check_without_what_the_error_said() -> None:
    now = [1000.0]
    heartbeat = Heartbeat(tick_seconds=20, clock=lambda: now[0], started_at=1000.0)
    metrics = OpsMetrics()
    port = _free_port()
    server = OpsServer(
        f"127.0.0.1:{port}",
        BrokenStorage(),  # type: ignore[arg-type]
        metrics,
        heartbeat,
        lambda: [],
    )
    await server.start()
    try:
        status, _, body = await _get(port, "/healthz")
        assert status == 503 and json.loads(body)["failing"] == ["database"]
        assert "ConnectionResetError" in body and "s3cret" not in body
        now[0] += 61  # no tick for a minute: three ticks missed
        status, _, body = await _get(port, "/healthz")
        assert json.loads(body)["failing"] == ["database", "scheduler"]
        status, _, text = await _get(port, "/metrics")
        assert status == 200 and _samples(text)[("peerbot_database_up", ())] == 0
    finally:
        await server.stop()


async def test_the_scheduler_counts_as_ticking_through_a_long_fan_out() -> None:
    now = [0.0]
    heartbeat = Heartbeat(tick_seconds=20, clock=lambda: now[0], started_at=0.0)
    release = asyncio.Event()

    async def long_tick() -> None:
        await release.wait()

    ticking = asyncio.create_task(heartbeat.wrap(long_tick)())
    await asyncio.sleep(0)
    now[0] = 10 * 60.0  # ten minutes into a big fan-out
    assert heartbeat.check()[0] is True
    now[0] = 31 * 60.0  # half an hour: stuck
    assert heartbeat.check() == (False, {"tick_running_seconds": 1860.0})
    release.set()
    await ticking
    assert heartbeat.check()[0] is True  # it finished just now
    now[0] += 61
    assert heartbeat.check()[0] is False


async def test_the_core_counts_sends_by_lane_429s_prompts_and_ack_times(
    ctx: Context, storage: Storage, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    metrics = OpsMetrics()
    ctx = assemble(replace(ctx, registry=None, telemetry=metrics))
    dispatcher = build_dispatcher(ctx)
    crew = await team(ctx, dispatcher)
    worker = DueWorker(ctx)
    await worker.tick()  # the pairing notices: due-queue messages

    def value(name: str, **labels: str) -> float:
        return metrics.registry.get_sample_value(name, labels) or 0.0

    notices = [
        sample
        for family in metrics.registry.collect()
        for sample in family.samples
        if sample.name == "peerbot_proactive_sent_total"
    ]
    assert notices and all(sample.value >= 1 for sample in notices)

    messenger.clear()
    counted_before = _sends(metrics)
    start = clock()
    await crew.mentee.command("sos")
    [ping] = pings(messenger, "m1")
    clock.set(start + timedelta(minutes=7))
    await crew.mentor.press(ping.buttons[0].payload)
    assert value("peerbot_alert_ack_seconds_count", severity="urgent") == 1
    assert value("peerbot_alert_ack_seconds_sum", severity="urgent") == 7 * 60
    assert value("peerbot_alert_ack_seconds_bucket", severity="urgent", le="300.0") == 0
    assert value("peerbot_alert_ack_seconds_bucket", severity="urgent", le="900.0") == 1
    assert value("peerbot_messages_sent_total", platform="test", lane="urgent") >= 1  # the ping

    due = await storage.get_due("checkin", str(crew.mentee_id))
    assert due is not None
    clock.set(due.due_at)
    messenger.failures.append(DeliveryError(DeliveryFailure.RATE_LIMITED, retry_after=1))
    await worker.tick()  # the daily prompt: a 429 first, then sent
    assert value("peerbot_rate_limited_total", platform="test") == 1
    assert value("peerbot_proactive_sent_total", kind="checkin") == 1
    assert value("peerbot_messages_sent_total", platform="test", lane="routine") == 1
    assert _sends(metrics) - counted_before == len(messenger.sent)  # every send, counted once


def _sends(metrics: OpsMetrics) -> float:
    return sum(
        sample.value
        for family in metrics.registry.collect()
        for sample in family.samples
        if sample.name == "peerbot_messages_sent_total"
    )


@pytest.mark.e2e
def test_a_real_peerbot_run_process_serves_both(tmp_path: Path) -> None:
    port = _free_port()
    (tmp_path / "config.toml").write_text(
        f'[ops]\nlisten = "127.0.0.1:{port}"\n[storage]\nurl = "sqlite:///peerbot.db"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERBOT_")}
    peerbot = Path(sys.executable).parent / "peerbot"
    process = subprocess.Popen(
        [str(peerbot), "run"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        health = _poll(port, "/healthz", process)
        assert health["status"] == "ok" and health["checks"]["adapters"]["connected"] == {}
        status, _, text = asyncio.run(_get(port, "/metrics"))
        assert status == 200 and "peerbot_due_queue_lag_seconds" in text
    finally:
        _, err = process.communicate(timeout=30)  # closes stdin: the console's end of input
    assert process.returncode == 0, err.decode()[-2000:]


def _poll(port: int, path: str, process: subprocess.Popen[bytes]) -> dict[str, Any]:
    deadline = time.monotonic() + 60  # a cold start loads the crisis model first
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"peerbot run exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        try:
            status, _, body = asyncio.run(_get(port, path))
        except aiohttp.ClientConnectionError:
            time.sleep(0.2)
            continue
        assert status == 200, body
        return dict(json.loads(body))
    raise AssertionError(f"{path} never answered")


class SimcordGateway:
    """The Discord adapter with simcord standing in for Discord's gateway (as in
    tests/test_run_both.py), its messenger and ``connected()`` the adapter's own."""

    def __init__(self, adapter: Any, env: Any) -> None:
        self.adapter = adapter
        self.env = env
        self.messenger = adapter.messenger

    async def start(self) -> None:
        await self.env.restart_bot(self.adapter.client)

    async def stop(self) -> None:
        await self.adapter.stop(drain_timeout=5)

    def connected(self) -> bool:
        return bool(self.adapter.connected())


@pytest.mark.e2e
async def test_both_real_adapters_report_connected_and_their_sends_and_429s(
    tmp_path: Path,
) -> None:
    import discord
    import simcord

    from bot.adapters.discord import DiscordAdapter
    from bot.runner import platform_adapters
    from tests.support.emulator import running_emulator

    placeholder = discord.Client(intents=discord.Intents.default())
    env = simcord.Env(placeholder, approved_intents=discord.Intents.default())
    await env.start()
    sam = env.create_user("sam", global_name="Sam")
    env.create_guild("Recovery Program").add_member(sam)
    port = _free_port()
    try:
        async with running_emulator() as emu:
            config_file = tmp_path / "config.toml"
            config_file.write_text(
                f'[telegram]\napi_base_url = "{emu.base_url}"\npoll_timeout = 1\n'
                f'[ops]\nlisten = "127.0.0.1:{port}"\n'
            )
            config = load_config(
                config_file,
                env={
                    "PEERBOT_TELEGRAM_TOKEN": emu.token,
                    "PEERBOT_DISCORD_TOKEN": "discord-test-token",
                    "PEERBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'both.db'}",
                },
            )
            made: list[Any] = []

            def adapters(config: Any, dispatcher: Dispatcher, messengers: Messengers) -> list[Any]:
                for adapter in platform_adapters(config, dispatcher, messengers):
                    if isinstance(adapter, DiscordAdapter):
                        made.append(SimcordGateway(adapter, env))
                    else:
                        made.append(adapter)
                return list(made)

            stop = asyncio.Event()
            running = asyncio.create_task(run(config, stop=stop, make_adapters=adapters))
            try:
                for _ in range(300):
                    try:
                        status, _, body = await _get(port, "/healthz")
                        break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.05)
                assert status == 200, body
                connected = json.loads(body)["checks"]["adapters"]["connected"]
                assert connected == {"telegram": True, "discord": True}

                await emu.fail_next("sendMessage", 429, retry_after=1)
                await emu.send_command(USER, USER, "/start")
                await emu.wait_for_bot_message(
                    USER, lambda m: "Is that okay?" in (m.get("text") or ""), within=15
                )
                await sam.slash("start")
                await env.settle()
                assert any("Is that okay?" in m.content for m in sam.dm_channel.history())

                _, _, text = await _get(port, "/metrics")
                samples = _samples(text)
                assert samples[("peerbot_rate_limited_total", (("platform", "telegram"),))] == 1
                for platform in ("telegram", "discord"):
                    lane = (("lane", "urgent"), ("platform", platform))
                    assert samples[("peerbot_messages_sent_total", lane)] >= 1
                    assert samples[("peerbot_adapter_connected", (("platform", platform),))] == 1
                assert str(USER) not in text and str(sam.id) not in text
            finally:
                stop.set()
                assert await asyncio.wait_for(running, timeout=30) == 0
            assert [a.connected() for a in made] == [False, False]  # stopped: said so
    finally:
        await env.shutdown()


USER = 5151
