"""`peerbot copy-db` on a big program: SQLite -> PostgreSQL -> SQLite, rows/s and peak memory.

    .venv/bin/python bench/bench_copy_db.py [--people 2000] [--days 180]

Seeds a check-in history (:mod:`storage.sqlite.bulk`: a prompt a day per mentee, most
answered), starts a throwaway PostgreSQL cluster with the server's durable defaults
(``tests/support/postgres.py``), copies the program there and back with the real command,
``peerbot copy-db``, in a subprocess (a snapshot read, one transaction, counts, digests, every
encrypted value opened), and
prints each leg's time, rows/s and the command's peak resident memory (which stays flat as the
program grows: rows stream in batches; compare two ``--people``). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.sqlite.bulk import seed_checkin_history  # noqa: E402
from tests.support import postgres as pg  # noqa: E402


def machine_line() -> str:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"machine: nproc={os.cpu_count()} cpu={model!r} python={platform.python_version()}"


def run_measured(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, str, int]:
    """Run ``argv``; its exit status, stdout, stderr and peak resident memory (KB), measured
    for that process alone (``wait4``)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return process.returncode, out.read(), err.read(), usage.ru_maxrss


async def main(args: argparse.Namespace) -> None:
    print(machine_line(), flush=True)
    folder = Path(tempfile.mkdtemp(prefix="peerbot-copy-bench-"))
    source = folder / "program.db"
    started = time.perf_counter()
    # Seeded in a process of its own: a command forked from a process that grew while seeding
    # would report that growth as its own peak memory.
    seeding = [sys.executable, __file__, "--seed-into", str(source)]
    seeding += ["--people", str(args.people), "--days", str(args.days)]
    await asyncio.to_thread(subprocess.run, seeding, check=True)
    print(f"seed_s: {time.perf_counter() - started:.1f} s ({source.stat().st_size >> 20} MB)")
    cluster = pg.start_cluster(durable=True)
    try:
        url = await pg.empty_database(cluster)
        print(f"postgres: {await pg.server_version(cluster)}")
        peerbot = Path(sys.executable).parent / "peerbot"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PEERBOT_")}
        for leg, (src, dst) in (
            ("sqlite_to_postgres", (str(source), url)),
            ("postgres_to_sqlite", (url, str(folder / "back.db"))),
        ):
            started = time.perf_counter()
            code, out, err, peak_kb = await asyncio.to_thread(
                run_measured, [str(peerbot), "copy-db", src, dst], folder, env
            )
            seconds = time.perf_counter() - started
            if code != 0:
                raise SystemExit(f"{leg} failed: {err.strip()[-500:]}")
            rows = int(out.split("copied ", 1)[1].split(" rows", 1)[0])
            print(
                f"{leg}: {rows} rows, {seconds:.1f} s, {rows / seconds:,.0f} rows/s "
                f"(`peerbot copy-db`: copy and verify), peak_rss_of_the_command "
                f"{peak_kb / 1024:.0f} MB",
                flush=True,
            )
    finally:
        cluster.stop()
        shutil.rmtree(folder)


async def seed(path: Path, people: int, days: int) -> None:
    last_day = datetime.now(UTC).date() - timedelta(days=1)
    await seed_checkin_history(path, people=people, days=days, last_day=last_day)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seed-into", type=Path, help=argparse.SUPPRESS)
    given = parser.parse_args()
    if given.seed_into is not None:
        asyncio.run(seed(given.seed_into, given.people, given.days))
    else:
        asyncio.run(main(given))
