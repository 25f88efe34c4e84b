"""Benchmark the inbound path: Telegram check-in answers through python-telegram-bot, the real
TelegramAdapter and the real core onto SQLite, against a bare echo handler on the same setup.

Run from the repository root::

    .venv/bin/python bench/bench_inbound.py [--answers 20000] [--people 200] [--rounds 10]
        [--concurrent-answers 8000] [--shipped-answers 100] [--profile N]

Prints ``name: value unit`` lines (after one ``machine:`` header line). Nothing is asserted.

Setup (all offline, one process, one event loop):

* ``NoNetRequest`` is a ``telegram.request.BaseRequest`` that does no I/O: it JSON-encodes the
  request parameters (as ``HTTPXRequest`` would) and returns canned successful Bot API JSON
  (``getMe`` -> a bot user; ``sendMessage``/``sendPhoto``/edits -> a ``Message`` echoing the chat,
  text and ``reply_markup``; anything else -> ``true``). It remembers the newest inline keyboard
  sent to each chat, so the benchmark presses the buttons the bot actually sent.
* ``ours``: the real ``TelegramAdapter`` (its builder chain, its ``TypeHandler``, its messenger,
  the real ``build_dispatcher`` core, a ``Context`` on ``SqliteStorage`` in a fresh temp file on
  disk). The only substitution is the request object. The adapter asks for
  ``AIORateLimiter(max_retries=3)``, whose default overall limit paces every request that carries
  a ``chat_id`` to 30/s (Telegram's own broadcast limit); for the CPU-cost figures the benchmark
  swaps in ``AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)`` (the same
  wrapper code path, no pacing). ``inbound_shipped_*`` is a short run with the limiter as shipped.
* ``app.initialize()`` runs (``getMe`` answered offline); the updater is not started: updates
  are built with ``Update.de_json`` (outside the timed region) and fed to
  ``await app.process_update(update)`` one at a time; each call is timed.
* People: ``--people`` onboarded first through the adapter itself (``/start``, consent button,
  name, "Denver", zone button, "8pm"). Then check-ins round-robin over people: a ``/checkin``
  command update, then four callback-query answers (mood, craving, used, note: skip) pressing
  the button data the bot just sent. ``answers`` counts only button presses;
  ``inbound_answers_per_s`` is answers / wall time *including* the ``/checkin`` updates, and the
  p50/p99 latencies are over answer updates only (``inbound_all_updates_*`` covers all).
* ``echo``: a plain ``Application`` (default builder, no rate limiter, same ``NoNetRequest``) with
  one ``MessageHandler`` replying with the message's text and one ``CallbackQueryHandler`` that
  answers the query and replies with its data. It is fed a replay of exactly the update JSON the
  inbound run used. The two alternate in ``--rounds`` rounds (a slice of check-ins through ours,
  then the same slice through the echo), so both are measured at the same moment of this
  shared VM's speed, which drifts by tens of per cent over a minute; each round's ratio is
  kept, and their median is printed with the totals (after one warm-up round).
* ``concurrent``: every person as its own task (each waits for its reply before the next
  press), going through the adapter's own update processor (``app.update_processor``, per-person
  ordering, at most 16 at once), as the updater would hand them over.

``--profile N`` instead runs N answers under pyinstrument (cProfile if it is missing) and prints
the profile and counts of aiosqlite round trips and Bot API calls per answer to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import platform
import sys
import tempfile
import time
import types
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import (  # noqa: E402
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, RequestData  # noqa: E402

import bot.adapters.telegram as tg  # noqa: E402
from handlers.app import build_dispatcher  # noqa: E402
from handlers.context import Context  # noqa: E402
from handlers.messaging import Messengers  # noqa: E402
from handlers.program import ProgramSettings  # noqa: E402
from storage.models import AccountAddress  # noqa: E402
from storage.sqlite import SqliteStorage  # noqa: E402

TOKEN = "123456:bench-token-not-real"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Bench",
    "username": "BenchBot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
FIRST_USER = 700_000_000
MESSAGE_METHODS = {
    "sendMessage",
    "sendPhoto",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
}
CHECKIN_KEYS = ("mood", "craving", "used", "note")


# ---- the request that does no network I/O --------------------------------------------------


class NoNetRequest(BaseRequest):
    """Canned successful Bot API answers; remembers each chat's newest inline keyboard."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.keyboards: dict[int, tuple[int, list[list[dict[str, Any]]]]] = {}
        self.texts: dict[int, str] = {}
        self._message_ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        self.calls[endpoint] += 1
        params: dict[str, Any] = {}
        if request_data is not None:
            params = request_data.parameters
            request_data.json_parameters  # noqa: B018 - the encoding HTTPXRequest would do
        result: Any = True
        if endpoint == "getMe":
            result = BOT_USER
        elif endpoint in MESSAGE_METHODS:
            chat_id = int(params.get("chat_id", 0))
            message_id = next(self._message_ids)
            result = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "from": BOT_USER,
            }
            if endpoint == "sendPhoto":
                result["photo"] = [
                    {"file_id": "p", "file_unique_id": "pu", "width": 1, "height": 1}
                ]
                result["caption"] = params.get("caption", "")
            else:
                result["text"] = params.get("text", "")
                self.texts[chat_id] = result["text"]
            markup = params.get("reply_markup")
            if isinstance(markup, dict):
                result["reply_markup"] = markup
                rows = markup.get("inline_keyboard")
                if rows:
                    self.keyboards[chat_id] = (message_id, rows)
        return 200, json.dumps({"ok": True, "result": result}).encode()


# ---- building the two applications ---------------------------------------------------------


def unpaced_limiter() -> AIORateLimiter:
    return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)


def offline_application(request: NoNetRequest, *, paced: bool) -> types.SimpleNamespace:
    """Stands in for ``telegram.ext.Application`` inside the adapter module while it builds."""

    class Builder(ApplicationBuilder):  # type: ignore[type-arg]
        def rate_limiter(self, rate_limiter: Any) -> Any:
            return super().rate_limiter(rate_limiter if paced else unpaced_limiter())

    def builder() -> ApplicationBuilder:  # type: ignore[type-arg]
        return Builder().request(request).get_updates_request(NoNetRequest())

    return types.SimpleNamespace(builder=builder)


class Ours:
    """The real adapter and core on a fresh SQLite file."""

    def __init__(self, db_path: Path, *, paced: bool = False) -> None:
        self.db_path = db_path
        self.paced = paced
        self.request = NoNetRequest()

    async def __aenter__(self) -> Ours:
        self.storage = SqliteStorage(self.db_path)
        await self.storage.open()
        self.ctx = Context(storage=self.storage, program=ProgramSettings(), messengers=Messengers())
        self.dispatcher = build_dispatcher(self.ctx)
        with mock.patch.object(
            tg, "Application", offline_application(self.request, paced=self.paced)
        ):
            self.adapter = tg.TelegramAdapter(TOKEN, self.dispatcher, tg.TelegramSettings())
        self.ctx.messengers.add(self.adapter.messenger)
        self.app = self.adapter.app
        await self.app.initialize()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.shutdown()
        await self.storage.close()


def echo_application(request: NoNetRequest) -> Application:  # type: ignore[type-arg]
    app = ApplicationBuilder().token(TOKEN).request(request).get_updates_request(NoNetRequest())
    application = app.build()

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        await message.reply_text(message.text or "?")

    async def on_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer()
        await context.bot.send_message(query.message.chat.id, query.data or "?")

    application.add_handler(MessageHandler(filters.ALL, on_message))
    application.add_handler(CallbackQueryHandler(on_query))
    return application


# ---- the people and their updates ----------------------------------------------------------


class Driver:
    """Makes update JSON for people and presses the buttons the bot last sent them."""

    def __init__(self, request: NoNetRequest, first_update_id: int = 1) -> None:
        self.request = request
        self.update_ids = itertools.count(first_update_id)
        self.message_ids = itertools.count(1)
        self.query_ids = itertools.count(1)
        self.log: list[dict[str, Any]] | None = None  # the update JSON, for the echo replay

    @staticmethod
    def _user(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"P{user_id % 1000}"}

    def _record(self, data: dict[str, Any]) -> dict[str, Any]:
        if self.log is not None:
            self.log.append(data)
        return data

    def text(self, user_id: int, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self.message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "P"},
            "from": self._user(user_id),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._record({"update_id": next(self.update_ids), "message": message})

    def press(self, user_id: int, choose: Callable[[str], bool]) -> dict[str, Any]:
        """A callback query for the first button (of the newest keyboard) ``choose`` accepts."""
        message_id, rows = self.request.keyboards[user_id]
        data = next(b["callback_data"] for row in rows for b in row if choose(b["callback_data"]))
        query = {
            "id": str(next(self.query_ids)),
            "from": self._user(user_id),
            "chat_instance": f"ci{user_id}",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private", "first_name": "P"},
                "from": BOT_USER,
                "text": "question",
            },
        }
        return self._record({"update_id": next(self.update_ids), "callback_query": query})


def checkin_steps(person: int, round_: int) -> list[tuple[str, Callable[[str], bool]]]:
    """The four presses of a check-in: a mood, a craving, "no", then skip.

    Ordinary days: each person's mood cycles 1..5 (never three low ones in a row) and cravings
    stay below the alert threshold (8), so no escalation alert fires; alerts are rare events with
    costs of their own, not the steady inbound load measured here.
    """
    mood = f":mood:{1 + (person + round_) % 5}"
    craving = f":craving:{(person * 3 + round_) % 8}"
    return [
        ("mood", lambda d: d.endswith(mood)),
        ("craving", lambda d: d.endswith(craving)),
        ("used", lambda d: d.endswith(":used:no")),
        ("note", lambda d: d.endswith(":note:skip")),
    ]


Feed = Callable[[Update], Awaitable[None]]


async def onboard_everyone(ours: Ours, driver: Driver, users: list[int]) -> float:
    """Onboards ``users`` through the adapter, one update at a time; returns the wall seconds."""
    app = ours.app
    started = time.perf_counter()
    for user in users:
        for step in range(6):
            if step == 0:
                data = driver.text(user, "/start")
            elif step == 1:
                data = driver.press(user, lambda d: d == "ob:consent:yes")
            elif step == 4:
                data = driver.press(user, lambda d: d == "ob:zone:yes")
            else:
                data = driver.text(user, {2: f"Person {user % 1000}", 3: "Denver", 5: "8pm"}[step])
            await app.process_update(Update.de_json(data, app.bot))
    wall = time.perf_counter() - started
    for user in (users[0], users[-1]):  # sanity: they really are onboarded
        person = await ours.storage.person_for_account(AccountAddress("telegram", str(user)))
        if person is None or not person.onboarded:
            raise SystemExit(f"onboarding through the adapter failed for {user}")
    return wall


async def checkins_sequential(
    ours: Ours, driver: Driver, users: list[int], answers: int, first: int = 0
) -> tuple[float, list[float], list[float]]:
    """Round-robin check-ins (numbered from ``first``); returns (wall s, answer latencies us,
    /checkin latencies us)."""
    app, bot = ours.app, ours.app.bot
    answer_us: list[float] = []
    command_us: list[float] = []
    clock = time.perf_counter_ns
    wall = 0.0
    n = first
    while len(answer_us) < answers:
        user = users[n % len(users)]
        update = Update.de_json(driver.text(user, "/checkin"), bot)
        t0 = clock()
        await app.process_update(update)
        elapsed = clock() - t0
        command_us.append(elapsed / 1000)
        wall += elapsed
        for _, choose in checkin_steps(n % len(users), n // len(users)):
            update = Update.de_json(driver.press(user, choose), bot)
            t0 = clock()
            await app.process_update(update)
            elapsed = clock() - t0
            answer_us.append(elapsed / 1000)
            wall += elapsed
        n += 1
    return wall / 1e9, answer_us, command_us


async def checkins_concurrent(
    ours: Ours, driver: Driver, users: list[int], answers: int
) -> tuple[float, int]:
    """Every person a task, through the adapter's update processor; returns (wall s, answers)."""
    app, bot = ours.app, ours.app.bot
    processor = app.update_processor
    per_person = max(1, answers // (4 * len(users)))
    done = 0

    async def person(index: int, user: int) -> None:
        nonlocal done
        for k in range(per_person):
            update = Update.de_json(driver.text(user, "/checkin"), bot)
            await processor.process_update(update, app.process_update(update))
            for _, choose in checkin_steps(index, k):
                update = Update.de_json(driver.press(user, choose), bot)
                await processor.process_update(update, app.process_update(update))
                done += 1

    started = time.perf_counter()
    await asyncio.gather(*(person(i, u) for i, u in enumerate(users)))
    return time.perf_counter() - started, done


async def replay(app: Application, updates: list[dict[str, Any]]) -> tuple[float, list[float]]:  # type: ignore[type-arg]
    samples: list[float] = []
    clock = time.perf_counter_ns
    wall = 0
    for data in updates:
        update = Update.de_json(data, app.bot)
        t0 = clock()
        await app.process_update(update)
        elapsed = clock() - t0
        samples.append(elapsed / 1000)
        wall += elapsed
    return wall / 1e9, samples


# ---- reporting -----------------------------------------------------------------------------


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def machine() -> str:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"machine: nproc={os.cpu_count()} cpu={model!r} python={platform.python_version()}"
        f" ({platform.python_implementation()})"
    )


def out(name: str, value: float, unit: str, digits: int = 0) -> None:
    print(f"{name}: {value:.{digits}f} {unit}", flush=True)


def check_completed(ours: Ours, expected_min: int) -> Awaitable[int]:
    async def count() -> int:
        rows = await ours.storage._fetchall(
            "SELECT COUNT(*) FROM checkins WHERE completed_at IS NOT NULL"
        )
        found = int(rows[0][0])
        if found < expected_min:
            raise SystemExit(f"only {found} check-ins completed, expected >= {expected_min}")
        return found

    return count()


# ---- the run -------------------------------------------------------------------------------


async def run(args: argparse.Namespace, tmp: Path) -> None:
    users = [FIRST_USER + i for i in range(args.people)]
    print(machine(), flush=True)

    # ours and echo in alternating rounds: each round runs a slice of the check-ins through
    # ours (recording their update JSON), then replays exactly that slice to the bare echo
    # Application, so both see the same moment of this shared VM's speed. The ratio of each
    # round is reported with the totals: its median is the figure that survives noisy
    # neighbours.
    echo = echo_application(NoNetRequest())
    await echo.initialize()
    async with Ours(tmp / "inbound.db") as ours:
        driver = Driver(ours.request)
        onboard_wall = await onboard_everyone(ours, driver, users)
        out("onboard_updates_per_s", 6 * len(users) / onboard_wall, "updates/s")
        driver.log = []
        await checkins_sequential(ours, driver, users, min(2000, args.answers))  # warm-up
        await replay(echo, driver.log)
        first = len(driver.log) // 5
        rounds = max(1, args.rounds)
        per_round = max(4, args.answers // rounds)
        wall = echo_wall = 0.0
        answer_us: list[float] = []
        command_us: list[float] = []
        echo_us: list[float] = []
        ratios: list[float] = []
        for _ in range(rounds):
            driver.log = []
            round_wall, answers, commands = await checkins_sequential(
                ours, driver, users, per_round, first
            )
            first += len(commands)
            round_echo_wall, echoed = await replay(echo, driver.log)
            ratios.append((len(echoed) / round_echo_wall) / (len(answers) / round_wall))
            wall += round_wall
            echo_wall += round_echo_wall
            answer_us += answers
            command_us += commands
            echo_us += echoed
        await check_completed(ours, len(command_us))
    await echo.shutdown()
    answer_us.sort()
    all_us = sorted(answer_us + command_us)
    echo_us.sort()
    ours_rate = len(answer_us) / wall
    echo_rate = len(echo_us) / echo_wall
    out("inbound_answers", len(answer_us), "answers")
    out("inbound_answers_per_s", ours_rate, "answers/s")
    out("inbound_p50_us", percentile(answer_us, 0.50), "us")
    out("inbound_p99_us", percentile(answer_us, 0.99), "us")
    out("inbound_all_updates_per_s", len(all_us) / wall, "updates/s")
    out("inbound_all_updates_p50_us", percentile(all_us, 0.50), "us")
    out("inbound_all_updates_p99_us", percentile(all_us, 0.99), "us")
    out("inbound_checkin_command_p50_us", percentile(sorted(command_us), 0.50), "us")
    out("echo_updates", len(echo_us), "updates")
    out("echo_updates_per_s", echo_rate, "updates/s")
    out("echo_p50_us", percentile(echo_us, 0.50), "us")
    out("echo_p99_us", percentile(echo_us, 0.99), "us")
    out("inbound_vs_echo_ratio", echo_rate / ours_rate, "x", 2)
    out("inbound_vs_echo_ratio_per_update", echo_rate / (len(all_us) / wall), "x", 2)
    ratios.sort()
    out("inbound_vs_echo_ratio_round_median", percentile(ratios, 0.5), "x", 2)
    out("inbound_vs_echo_ratio_round_min", ratios[0], "x", 2)
    out("inbound_vs_echo_ratio_round_max", ratios[-1], "x", 2)

    # concurrent: the adapter's own update processor, every person a task
    if args.concurrent_answers:
        async with Ours(tmp / "concurrent.db") as ours:
            driver = Driver(ours.request)
            await onboard_everyone(ours, driver, users)
            wall, done = await checkins_concurrent(ours, driver, users, args.concurrent_answers)
            await check_completed(ours, done // 4)
            out("inbound_concurrent_answers", done, "answers")
            out("inbound_concurrent_answers_per_s", done / wall, "answers/s")

    # as shipped: AIORateLimiter with its default 30 requests/s overall pacing
    if args.shipped_answers:
        async with Ours(tmp / "shipped.db", paced=True) as ours:
            driver = Driver(ours.request)
            few = users[: max(1, min(len(users), args.shipped_answers // 4))]
            await onboard_everyone(ours, driver, few)
            wall, answer_us, _ = await checkins_sequential(ours, driver, few, args.shipped_answers)
            answer_us.sort()
            out("inbound_shipped_limiter_answers", len(answer_us), "answers")
            out("inbound_shipped_limiter_answers_per_s", len(answer_us) / wall, "answers/s")
            out("inbound_shipped_limiter_p50_us", percentile(answer_us, 0.50), "us")


async def profile(args: argparse.Namespace, tmp: Path) -> None:
    """N answers under a profiler, with round-trip counts, all to stderr."""
    import aiosqlite.core

    users = [FIRST_USER + i for i in range(args.people)]
    async with Ours(tmp / "profile.db") as ours:
        driver = Driver(ours.request)
        await onboard_everyone(ours, driver, users)
        await checkins_sequential(ours, driver, users, 400)  # warm-up: check-ins 0..99

        trips: Counter[str] = Counter()
        real_execute = aiosqlite.core.Connection._execute

        async def counting(self: Any, fn: Any, *a: Any, **kw: Any) -> Any:
            trips[getattr(fn, "__name__", repr(fn))] += 1
            return await real_execute(self, fn, *a, **kw)

        inline: Counter[str] = Counter()
        storage = ours.storage
        for name, conn in (("writer", storage._writer), ("reader", storage._reader)):
            assert conn is not None
            conn.set_trace_callback(lambda sql, name=name: inline.update([name]))

        ours.request.calls.clear()
        with mock.patch.object(aiosqlite.core.Connection, "_execute", counting):
            _, answer_us, command_us = await checkins_sequential(ours, driver, users, 400, 100)
        for conn in (storage._writer, storage._reader):
            assert conn is not None
            conn.set_trace_callback(None)
        per = len(answer_us) + len(command_us)
        print(f"per update ({per} updates, 1 in 5 a /checkin):", file=sys.stderr)
        print(f"  aiosqlite thread round trips: {sum(trips.values()) / per:.2f}", file=sys.stderr)
        for name, count in trips.most_common():
            print(f"    {name}: {count / per:.2f}", file=sys.stderr)
        print("  inline SQLite statements (BEGIN/COMMIT included):", file=sys.stderr)
        for name, count in inline.most_common():
            print(f"    {name}: {count / per:.2f}", file=sys.stderr)
        for name, count in ours.request.calls.most_common():
            print(f"  Bot API {name}: {count / per:.2f}", file=sys.stderr)

        try:
            from pyinstrument import Profiler
        except ImportError:
            Profiler = None
        if Profiler is not None:
            profiler = Profiler(interval=0.001, async_mode="enabled")
            profiler.start()
            await checkins_sequential(ours, driver, users, args.profile, 200)
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False, show_all=False), file=sys.stderr)
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        await checkins_sequential(ours, driver, users, args.profile, 200 + args.profile // 4)
        prof.disable()
        stats = pstats.Stats(prof, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=20000, help="button answers, sequential")
    parser.add_argument("--people", type=int, default=200, help="people onboarded first")
    parser.add_argument(
        "--rounds", type=int, default=10, help="alternating ours/echo rounds the answers span"
    )
    parser.add_argument(
        "--concurrent-answers",
        type=int,
        default=8000,
        help="answers in the concurrent run (0: skip)",
    )
    parser.add_argument(
        "--shipped-answers",
        type=int,
        default=100,
        help="answers with the adapter's AIORateLimiter as shipped, 30 req/s (0: skip)",
    )
    parser.add_argument("--profile", type=int, default=0, help="profile N answers instead")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench-inbound-", dir="/var/tmp") as tmp:
        if args.profile:
            asyncio.run(profile(args, Path(tmp)))
        else:
            asyncio.run(run(args, Path(tmp)))


if __name__ == "__main__":
    main()
