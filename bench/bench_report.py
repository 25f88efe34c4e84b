"""A year of data: `peerbot report --since 365d` and `/progress` on a seeded year-sized database.

    .venv/bin/python bench/bench_report.py [--people 5000] [--days 365] [--runs 3]
        [--cache DIR] [--reseed]

The database (5,000 mentees x 365 days: a prompt each day, ~85 % answered with mood, craving,
used and sometimes a note; ~800 MB) is seeded once through :mod:`storage.sqlite.bulk` and kept
in the cache folder (default ``$XDG_CACHE_HOME/peerbot-bench`` or ``~/.cache/peerbot-bench``),
so reruns skip the seed. Each run works on a fresh copy, which the bot's own opening migrates
(the time that takes is printed: a new index on 1.8M rows is built once, at the first start
after an upgrade). Then the time to open it as ``peerbot run`` does (the whole file read by
``PRAGMA quick_check``) and as the short commands do (the schema only), and ``peerbot check-db``
(``PRAGMA integrity_check``).

- ``report_*``: the real command, ``peerbot report --since 365d --database COPY --format json``,
  in a subprocess (wall time, median of ``--runs``), and the same steps in-process through
  ``handlers.reporting.report.collect`` with the time of each storage query.
- ``progress_*``: ``/progress 365`` for one mentee, in a fresh process (so the first call is the
  one that loads matplotlib), first and second call, and the event loop's longest stall during
  each, seen by a task that wakes every millisecond; ``progress_idle`` is the same watch for a
  second with nothing running, the stall this machine's other work alone causes.

Nothing is asserted; figures are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.sqlite import SqliteStorage  # noqa: E402
from storage.sqlite.bulk import seed_checkin_history  # noqa: E402

SEED_VERSION = 2
"""Bump when the seeded rows change, so a stale cached file is not reused."""


def _cache_dir(given: Path | None) -> Path:
    if given is not None:
        return given
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "peerbot-bench"


def _last_day() -> date:
    """Yesterday: the report's last full day, so the seeded year is the report's year."""
    return datetime.now(UTC).date() - timedelta(days=1)


async def _seed(target: Path, people: int, days: int) -> None:
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()

    def tick(done: int) -> None:
        if done % 60 == 0 or done == days:
            print(f"  seeded {done}/{days} days ({time.perf_counter() - started:.0f} s)")

    seeded = await seed_checkin_history(
        partial, people=people, days=days, last_day=_last_day(), tick=tick
    )
    os.replace(partial, target)
    print(f"seed_s: {time.perf_counter() - started:.1f} s")
    print(
        f"seed_rows: {seeded.prompts} prompts, {seeded.checkins} check-ins, "
        f"{seeded.answers} answers"
    )


async def _migrate(path: Path) -> None:
    started = time.perf_counter()
    storage = SqliteStorage(path)
    await storage.open()
    await storage.close()
    print(f"open_and_migrate_s: {time.perf_counter() - started:.2f} s")
    for name, whole in (("open_as_run_s", True), ("open_as_short_command_s", False)):
        started = time.perf_counter()
        storage = SqliteStorage(path, check_whole_file=whole)
        await storage.open()
        await storage.close()
        print(f"{name}: {time.perf_counter() - started:.2f} s")


def _check_db(path: Path) -> None:
    peerbot = Path(sys.executable).with_name("peerbot")
    started = time.perf_counter()
    subprocess.run([str(peerbot), "check-db", "--database", str(path)], check=True)
    print(f"check_db_s: {time.perf_counter() - started:.2f} s")


def _report_subprocess(path: Path, runs: int) -> None:
    peerbot = Path(sys.executable).with_name("peerbot")
    command = [str(peerbot), "report", "--since", "365d", "--database", str(path)]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            [*command, "--format", "json"], capture_output=True, text=True, check=False
        )
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            raise SystemExit(f"peerbot report failed with {done.returncode}")
    print(
        f"report_cli_s: median {statistics.median(times):.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in times)})"
    )


async def _report_steps(path: Path) -> None:
    from handlers.reporting.report import collect

    storage = SqliteStorage(path, check_whole_file=False)  # as `peerbot report` opens it
    await storage.open()
    marks: list[tuple[str, float]] = []
    now = datetime.now(UTC)
    try:
        started = time.perf_counter()
        await collect(
            storage,
            "bench",
            now - timedelta(days=365),
            now,
            lambda label: marks.append((label, time.perf_counter())),
        )
        ended = time.perf_counter()
    finally:
        await storage.close()
    print(f"report_collect_s: {ended - started:.2f} s")
    for (label, at), (_, after) in zip(marks, [*marks[1:], ("", ended)], strict=True):
        print(f"  report_step {label}: {(after - at) * 1000:.0f} ms")


async def _progress(path: Path) -> None:
    """/progress 365 twice for one mentee, watching the event loop (run in a fresh process)."""
    from handlers.checkins.progress import progress_command
    from handlers.context import Context, Turn
    from handlers.messaging import Command, ConversationRef, IncomingEvent
    from storage.people import Role

    storage = SqliteStorage(path, check_whole_file=False)
    await storage.open()
    try:
        person = await storage.get_person(1)
        assert person is not None
        ctx = Context(storage=storage)
        event = IncomingEvent(ConversationRef("console", "1", "1"), Command("progress", ("365",)))
        turn = Turn(event, person, frozenset({Role.MENTEE}), None)
        # "idle" watches the loop for a second with nothing to do: what this machine's other
        # work alone costs the loop at that moment, the floor under the calls' figures.
        for call in ("idle", "first", "second"):
            stalls: list[float] = []
            stop = asyncio.Event()

            async def watch(stalls: list[float] = stalls, stop: asyncio.Event = stop) -> None:
                last = time.perf_counter()
                while not stop.is_set():
                    await asyncio.sleep(0.001)
                    now = time.perf_counter()
                    stalls.append(now - last - 0.001)
                    last = now

            watcher = asyncio.create_task(watch())
            await asyncio.sleep(0.01)
            started = time.perf_counter()
            if call == "idle":
                await asyncio.sleep(1.0)
            else:
                replies = await progress_command(ctx, turn, ("365",))
                assert replies[0].image is not None
            took = time.perf_counter() - started
            stop.set()
            await watcher
            over = sum(stall > 0.020 for stall in stalls)
            print(
                f"progress_{call}_s: {took:.2f} s; loop's longest stall {max(stalls) * 1000:.0f} ms"
                f" ({over} of {len(stalls)} wake-ups late by over 20 ms)"
            )
    finally:
        await storage.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--progress-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.progress_only is not None:
        asyncio.run(_progress(args.progress_only))
        return

    cache = _cache_dir(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    seeded = cache / f"year-{args.people}x{args.days}-v{SEED_VERSION}.db"
    if args.reseed or not seeded.exists():
        for stale in cache.glob(f"year-{args.people}x{args.days}-*.db"):
            stale.unlink()
        asyncio.run(_seed(seeded, args.people, args.days))
        print(f"seed: {seeded} ({seeded.stat().st_size / 1e6:.0f} MB), cached for the next run")
    else:
        print(f"seed: cached {seeded} ({seeded.stat().st_size / 1e6:.0f} MB)")
    work = cache / "work.db"
    for stale in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    shutil.copyfile(seeded, work)
    print(f"copy_s: {time.perf_counter() - started:.1f} s")
    asyncio.run(_migrate(work))
    _check_db(work)
    _report_subprocess(work, args.runs)
    asyncio.run(_report_steps(work))
    subprocess.run([sys.executable, __file__, "--progress-only", str(work)], check=True)


if __name__ == "__main__":
    main()
