"""``peerbot run``: every adapter with a token, plus the scheduler, in one asyncio process.

Start order: storage, the adapters (each registers its messenger), then the scheduler, so no
prompt is due before there is a way to send it. Shutdown is the reverse: the scheduler stops
claiming work, the tick in progress finishes, then each adapter finishes the updates it has
already fetched (so an answer in flight is stored and replied to) before storage closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import secrets
import signal
import socket
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol, TextIO

from bot.adapters import console_texts
from bot.adapters.console import ConsoleAdapter, ConsoleMessenger
from bot.config import Config
from bot.errors import AdapterStartError
from bot.ops import Heartbeat, OpsMetrics, OpsServer
from handlers.account.help import personal_menu
from handlers.app import assemble, build_dispatcher
from handlers.checkins.fanout import lateness_warning
from handlers.context import Context
from handlers.crisis import model as crisis_model
from handlers.dispatcher import Dispatcher
from handlers.logsafe import describe_exception
from handlers.mentoring.roster import duty_warning
from handlers.messaging import Messengers
from handlers.telemetry import NO_TELEMETRY
from scheduling.due import DueWorker
from scheduling.housekeeping import housekeeping
from scheduling.scheduler import build_scheduler
from storage import storage_from_url
from storage.base import Storage
from storage.people import AccountAddress, Role

log = logging.getLogger(__name__)

CONSOLE_LOG = Path("peerbot.log")
"""Where the console's log lines go when it runs in a terminal."""
FOLLOW_UP_GRACE_SECONDS = 10.0
"""How long shutdown waits for the crisis model's late verdicts still being followed up (the
model takes a second or two; a message past this was answered on the phrase screen alone)."""

INBOUND_LEASE = "telegram-inbound"
"""The lease (storage's ``hold_lease``) on how Telegram updates come in: held by the one
process long-polling (its own identity), or shared by every process in webhook mode (the
owner :data:`WEBHOOK_HOLDER`). Telegram serves one way at a time: a poller's start deletes the
webhook, and a webhook makes polling fail, so a process refuses to start against the other."""
WEBHOOK_HOLDER = "webhook mode"
INBOUND_LEASE_FOR = timedelta(seconds=60)
"""How long the lease lasts unless renewed: how long a process that died without shutting down
keeps one of the other mode from starting."""
INBOUND_RENEW_EVERY = INBOUND_LEASE_FOR / 4


def process_identity() -> str:
    """This process's name in leases and job runs: host, pid and a random part (a pid is
    reused; the random part tells a restarted process from its predecessor)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class PlatformAdapter(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def platform_adapters(
    config: Config, dispatcher: Dispatcher, messengers: Messengers
) -> list[PlatformAdapter]:
    """An adapter for every platform whose token is set, its messenger registered (and
    Discord's scheduled-event mirror of circles, unless ``mirror_circle_events`` is off)."""
    adapters: list[PlatformAdapter] = []
    secrets = config.secrets
    if secrets.telegram_token:
        from bot.adapters.telegram import TelegramAdapter
        from bot.adapters.telegram_menus import PersonalMenus

        def mentee_commands() -> list[tuple[str, str]]:
            specs = dispatcher.commands_for(frozenset({Role.MENTEE}), True)
            return [(spec.name, spec.described()) for spec in specs]  # in the language in use

        async def staff_menu(address: AccountAddress) -> list[tuple[str, str]] | None:
            return await personal_menu(dispatcher.ctx, dispatcher.commands_for, address)

        telegram = TelegramAdapter(
            secrets.telegram_token,
            dispatcher,
            config.telegram,
            command_listing=mentee_commands,
            webhook_secret=secrets.telegram_webhook_secret,
            menus=PersonalMenus(staff_menu),
        )
        messengers.add(telegram.messenger)
        adapters.append(telegram)
    if secrets.discord_token:
        from bot.adapters.discord import DiscordAdapter

        discord = DiscordAdapter(secrets.discord_token, dispatcher, config.discord)
        messengers.add(discord.messenger)
        if config.discord.mirror_circle_events:
            from bot.adapters.discord_events import DiscordEvents

            ctx = dispatcher.ctx
            ctx.calendars.add(DiscordEvents(discord.client, ctx.storage))
        adapters.append(discord)
    return adapters


def sending_rate(config: Config) -> tuple[float, str] | None:
    """The rate a fan-out of prompts runs at, messages/s, and the platform that sets it (the
    slowest running; None for the console, which has no limit)."""
    rates: list[tuple[float, str]] = []
    if config.secrets.telegram_token:
        rates.append((config.telegram.limits.effective_per_second, "Telegram"))
    if config.secrets.discord_token and config.discord.dm_gap_seconds > 0:
        rates.append((1 / config.discord.dm_gap_seconds, "Discord (DM pacing)"))
    return min(rates) if rates else None


AdapterFactory = Callable[[Config, Dispatcher, Messengers], list[PlatformAdapter]]


async def run(
    config: Config,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stop: asyncio.Event | None = None,
    make_adapters: AdapterFactory = platform_adapters,
    console_note: str = "",
    log_file: Path | None = None,
) -> int:
    """Run until SIGINT/SIGTERM or ``stop`` is set (or, for the console, the end of input).

    ``make_adapters`` is where tests put adapters wired to emulators instead of the network.
    ``console_note`` is added to the console's banner (the demo's cast). Log lines go to
    ``log_file`` from the start when one is given (``peerbot run`` gives :data:`CONSOLE_LOG`
    for the console in a terminal, so no log line lands in the middle of the chat).
    """
    if log_file is not None:
        log_to_file(log_file)
    storage = storage_from_url(config.database_url, cipher=config.cipher)
    await storage.open()
    if config.cipher is None:
        log.warning(
            "PEERBOT_DATA_KEY is not set: check-in notes, safety plans, goals and goal comments"
            " are stored unencrypted (make a key with `peerbot new-data-key`)"
        )
    # The crisis screen's learned stage, before any adapter can accept a message.
    await crisis_model.load()
    messengers = Messengers()
    metrics = OpsMetrics() if config.ops_listen else None
    ctx = assemble(
        Context(
            storage=storage,
            program=config.program,
            messengers=messengers,
            telemetry=metrics or NO_TELEMETRY,
        )
    )
    if (gap := await duty_warning(ctx)) is not None:
        log.warning(gap)
    dispatcher = build_dispatcher(ctx)
    owner = process_identity()
    worker = DueWorker(ctx, owner=owner, lease=timedelta(seconds=config.lease_seconds))
    heartbeat = Heartbeat(config.tick_seconds)
    scheduler = build_scheduler(
        heartbeat.wrap(worker.tick),
        config.tick_seconds,
        housekeeping=functools.partial(housekeeping, ctx, owner),
    )

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(sig, stop.set)

    adapters = make_adapters(config, dispatcher, messengers)
    console_task: asyncio.Task[None] | None = None
    inbound: asyncio.Task[None] | None = None
    started: list[PlatformAdapter] = []
    ops: OpsServer | None = None
    try:
        if config.secrets.telegram_token:
            holder = WEBHOOK_HOLDER if config.telegram.webhook_url else owner
            await _take_inbound_lease(storage, ctx, holder)
            inbound = asyncio.create_task(_keep_inbound_lease(storage, ctx, holder, stop))
        for adapter in adapters:
            try:
                await adapter.start()
            except Exception as exc:
                log.error("starting %s failed: %s", type(adapter).__name__, describe_exception(exc))
                raise AdapterStartError(_start_problem(adapter, exc)) from None
            started.append(adapter)
            log.info("started the %s adapter", type(adapter).__name__)
        if config.dashboard.listen is not None:
            # Imported only when on: aiohttp.web and Jinja2 stay out of every other start.
            from bot.dashboard.server import DashboardServer

            dashboard = DashboardServer(ctx, config.dashboard, config.session_key)
            try:
                await dashboard.start()
            except OSError as exc:
                raise AdapterStartError(
                    console_texts.DASHBOARD_DID_NOT_START.format(
                        listen=config.dashboard.listen, error=exc.strerror or type(exc).__name__
                    )
                ) from None
            started.append(dashboard)
        if (rate := sending_rate(config)) is not None:
            if (late := await lateness_warning(ctx, *rate)) is not None:
                log.warning(late)
        if not adapters:
            log.info("no platform token set: starting the console adapter")
            note = console_note
            if log_file is not None:
                note += console_texts.LOG_FILE.format(path=log_file)
            console = ConsoleMessenger(stdout or sys.stdout, Path("peerbot-images"))
            messengers.add(console)
            console_task = asyncio.create_task(
                ConsoleAdapter(dispatcher, console, stdin, banner_extra=note).run()
            )
        if config.ops_listen and metrics is not None:
            # The platform adapters that run (none for the console, which is always there).
            ops = OpsServer(config.ops_listen, storage, metrics, heartbeat, lambda: started)
            try:
                await ops.start()
            except OSError as exc:
                ops = None
                raise AdapterStartError(
                    console_texts.OPS_DID_NOT_START.format(
                        listen=config.ops_listen, error=exc.strerror or type(exc).__name__
                    )
                ) from None
        scheduler.start()
        waiter = asyncio.create_task(stop.wait())
        waited: list[asyncio.Task[Any]] = [waiter]
        if console_task is not None:
            waited.append(console_task)
        await asyncio.wait(waited, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
    finally:
        log.info("shutting down")
        if ops is not None:
            await ops.stop()
        # Stop firing, let the tick in flight finish, then shut the scheduler down: its
        # shutdown cancels the jobs still running (APScheduler's asyncio executor), which
        # would cut a tick off between its sends and their ledger marks.
        if scheduler.running:
            scheduler.pause()
        await worker.drain()
        if scheduler.running:
            scheduler.shutdown(wait=False)
        await dispatcher.finish_follow_ups(FOLLOW_UP_GRACE_SECONDS)
        for adapter in reversed(started):
            try:
                await adapter.stop()
            except Exception:
                log.exception("stopping %s failed", type(adapter).__name__)
        if inbound is not None:
            inbound.cancel()
            await asyncio.gather(inbound, return_exceptions=True)
            # A poller gives polling up at once; webhook mode's lease is shared, and runs out
            # by itself once no process in webhook mode renews it.
            with contextlib.suppress(Exception):
                await storage.release_lease(INBOUND_LEASE, owner)
        if console_task is not None:
            console_task.cancel()
            await asyncio.gather(console_task, return_exceptions=True)
        await storage.close()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)
    return 0


async def _take_inbound_lease(storage: Storage, ctx: Context, holder: str) -> None:
    """Long polling runs in one process per database, and never beside webhook mode: take the
    lease as ``holder``, or refuse to start (one line) while another live process holds it."""
    now = ctx.clock()
    taken_by = await storage.hold_lease(INBOUND_LEASE, holder, now, now + INBOUND_LEASE_FOR)
    if taken_by is not None and _dead_here(taken_by):
        # A process of this machine that ended without shutting down (a crash, kill -9, a
        # restart by systemd): its lease need not be waited out.
        log.info("taking Telegram's updates over from a process that is gone (%s)", taken_by)
        await storage.release_lease(INBOUND_LEASE, taken_by)
        taken_by = await storage.hold_lease(INBOUND_LEASE, holder, now, now + INBOUND_LEASE_FOR)
    if taken_by is None:
        return
    seconds = int(INBOUND_LEASE_FOR.total_seconds())
    if taken_by == WEBHOOK_HOLDER:
        raise AdapterStartError(console_texts.POLLING_BESIDE_WEBHOOK.format(seconds=seconds))
    if holder == WEBHOOK_HOLDER:
        raise AdapterStartError(
            console_texts.WEBHOOK_BESIDE_POLLING.format(holder=taken_by, seconds=seconds)
        )
    raise AdapterStartError(console_texts.SECOND_POLLER.format(holder=taken_by, seconds=seconds))


def _dead_here(identity: str) -> bool:
    """Whether ``identity`` (:func:`process_identity`) names a process of this machine that no
    longer runs. Unsure (another machine, a pid taken again, no permission to ask): False."""
    host, _, rest = identity.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, and is someone else's
        return False
    return False


async def _keep_inbound_lease(
    storage: Storage, ctx: Context, holder: str, stop: asyncio.Event
) -> None:
    """Renew the lease while this process takes Telegram's updates. Should a process of the
    other kind have taken it (this one stalled past the lease), stop: Telegram serves one."""
    while True:
        await asyncio.sleep(INBOUND_RENEW_EVERY.total_seconds())
        now = ctx.clock()
        try:
            taken_by = await storage.hold_lease(INBOUND_LEASE, holder, now, now + INBOUND_LEASE_FOR)
        except Exception as exc:  # the lease has three more renewals to run
            log.warning("renewing the Telegram inbound lease failed: %s", describe_exception(exc))
            continue
        if taken_by is not None:
            log.error("another process (%s) took over Telegram's updates: stopping", taken_by)
            stop.set()
            return


def _start_problem(adapter: PlatformAdapter, exc: Exception) -> str:
    messenger = getattr(adapter, "messenger", None)
    platform = str(getattr(messenger, "platform", type(adapter).__name__))
    return console_texts.ADAPTER_DID_NOT_START.format(
        platform=platform.capitalize(),
        error=type(exc).__name__,
        token=f"PEERBOT_{platform.upper()}_TOKEN",
        section=platform,
    )


def log_to_file(path: Path) -> None:
    """Send every log line to ``path`` (readable by its owner only) instead of the terminal.

    Log lines name events and failures, never what anyone said, but a log is still the
    program's business: 0600 like the database.
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(descriptor)
    handler = logging.FileHandler(path, encoding="utf-8")
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old, logging.StreamHandler) and not isinstance(old, logging.FileHandler):
            handler.setFormatter(old.formatter)
            root.removeHandler(old)
    root.addHandler(handler)
