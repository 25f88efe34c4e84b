"""Benchmark the outbound path: a fan-out of daily prompts through the real due worker, the
real Telegram adapter (python-telegram-bot's own HTTP client) and our pacer, into a fake Bot
API on loopback that enforces Telegram's limits the way a strict Telegram would.

Run from the repository root::

    .venv/bin/python bench/bench_send.py [--people 2000] [--big 10000] [--no-urgent]

Prints ``name: value unit`` lines (after a ``machine:`` line). Nothing is asserted.

* **The fake Bot API** (aiohttp on 127.0.0.1): ``getMe`` and every ``send*`` method. It keeps
  the arrival times of the messages it accepted: a message that would make 31 in any rolling
  second of arrivals, or a second one to the same chat within a second, is answered
  ``429 Too Many Requests`` with ``retry_after: 1`` (and not counted). It counts what each
  chat received.
* **People**: ``--people`` mentees seeded into a fresh SQLite file (the seeding of
  ``bench_due_queue.py``), every one due the same minute, plus one coordinator on duty (a
  mentee without a mentor alerts every coordinator at once).
* **Ours**: ``peerbot run``'s parts: ``TelegramAdapter`` with ``[telegram] api_base_url``
  pointed at the fake (its ``PacedRateLimiter``, its messenger, the real core), and one
  ``DueWorker.tick()`` that sends every prompt. The context's clock starts at the due minute
  and runs at wall speed, so no prompt is late.
* **Urgent run**: when half the prompts are in, ``/sos``'s use case (``raise_alert`` for a
  mentee) runs; its delay is from that call to the fake API accepting the coordinator's ping.
* **Figures**: achieved rate = accepted prompts over the time from the first to the last
  accepted (``(n-1)/span``); 429s the fake API answered; prompts per chat (each exactly once?)
  and the delivery ledger's ``sent`` rows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections import Counter, deque
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from due_queue_scenarios import CREATED, DUE, emit, progress, scenario_seed  # noqa: E402

import bot.adapters.telegram as tg  # noqa: E402
from handlers.app import assemble, build_dispatcher  # noqa: E402
from handlers.context import Context  # noqa: E402
from handlers.mentoring.escalation import raise_alert  # noqa: E402
from handlers.messaging import Messengers  # noqa: E402
from handlers.program import ProgramSettings  # noqa: E402
from scheduling.due import DueWorker  # noqa: E402
from storage.mentoring import Trigger  # noqa: E402
from storage.sqlite import SqliteStorage  # noqa: E402
from storage.timestamps import to_db  # noqa: E402

TOKEN = "123456:bench-send-not-a-real-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Bench", "username": "BenchBot"}
COORDINATOR_CHAT = 2 * 10**9


class FakeBotAPI:
    """Telegram's limits, strictly: 30 accepted messages in any rolling second, 1 per chat."""

    def __init__(self, per_second: int = 30, per_chat_gap: float = 1.0) -> None:
        self.per_second = per_second
        self.per_chat_gap = per_chat_gap
        self.recent: deque[float] = deque()
        self.last_in_chat: dict[int, float] = {}
        self.received: Counter[int] = Counter()
        self.accepted: list[tuple[float, int]] = []
        self.too_many = 0
        self.watch: dict[int, asyncio.Future[float]] = {}
        self.halfway: asyncio.Future[None] | None = None
        self.halfway_at = 0
        self._message_ids = iter(range(1, 10**9))

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        arrived = time.monotonic()
        params: dict[str, Any] = dict(await request.post())
        if method == "getMe":
            return _ok(BOT_USER)
        if not method.startswith("send"):
            return _ok(True)
        chat = int(params["chat_id"])
        while self.recent and self.recent[0] <= arrived - 1.0:
            self.recent.popleft()
        last = self.last_in_chat.get(chat)
        if len(self.recent) >= self.per_second or (
            last is not None and arrived - last < self.per_chat_gap
        ):
            self.too_many += 1
            body = {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            }
            return web.json_response(body, status=429)
        self.recent.append(arrived)
        self.last_in_chat[chat] = arrived
        self.received[chat] += 1
        self.accepted.append((arrived, chat))
        if (waiter := self.watch.get(chat)) is not None and not waiter.done():
            waiter.set_result(arrived)
        if self.halfway is not None and len(self.accepted) >= self.halfway_at:
            if not self.halfway.done():
                self.halfway.set_result(None)
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private" if chat > 0 else "group"},
            "from": BOT_USER,
            "text": str(params.get("text", "")),
        }
        return _ok(message)


def _ok(result: object) -> web.Response:
    return web.Response(
        text=json.dumps({"ok": True, "result": result}), content_type="application/json"
    )


def add_coordinator(db: Path, person_id: int) -> None:
    con = sqlite3.connect(db, isolation_level=None)
    created = to_db(CREATED)
    con.execute(
        "INSERT INTO people (id, display_name, created_at, onboarded_at) VALUES (?, ?, ?, ?)",
        (person_id, "Coordinator", created, created),
    )
    con.execute(
        "INSERT INTO accounts (platform, platform_user_id, person_id, chat_id, created_at)"
        " VALUES ('telegram', ?, ?, ?, ?)",
        (str(COORDINATOR_CHAT), person_id, str(COORDINATOR_CHAT), created),
    )
    con.execute(
        "INSERT INTO roles (person_id, role, granted_at) VALUES (?, 'coordinator', ?)",
        (person_id, created),
    )
    con.execute(
        "INSERT INTO settings (person_id, timezone) VALUES (?, 'America/Denver')", (person_id,)
    )
    con.close()


def sent_in_ledger(db: Path) -> Counter[str]:
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT status, count(*) FROM deliveries WHERE kind = 'checkin' GROUP BY status"
    ).fetchall()
    con.close()
    return Counter({status: count for status, count in rows})


async def fan_out(name: str, people: int, urgent: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-send-") as folder:
        db = Path(folder) / "send.db"
        await asyncio.to_thread(scenario_seed, db, people, name)  # it runs a loop of its own
        add_coordinator(db, people + 1)
        api = FakeBotAPI()
        server = web.Application()
        server.router.add_post("/bot{token}/{method}", api.handle)
        runner = web.AppRunner(server, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        storage = SqliteStorage(db)
        await storage.open()
        started_wall = time.monotonic()

        def clock() -> datetime:  # the due minute, then wall speed
            return DUE + timedelta(seconds=1 + time.monotonic() - started_wall)

        ctx = assemble(Context(storage, ProgramSettings(), Messengers(), clock=clock))
        settings = tg.TelegramSettings(api_base_url=f"http://127.0.0.1:{port}/bot")
        adapter = tg.TelegramAdapter(TOKEN, build_dispatcher(ctx), settings)
        ctx.messengers.add(adapter.messenger)
        await adapter.app.initialize()
        worker = DueWorker(ctx)
        ping_delay: asyncio.Future[float] | None = None
        if urgent:
            api.halfway = asyncio.get_running_loop().create_future()
            api.halfway_at = people // 2
            ping_delay = asyncio.get_running_loop().create_future()

            async def raise_sos_halfway() -> None:
                assert api.halfway is not None and ping_delay is not None
                await api.halfway
                arrived = asyncio.get_running_loop().create_future()
                api.watch[COORDINATOR_CHAT] = arrived
                raised = time.monotonic()
                await raise_alert(ctx, 1, Trigger.SOS)
                ping_delay.set_result(await arrived - raised)

            sos = asyncio.create_task(raise_sos_halfway())
        progress(f"{name}: sending {people} prompts")
        started = time.monotonic()
        handled = await worker.tick()
        wall = time.monotonic() - started
        if urgent:
            await sos
        await adapter.app.shutdown()
        await storage.close()
        await runner.cleanup()

        prompts = [(t, chat) for t, chat in api.accepted if chat != COORDINATOR_CHAT]
        span = prompts[-1][0] - prompts[0][0] if len(prompts) > 1 else 0.0
        per_chat = Counter(api.received[c] for c in api.received if c != COORDINATOR_CHAT)
        ledger = sent_in_ledger(db)
        emit(f"{name}_rows_handled", handled, "rows")
        emit(f"{name}_prompts_accepted", len(prompts), "messages")
        emit(f"{name}_wall_s", wall, "s")
        emit(f"{name}_rate", (len(prompts) - 1) / span if span else 0.0, "msg/s")
        emit(f"{name}_429_answered", api.too_many, "responses")
        emit(f"{name}_429_seen_by_limiter", adapter.rate_limiter.rate_limited, "responses")
        emit(f"{name}_chats_with_exactly_one", per_chat.get(1, 0), f"of {people}")
        emit(f"{name}_chats_with_more_than_one", sum(v for k, v in per_chat.items() if k > 1), "")
        emit(f"{name}_ledger_sent", ledger.get("sent", 0), f"of {people}")
        emit(f"{name}_ledger_not_sent", sum(ledger.values()) - ledger.get("sent", 0), "")
        if ping_delay is not None:
            emit(f"{name}_urgent_ping_delay", ping_delay.result(), "s")
            emit(f"{name}_urgent_raised_after", api.halfway_at, "prompts")


async def main(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING)
    await fan_out(f"send_{args.people}", args.people, urgent=False)
    if not args.no_urgent:
        await fan_out(f"send_{args.people}_urgent", args.people, urgent=True)
    if args.big:
        await fan_out(f"send_{args.big}_urgent", args.big, urgent=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--big", type=int, default=0, help="then a fan-out of this many (0: no)")
    parser.add_argument("--no-urgent", action="store_true")
    cpu = platform.processor() or platform.machine()
    print(f"machine: {os.cpu_count()} CPU {cpu}, Python {platform.python_version()}", flush=True)
    asyncio.run(main(parser.parse_args()))
