"""Benchmark check-in answers through the core on SQLite and on PostgreSQL (issue 17).

Run from the repository root::

    .venv/bin/python bench/bench_backends.py [--people 200] [--rounds 3]
        [--backends sqlite,postgres] [--pg-synchronous-commit on|off]

Prints ``name: value unit`` lines (after one ``machine:`` header line). Nothing is asserted.

For each backend, in one process and one event loop: a fresh database (a SQLite file on disk in
a temporary folder; a database on a throwaway PostgreSQL cluster that the script starts with
``initdb`` + ``pg_ctl`` on loopback, as the tests do, with the server's default durability:
``fsync`` and ``synchronous_commit`` on), the real ``build_dispatcher`` core on a ``Context`` with a
recording messenger (no platform), and ``--people`` people onboarded through the core first
(``/start``, consent, name, zone, time; not timed). Then, per round, every person does one
check-in: a ``/checkin`` command and four button presses (mood, craving, used, note: skip),
pressing the buttons the core just sent. ``serial`` runs the people one after another;
``concurrent`` runs every person as its own task at once (each waits for its reply before the
next press, as people do). Figures are answer presses per second of wall time including the
``/checkin`` commands; p50/p99 are over the presses of the serial run.

The backends alternate round by round, so both are measured at the same moment of this shared
VM's speed; the median of the rounds is printed.
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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handlers.app import assemble, build_dispatcher  # noqa: E402
from handlers.context import Context  # noqa: E402
from handlers.crisis.model import STAGE  # noqa: E402
from handlers.dispatcher import Dispatcher  # noqa: E402
from handlers.messaging import Messengers  # noqa: E402
from handlers.program import ProgramSettings  # noqa: E402
from storage import storage_from_url  # noqa: E402
from storage.base import Storage  # noqa: E402
from tests.support import Chat, FakeClock, RecordingMessenger  # noqa: E402
from tests.support import postgres as pg  # noqa: E402
from tests.support.chat import onboard  # noqa: E402
from tests.support.clock import START  # noqa: E402

FIRST_USER = 500_000


@asynccontextmanager
async def opened(url: str) -> AsyncIterator[Storage]:
    store = storage_from_url(url)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


class World:
    """One backend's core, and its people."""

    def __init__(self, name: str, storage: Storage) -> None:
        self.name = name
        self.clock = FakeClock(START)
        ctx = assemble(
            Context(
                storage=storage,
                program=ProgramSettings(),
                messengers=Messengers({"test": RecordingMessenger("test")}),
                clock=self.clock,
                sleep=self.clock.sleep,
            )
        )
        self.dispatcher: Dispatcher = build_dispatcher(ctx)
        self.chats: list[Chat] = []

    async def onboard(self, people: int) -> None:
        for n in range(people):
            chat = Chat(self.dispatcher, user_id=str(FIRST_USER + n))
            await onboard(chat)
            self.chats.append(chat)

    async def checkin(self, chat: Chat, latencies: list[float] | None) -> int:
        """One check-in by buttons; how many answers (presses) it took."""
        replies = await chat.command("checkin")
        presses = 0
        for choice in (3, 2, 1, 0):  # mood 4, craving 2, used: no, note: skip
            buttons = replies[-1].buttons
            if not buttons:
                raise RuntimeError(f"{self.name}: the check-in stopped early: {replies[-1].text}")
            payload = buttons[min(choice, len(buttons) - 1)].payload
            started = time.perf_counter()
            replies = await chat.press(payload)
            if latencies is not None:
                latencies.append(time.perf_counter() - started)
            presses += 1
        return presses

    def next_day(self) -> None:
        self.clock.advance(days=1)


async def serial(world: World) -> tuple[float, list[float]]:
    latencies: list[float] = []
    started = time.perf_counter()
    answers = 0
    for chat in world.chats:
        answers += await world.checkin(chat, latencies)
    return answers / (time.perf_counter() - started), latencies


async def concurrent(world: World) -> float:
    started = time.perf_counter()
    counts = await asyncio.gather(*(world.checkin(chat, None) for chat in world.chats))
    return sum(counts) / (time.perf_counter() - started)


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


async def main(args: argparse.Namespace) -> None:
    print(machine_line(), flush=True)
    STAGE.load()  # as `peerbot run` does before the first message (onboarding types text)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    cluster = (
        pg.start_cluster(durable=True, synchronous_commit=args.pg_synchronous_commit == "on")
        if "postgres" in backends
        else None
    )
    try:
        with tempfile.TemporaryDirectory(prefix="bench-backends-") as folder:
            urls = {"sqlite": f"sqlite:///{Path(folder) / 'bench.db'}"}
            if cluster is not None:
                urls["postgres"] = await pg.empty_database(cluster)
                server = await pg.server_version(cluster)
                print(
                    f"postgres_server: {server} fsync=on"
                    f" synchronous_commit={args.pg_synchronous_commit}",
                    flush=True,
                )
            async with opened(urls.get("sqlite", "")) if "sqlite" in backends else _none() as lite:
                async with opened(urls["postgres"]) if cluster else _none() as post:
                    stores = {"sqlite": lite, "postgres": post}
                    worlds = [World(name, stores[name]) for name in backends if stores[name]]
                    for world in worlds:
                        await world.onboard(args.people)
                    figures: dict[str, dict[str, list[float]]] = {
                        w.name: {"serial": [], "concurrent": [], "lat": []} for w in worlds
                    }
                    for _ in range(args.rounds):
                        for world in worlds:
                            world.next_day()
                            rate, latencies = await serial(world)
                            figures[world.name]["serial"].append(rate)
                            figures[world.name]["lat"].extend(latencies)
                            world.next_day()
                            figures[world.name]["concurrent"].append(await concurrent(world))
                    for name, f in figures.items():
                        lat = sorted(f["lat"])
                        p50 = lat[len(lat) // 2] * 1e6
                        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1e6
                        print(
                            f"{name}_serial_answers_per_s: {statistics.median(f['serial']):.0f}"
                            f" answers/s   (rounds: {', '.join(f'{r:.0f}' for r in f['serial'])})"
                        )
                        print(
                            f"{name}_concurrent_answers_per_s:"
                            f" {statistics.median(f['concurrent']):.0f} answers/s   (rounds:"
                            f" {', '.join(f'{r:.0f}' for r in f['concurrent'])})"
                        )
                        print(f"{name}_answer_p50_us: {p50:.0f} us")
                        print(f"{name}_answer_p99_us: {p99:.0f} us", flush=True)
    finally:
        if cluster is not None:
            cluster.stop()


@asynccontextmanager
async def _none() -> AsyncIterator[None]:
    yield None


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--pg-synchronous-commit",
        choices=("on", "off"),
        default="on",
        help="on: each commit waits for its WAL fsync (the server default); off: as SQLite's"
        " synchronous=NORMAL, a machine crash may lose the last commits, never corrupt",
    )
    asyncio.run(main(parser.parse_args()))
