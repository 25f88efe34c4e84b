"""Benchmark the due queue against the naive one-APScheduler-job-per-person design.

Run from the repository root::

    .venv/bin/python bench/bench_due_queue.py [--people 100000] [--big 1000000]
        [--big-limit 100000] [--naive 100000] [--skip-big]

Prints ``name: value unit`` lines (after one ``machine:`` header line). Nothing is asserted.

Every scenario runs in its own subprocess (the script re-invokes itself with ``--scenario``),
because peak RSS (``getrusage().ru_maxrss``) is a process-lifetime peak:

* ``seed``: a fresh SQLite file under a temp dir in /tmp. ``SqliteStorage.open()`` runs the real
  migrations, then plain ``sqlite3`` bulk-inserts N onboarded people (people, accounts on
  'telegram', roles, consent, settings with zone and check-in time) and one 'checkin' due_work
  row each, all due at the same UTC minute (2026-11-28 03:00Z) across 10 IANA zones, so each
  zone's ``checkin_time`` is the local time of that instant. Seeding has its own process so it
  never counts towards the dispatcher's peak RSS.
* ``ours``: the real wiring on that file: ``SqliteStorage.open()``, a ``Context`` whose
  ``Messengers`` holds a null 'telegram' messenger (returns a ``SentRef`` at once), the real
  ``DueWorker`` with the real ``DUE_HANDLERS``, the real ``build_scheduler``. "Start" is the
  wall time from the first line of that wiring (open storage) until APScheduler actually fires
  its first tick job (the job is a probe; the scheduler is then shut down). Throughput is then
  measured by ``await worker.tick()`` until a tick handles nothing, with a fake clock fixed 20 s
  past the due minute (so nothing is "too late"). With ``--big-limit`` the 1M run ticks through
  only the first K claimed rows (the claim query still runs against all 1M rows) and the line
  names say ``_first_<K>``.
* ``naive``: APScheduler 3.11 ``AsyncIOScheduler`` with the default memory job store and one
  ``CronTrigger(hour=20, minute=0, timezone=<zone>)`` job per person over the same 10 zones.
  "Start" is the time to add every job plus ``scheduler.start()``.

Profiling (not part of the default run)::

    .venv/bin/python bench/bench_due_queue.py --profile 20000

seeds 20,000 people, ticks through them under pyinstrument (if installed) and counts aiosqlite
thread round trips and storage calls per prompt, printed to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from due_queue_scenarios import (
    emit,
    label,
    progress,
    scenario_naive,
    scenario_ours,
    scenario_seed,
)


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"machine: nproc={os.cpu_count()} cpu={cpu!r} python={platform.python_version()}"
        f" sqlite={sqlite3.sqlite_version} {platform.system()}-{platform.machine()}"
    )


def child(*args: str) -> dict[str, float]:
    """Run one scenario in a fresh interpreter; echo and parse its ``name: value unit`` lines."""
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True).stdout
    figures: dict[str, float] = {}
    for line in out.splitlines():
        print(line, flush=True)
        key, sep, rest = line.partition(": ")
        if sep:
            try:
                figures[key] = float(rest.split()[0])
            except (ValueError, IndexError):
                pass
    return figures


def run_ours(tmp: Path, people: int, limit: int) -> dict[str, float]:
    name = f"ours_{label(people)}"
    db = tmp / f"{name}.db"
    figures = child("--scenario", "seed", "--db", str(db), "--people", str(people), "--name", name)
    figures |= child(
        "--scenario",
        "ours",
        "--db",
        str(db),
        "--people",
        str(people),
        "--limit",
        str(limit),
        "--name",
        name,
    )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return figures


def pick(figures: dict[str, float], prefix: str) -> tuple[str, float]:
    for key, value in figures.items():
        if key.startswith(prefix):
            return key, value
    raise KeyError(prefix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument(
        "--big-limit",
        type=int,
        default=100_000,
        help="tick through only the first K claimed rows at --big (0: all of them)",
    )
    parser.add_argument("--naive", type=int, default=100_000)
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="only profile ours at N people (stderr), no benchmark",
    )
    parser.add_argument("--scenario", choices=("seed", "ours", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--name", default="", help=argparse.SUPPRESS)
    parser.add_argument("--profile-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    if args.scenario == "seed":
        scenario_seed(args.db, args.people, args.name)
        return
    if args.scenario == "ours":
        asyncio.run(scenario_ours(args.db, args.people, args.limit, args.name, args.profile_child))
        return
    if args.scenario == "naive":
        asyncio.run(scenario_naive(args.people, args.name))
        return

    print(machine(), flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench_due_", dir="/tmp"))
    run_started = time.perf_counter()
    try:
        if args.profile:
            db = tmp / "profile.db"
            child(
                "--scenario",
                "seed",
                "--db",
                str(db),
                "--people",
                str(args.profile),
                "--name",
                f"profile_{label(args.profile)}",
            )
            child(
                "--scenario",
                "ours",
                "--db",
                str(db),
                "--people",
                str(args.profile),
                "--name",
                f"profile_{label(args.profile)}",
                "--profile-child",
            )
            return
        figures: dict[str, float] = {}
        progress(f"ours at {args.people}")
        figures |= run_ours(tmp, args.people, 0)
        big_name = ""
        if not args.skip_big:
            progress(f"ours at {args.big} (first {args.big_limit or args.big} claimed)")
            figures |= run_ours(tmp, args.big, args.big_limit)
            big_name = f"ours_{label(args.big)}"
        progress(f"naive at {args.naive}")
        naive_name = f"naive_{label(args.naive)}"
        figures |= child("--scenario", "naive", "--people", str(args.naive), "--name", naive_name)

        small_name = f"ours_{label(args.people)}"
        naive_rss = figures[f"{naive_name}_peak_rss"]
        naive_start = figures[f"{naive_name}_start_s"]
        if big_name:
            key, big_rss = pick(figures, f"{big_name}_peak_rss")
            emit(
                f"{key.replace('_peak_rss', '_rss')}_vs_{naive_name}_rss",
                big_rss / naive_rss,
                "ratio",
            )
        emit(
            f"{small_name}_rss_vs_{naive_name}_rss",
            figures[f"{small_name}_peak_rss"] / naive_rss,
            "ratio",
        )
        # Growth = peak minus the RSS right after imports: what the schedule itself costs.
        naive_growth = figures[f"{naive_name}_rss_growth"]
        if big_name:
            key, big_growth = pick(figures, f"{big_name}_rss_growth")
            emit(f"{key}_vs_{naive_name}_rss_growth", big_growth / naive_growth, "ratio")
        emit("naive_start_vs_ours_start", naive_start / figures[f"{small_name}_start_s"], "ratio")
        if big_name:
            emit(
                f"naive_start_vs_{big_name}_start",
                naive_start / figures[f"{big_name}_start_s"],
                "ratio",
            )
        emit("bench_total_s", time.perf_counter() - run_started, "s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
