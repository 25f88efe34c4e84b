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

``--kill-one``: after the figures, one more run of ``--people`` with 4 processes and a lease
of 6 s, where one process is killed with SIGKILL in the middle of the fan-out (once half the
people have their prompt, as soon as it holds claimed rows); prints how many claims it left,
how many people got no prompt (lost) and how many got two (duplicates), and how long the
whole fan-out took.

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
    kill_while_holding_claims,
    prompts_seen,
    scalar,
    seed_due_prompts,
    start_member,
    until_all_prompted,
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


async def kill_run(cluster: pg.PostgresCluster, people: int, folder: Path) -> None:
    url = await pg.empty_database(cluster)
    config = CONFIG + "\n[queue]\nlease_seconds = 6\n"
    members: list[Member] = []
    try:
        for n in range(4):
            members.append(await start_member(f"k{n}", folder / f"kill-m{n}", url, config))
        for member in members:
            await wait_for_log(member, "starting the console adapter", within=120)
        day = time.strftime("%Y-%m-%d", time.gmtime())
        await seed_due_prompts(url, people)
        started = time.perf_counter()
        await until_all_prompted(members, people // 2, within=600)  # the middle of the fan-out
        stranded = await kill_while_holding_claims(members[0], url, day)
        killed_at = time.perf_counter() - started
        while True:
            sent = await scalar(
                url, "SELECT count(*) FROM deliveries WHERE kind = 'checkin' AND status = 'sent'"
            )
            if sent == people or time.perf_counter() - started > 600:
                break
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        for member in members:
            await member.stop()
        await pg.drop_database(cluster, url)
    seen = prompts_seen(members)
    duplicates = sum(n - 1 for n in seen.values())
    print(f"kill_one_of_4_people: {people} people", flush=True)
    print(f"kill_one_of_4_killed_after: {killed_at:.2f} s", flush=True)
    print(f"kill_one_of_4_claims_left_by_the_killed: {stranded} rows", flush=True)
    print(f"kill_one_of_4_lost: {people - len(seen)} people", flush=True)
    print(f"kill_one_of_4_duplicates: {duplicates} prompts", flush=True)
    print(f"kill_one_of_4_all_sent_after: {elapsed:.2f} s", flush=True)


async def main(args: argparse.Namespace) -> None:
    print(machine_line(), flush=True)
    counts = [int(n) for n in args.processes.split(",") if n.strip() not in ("", "none")]
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
            if args.kill_one:
                await kill_run(cluster, args.people, Path(folder))
    finally:
        cluster.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--processes", default="1,2,4", help='e.g. "1,2,4", or "none"')
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--kill-one", action="store_true")
    parser.add_argument("--pg-synchronous-commit", choices=("on", "off"), default="on")
    asyncio.run(main(parser.parse_args()))
