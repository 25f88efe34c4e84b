"""Serving the dashboard from the bot's own process (``[dashboard] listen``), started and
stopped by ``peerbot run`` like an adapter."""

from __future__ import annotations

import logging
import secrets

from aiohttp import web

from bot.dashboard.app import build_app
from bot.dashboard.settings import DashboardServerSettings, SessionKey
from handlers.context import Context

log = logging.getLogger(__name__)


class DashboardServer:
    def __init__(
        self, ctx: Context, settings: DashboardServerSettings, key: SessionKey | None
    ) -> None:
        if key is None:
            # Neither PEERBOT_DASHBOARD_SECRET nor PEERBOT_DATA_KEY: a key for this process
            # only, so a restart signs everyone out (said once, at start).
            key = SessionKey(secrets.token_bytes(32), "made for this process")
        self.key_source = key.source
        self.app = build_app(ctx, settings, key)
        self.settings = settings
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        """The port it listens on once started (the one asked for, or the one given for 0)."""

    async def start(self) -> None:
        host, port = self.settings.host_port
        runner = web.AppRunner(self.app, access_log=None)  # no URLs (login tokens) in the log
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        addresses = runner.addresses
        self.port = int(addresses[0][1]) if addresses else port
        log.info("dashboard listening on %s:%s (session key %s)", host, self.port, self.key_source)
        if self.key_source == "made for this process":
            log.warning(
                "PEERBOT_DASHBOARD_SECRET (or PEERBOT_DATA_KEY) is not set: dashboard sign-ins"
                " last until the bot restarts"
            )

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
