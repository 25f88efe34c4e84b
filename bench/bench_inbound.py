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
  disk). The only substitution is the request object. The adapter's ``PacedRateLimiter`` keeps
  Telegram's limits (30 messages/s for the bot, 1/s per private chat: ``bench_send.py``); for
  the CPU-cost figures the benchmark swaps in
  ``AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)`` (a rate limiter that
  does not pace). ``inbound_shipped_*`` is a short run with the limiter as shipped.
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
import logging
import os
import platform
import sys
import tempfile
from collections import Counter
from collections.abc import Awaitable
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from inbound_world import (  # noqa: E402
    FIRST_USER,
    Driver,
    NoNetRequest,
    Ours,
    checkins_concurrent,
    checkins_sequential,
    echo_application,
    onboard_everyone,
    replay,
)

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


def check_completed(ours: Ours, checkins: int, people: int) -> Awaitable[int]:
    """That the check-ins went through: one completed check-in a person and day is a storage
    rule (a later one the same day replaces the earlier), so the file keeps one for each person
    who checked in, not one for each of the ``checkins`` made."""

    async def count() -> int:
        rows = await ours.storage.db.fetchall(
            "SELECT COUNT(DISTINCT person_id) FROM checkins WHERE completed_at IS NOT NULL"
        )
        found, expected = int(rows[0][0]), min(checkins, people)
        if found < expected:
            raise SystemExit(f"only {found} people completed a check-in, expected {expected}")
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
        await check_completed(ours, len(command_us), len(users))
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
            await check_completed(ours, done // 4, len(users))
            out("inbound_concurrent_answers", done, "answers")
            out("inbound_concurrent_answers_per_s", done / wall, "answers/s")

    # as shipped: PacedRateLimiter, Telegram's limits (30/s for the bot, 1/s per chat)
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
        for name, conn in (("writer", storage.db._writer),):
            assert conn is not None
            conn.set_trace_callback(lambda sql, name=name: inline.update([name]))

        ours.request.calls.clear()
        with mock.patch.object(aiosqlite.core.Connection, "_execute", counting):
            _, answer_us, command_us = await checkins_sequential(ours, driver, users, 400, 100)
        for conn in (storage.db._writer,):
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
        help="answers with the adapter's rate limiter as shipped, Telegram's limits (0: skip)",
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
