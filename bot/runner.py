"""``peerbot run``: every adapter with a token, plus the scheduler, in one asyncio process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path
from typing import TextIO

from bot.adapters.console import ConsoleAdapter, ConsoleMessenger
from bot.config import Config
from handlers.app import build_dispatcher
from handlers.context import Context
from handlers.messaging import Messengers
from scheduling.due import DueWorker
from scheduling.scheduler import build_scheduler
from storage import storage_from_url

log = logging.getLogger(__name__)


async def run(config: Config, *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run until SIGINT/SIGTERM (or, for the console adapter, the end of input)."""
    storage = storage_from_url(config.database_url)
    await storage.open()
    messengers = Messengers()
    ctx = Context(storage=storage, program=config.program, messengers=messengers)
    dispatcher = build_dispatcher(ctx)
    worker = DueWorker(ctx)
    scheduler = build_scheduler(worker.tick, config.tick_seconds)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(sig, stop.set)

    tasks: list[asyncio.Task[None]] = []
    if not (config.secrets.telegram_token or config.secrets.discord_token):
        log.info("no platform token set: starting the console adapter")
        console = ConsoleMessenger(stdout or sys.stdout, Path("peerbot-images"))
        messengers.add(console)
        tasks.append(asyncio.create_task(ConsoleAdapter(dispatcher, console, stdin).run()))

    scheduler.start()
    waiter = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    finally:
        log.info("shutting down")
        scheduler.shutdown(wait=False)
        await worker.drain()
        for task in (waiter, *tasks):
            task.cancel()
        await asyncio.gather(waiter, *tasks, return_exceptions=True)
        await storage.close()
    return 0
