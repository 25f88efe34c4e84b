"""Benchmark a fan-out of check-in prompts with 1, 2 and 4 ``peerbot run`` processes on one
PostgreSQL database (issue 17).

Run from the repository root::

    .venv/bin/python bench/bench_processes.py [--people 10000] [--processes 1,2,4]
        [--rounds 1] [--pg-synchronous-commit on|off]

Prints ``name: value unit`` lines (after one ``machine:`` header line). Nothing is asserted.

A throwaway cluster (``initdb`` + ``pg_ctl`` on loopback, as the tests start it, with the
server's default durability: ``fsync`` on). For each process count, a fresh database; that many
real ``peerbot run`` processes on it (``tests/support/fleet.py``: the console adapter, whose
messenger writes each message to the process's stdout, a file: the nearest thing to a null
messenger that a real process has; ``tick_seconds = 1``); once every process is ticking,
``--people`` onboarded people with their check-in due now are written in one transaction, and
the clock runs from that commit until the delivery ledger holds a ``sent`` row for every
prompt (polled every 50 ms). ``prompts/s`` is people / that time; it includes up to one tick
(1 s) before the first claim. Every prompt's own work is the real batch path
(``handlers/checkins/batch.py``): facts read, ledger row, check-in opened, conversation
state, the send, the mark and the due row advanced.

The machine is shared (2 cores, other work running): the processes compete with PostgreSQL
and with each other for those 2 cores, so more processes can only help while a process waits
on the database, not on the CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import postgres as pg  # noqa: E402
from tests.support.fleet import (  # noqa: E402
    Member,
    scalar,
    seed_due_prompts,
    start_member,
    wait_for_log,
)

CONFIG = "[checkin]\ntick_seconds = 1\n"


def machine_line() -> str:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"machine: nproc={os.cpu_count()} cpu={model!r} python={platform.python_version()}"
        f" loadavg_at_start=({load})"
    )


async def one_run(cluster: pg.PostgresCluster, processes: int, people: int, folder: Path) -> float:
    url = await pg.empty_database(cluster)
    members: list[Member] = []
    try:
        for n in range(processes):
            members.append(await start_member(f"m{n}", folder / f"p{processes}-m{n}", url, CONFIG))
        for member in members:
            await wait_for_log(member, "starting the console adapter", within=120)
        await seed_due_prompts(url, people)
        started = time.perf_counter()
        while True:
            sent = await scalar(
                url, "SELECT count(*) FROM deliveries WHERE kind = 'checkin' AND status = 'sent'"
            )
            if sent == people:
                break
            if time.perf_counter() - started > 600:
                raise RuntimeError(f"only {sent} of {people} prompts sent in 10 minutes")
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        for member in members:
            await member.stop()
        await pg.drop_database(cluster, url)
    printed = sum(sum(m.prompts().values()) for m in members)
    print(
        f"  ({processes} processes: {people} prompts in {elapsed:.2f} s;"
        f" {printed} printed; per process {[sum(m.prompts().values()) for m in members]})",
        flush=True,
    )
    return people / elapsed


async def main(args: argparse.Namespace) -> None:
    print(machine_line(), flush=True)
    counts = [int(n) for n in args.processes.split(",")]
    cluster = pg.start_cluster(durable=True, synchronous_commit=args.pg_synchronous_commit == "on")
    try:
        server = await pg.server_version(cluster)
        print(
            f"postgres_server: {server} fsync=on synchronous_commit={args.pg_synchronous_commit}",
            flush=True,
        )
        with tempfile.TemporaryDirectory(prefix="bench-processes-") as folder:
            rates: dict[int, list[float]] = {n: [] for n in counts}
            for _ in range(args.rounds):
                for n in counts:  # alternate, so each count meets the VM's moods alike
                    rates[n].append(await one_run(cluster, n, args.people, Path(folder)))
            for n in counts:
                print(
                    f"postgres_{n}_processes_prompts_per_s: {statistics.median(rates[n]):.0f}"
                    f" prompts/s   (rounds: {', '.join(f'{r:.0f}' for r in rates[n])})",
                    flush=True,
                )
    finally:
        cluster.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--pg-synchronous-commit", choices=("on", "off"), default="on")
    asyncio.run(main(parser.parse_args()))
