"""``[ops] listen``: ``/healthz`` and ``/metrics`` for whoever runs the bot, served by the bot.

An aiohttp.web app of its own (the coordinator dashboard is another, on its own address),
started by ``peerbot run`` (:mod:`bot.runner`) when ``[ops] listen`` is set, off by default.

``/healthz`` answers 200 when every check passes and 503 when one fails, with a JSON body
naming each check: ``database`` (a read of the due queue answers within
:data:`DATABASE_TIMEOUT_S`), ``scheduler`` (the due-work tick finished within
:meth:`Heartbeat.stale_after`, or one is running a long fan-out: see there), ``adapters`` (each
platform adapter says it is connected). ``/metrics`` is Prometheus' text format from
``prometheus_client``: what the core reports through :class:`OpsMetrics` (sends by
platform and lane, 429s, proactive messages by kind, acknowledgement times) and what the
database says at each scrape (the due queue's lag, alerts open by severity).

Neither says anything about a person: labels are platform names, lanes, due-queue kinds and
severities; failures are named by the exception's type, never its message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter as Tally
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from handlers.pacing import Lane
from storage.base import Storage

log = logging.getLogger(__name__)

DATABASE_TIMEOUT_S = 3.0
"""How long ``/healthz`` waits for the database before it calls it unreachable."""
LONG_TICK_S = 30 * 60.0
"""How long a running tick still counts as ticking: a fan-out of 10,000 prompts at Telegram's
25 messages/s takes about 7 minutes; a tick running for half an hour is stuck."""
ACK_BUCKETS_S = (60, 300, 900, 1800, 3600, 2 * 3600, 4 * 3600, 12 * 3600, 24 * 3600, 48 * 3600)
"""Acknowledgement-time buckets: minutes for urgent alerts, hours for normal ones."""


class OpsMetrics:
    """The core's :class:`handlers.telemetry.Telemetry`, counted in a registry of its own,
    and the gauges ``/metrics`` reads from the database at each scrape."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.sends = Counter(
            "peerbot_messages_sent",
            "Messages accepted by a platform (replies, prompts, pings), by send lane",
            ["platform", "lane"],
            registry=r,
        )
        self.too_many_requests = Counter(
            "peerbot_rate_limited",
            "Platform 429 (too many requests) answers",
            ["platform"],
            registry=r,
        )
        self.proactive = Counter(
            "peerbot_proactive_sent",
            "Due-queue messages sent, by kind (checkin is the daily prompt)",
            ["kind"],
            registry=r,
        )
        self.ack_seconds = Histogram(
            "peerbot_alert_ack_seconds",
            "Time from an alert being raised to its acknowledgement",
            ["severity"],
            buckets=ACK_BUCKETS_S,
            registry=r,
        )
        self.queue_lag = Gauge(
            "peerbot_due_queue_lag_seconds",
            "How long the longest-waiting due row has been due (0: nothing waiting)",
            registry=r,
        )
        self.alerts_open = Gauge(
            "peerbot_alerts_open", "Alerts not acknowledged yet", ["severity"], registry=r
        )
        self.database_up = Gauge(
            "peerbot_database_up", "1 if the last scrape could read the database", registry=r
        )
        self.last_tick = Gauge(
            "peerbot_scheduler_last_tick_timestamp_seconds",
            "When the due-work tick last finished (Unix time)",
            registry=r,
        )
        self.adapter_connected = Gauge(
            "peerbot_adapter_connected",
            "1 if the platform adapter is connected",
            ["platform"],
            registry=r,
        )

    # The Telemetry port ------------------------------------------------------------------

    def sent(self, platform: str, lane: Lane) -> None:
        self.sends.labels(platform, lane.name.lower()).inc()

    def rate_limited(self, platform: str) -> None:
        self.too_many_requests.labels(platform).inc()

    def proactive_sent(self, kind: str) -> None:
        self.proactive.labels(kind).inc()

    def alert_acknowledged(self, severity: str, waited_seconds: float) -> None:
        self.ack_seconds.labels(severity).observe(max(waited_seconds, 0.0))


@dataclass
class Heartbeat:
    """When the due-work tick last started and finished (``time.monotonic`` seconds)."""

    tick_seconds: float
    clock: Callable[[], float] = time.monotonic
    started_at: float = field(default_factory=time.monotonic)
    """When the process began: before its first tick, the scheduler counts as starting."""
    tick_began: float | None = None
    tick_ended: float | None = None
    ended_wall: datetime | None = None

    @property
    def stale_after(self) -> float:
        """A tick should finish every ``tick_seconds``; three missed, or a minute, is stale."""
        return max(3 * self.tick_seconds, 60.0)

    def wrap(
        self, tick: Callable[[], Awaitable[object]]
    ) -> Callable[[], Coroutine[Any, Any, None]]:
        """``tick`` as a coroutine function that records each run (for the scheduler)."""

        async def beating() -> None:
            self.tick_began = self.clock()
            try:
                await tick()
            finally:
                self.tick_ended = self.clock()
                self.ended_wall = datetime.now(UTC)

        return beating

    def check(self) -> tuple[bool, dict[str, Any]]:
        now = self.clock()
        running = self.tick_began is not None and (
            self.tick_ended is None or self.tick_ended < self.tick_began
        )
        if running:
            assert self.tick_began is not None
            age = now - self.tick_began
            return age <= LONG_TICK_S, {"tick_running_seconds": round(age, 1)}
        last = self.tick_ended if self.tick_ended is not None else self.started_at
        age = now - last
        detail: dict[str, Any] = {"seconds_since_last_tick": round(age, 1)}
        if self.tick_ended is None:
            detail["first_tick_pending"] = True
        return age <= self.stale_after, detail


def adapter_connected(adapter: object) -> bool:
    """An adapter's own word (``connected()``); one without it counts once it has started."""
    connected = getattr(adapter, "connected", None)
    return bool(connected()) if callable(connected) else True


def adapter_name(adapter: object) -> str:
    messenger = getattr(adapter, "messenger", None)
    return str(getattr(messenger, "platform", None) or type(adapter).__name__)


class OpsServer:
    """The ``/healthz`` and ``/metrics`` app on ``listen`` (``host:port``)."""

    def __init__(
        self,
        listen: str,
        storage: Storage,
        metrics: OpsMetrics,
        heartbeat: Heartbeat,
        adapters: Callable[[], Sequence[object]],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        host, _, port = listen.rpartition(":")
        self.host = host.strip("[]") or "127.0.0.1"
        self.port = int(port)
        self.storage = storage
        self.metrics = metrics
        self.heartbeat = heartbeat
        self.adapters = adapters
        self.clock = clock
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        return app

    async def start(self) -> None:
        runner = web.AppRunner(self.app(), access_log=None)  # no per-request lines in the log
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info("ops endpoints on http://%s:%d/healthz and /metrics", self.host, self.port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    # Checks -----------------------------------------------------------------------------

    async def _database(self) -> tuple[bool, dict[str, Any]]:
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT_S):
                oldest = await self.storage.oldest_due(self.clock())
        except Exception as exc:
            return False, {"error": type(exc).__name__}
        lag = 0.0 if oldest is None else max((self.clock() - oldest).total_seconds(), 0.0)
        return True, {"queue_lag_seconds": round(lag, 1)}

    def _adapters(self) -> tuple[bool, dict[str, Any]]:
        states = {adapter_name(a): adapter_connected(a) for a in self.adapters()}
        return all(states.values()), {"connected": states}

    async def health(self) -> tuple[bool, dict[str, Any]]:
        checks: dict[str, Any] = {}
        for name, (ok, detail) in (
            ("database", await self._database()),
            ("scheduler", self.heartbeat.check()),
            ("adapters", self._adapters()),
        ):
            checks[name] = {"ok": ok, **detail}
        failing = [name for name, check in checks.items() if not check["ok"]]
        body = {"status": "failing" if failing else "ok", "failing": failing, "checks": checks}
        return not failing, body

    async def _healthz(self, request: web.Request) -> web.Response:
        ok, body = await self.health()
        return web.json_response(body, status=200 if ok else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        await self.refresh()
        return web.Response(
            body=generate_latest(self.metrics.registry),
            headers={"Content-Type": CONTENT_TYPE_LATEST},
        )

    async def refresh(self) -> None:
        """Read what the gauges show from the database and the process, now."""
        m = self.metrics
        ok, detail = await self._database()
        m.database_up.set(1 if ok else 0)
        if ok:
            m.queue_lag.set(detail["queue_lag_seconds"])
            try:
                async with asyncio.timeout(DATABASE_TIMEOUT_S):
                    open_alerts = await self.storage.open_alerts()
            except Exception as exc:
                log.warning("metrics: open alerts not read (%s)", type(exc).__name__)
                m.database_up.set(0)
            else:
                by_severity = Tally(alert.severity.value for alert in open_alerts)
                for severity in ("urgent", "normal"):
                    m.alerts_open.labels(severity).set(by_severity.get(severity, 0))
        if self.heartbeat.ended_wall is not None:
            m.last_tick.set(self.heartbeat.ended_wall.timestamp())
        for adapter in self.adapters():
            m.adapter_connected.labels(adapter_name(adapter)).set(
                1 if adapter_connected(adapter) else 0
            )
