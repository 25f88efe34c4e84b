"""What ``peerbot run`` builds, run for real: the scheduler's jobs are awaited, not just listed.

A job handed to APScheduler as a lambda returning a coroutine is run in a thread and its
coroutine is never awaited, so the daily retention purge never ran although every part of it
passed its own tests. Here the real ``run`` starts on a real SQLite file (with an idle
stand-in for the platform adapters), the first housekeeping run is brought forward, and the
purge must have happened.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

import scheduling.housekeeping
import scheduling.scheduler
from bot.config import load_config
from bot.runner import run
from handlers.context import Context
from scheduling.due import DueWorker
from scheduling.scheduler import build_scheduler
from storage.privacy import PurgeCounts


class IdleAdapter:
    """A platform adapter that connects nowhere, so ``run`` runs no console."""

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass


async def test_peerbot_run_really_runs_the_retention_purge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    purged = asyncio.Event()
    contexts: list[Context] = []

    async def recording_purge(ctx: Context) -> PurgeCounts:
        contexts.append(ctx)
        purged.set()
        return PurgeCounts()

    monkeypatch.setattr(scheduling.housekeeping, "purge_expired", recording_purge)
    monkeypatch.setattr(scheduling.scheduler, "HOUSEKEEPING_FIRST", timedelta(milliseconds=200))
    config = load_config(None, env={"PEERBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'wiring.db'}"})
    stop = asyncio.Event()
    running = asyncio.create_task(run(config, stop=stop, make_adapters=lambda *_: [IdleAdapter()]))
    try:
        await asyncio.wait_for(purged.wait(), timeout=10)
    finally:
        stop.set()
        assert await asyncio.wait_for(running, timeout=10) == 0
    assert len(contexts) == 1
    assert contexts[0].capabilities is not None  # the purge sees the assembled program


def test_a_job_that_is_not_a_coroutine_function_is_refused_at_start() -> None:
    async def tick() -> None:
        pass

    with pytest.raises(TypeError, match="housekeeping"):
        build_scheduler(tick, 20, housekeeping=lambda: tick())
    with pytest.raises(TypeError, match="tick"):
        build_scheduler(lambda: tick(), 20)


async def test_stopping_lets_the_tick_in_flight_finish_and_starts_no_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """APScheduler's shutdown cancels the jobs still running: ``run`` pauses it, drains the
    worker, and only then shuts it down, so a tick between its sends and their ledger marks
    is not cut off (and a tick fired at that moment does nothing)."""
    in_flight, release = asyncio.Event(), asyncio.Event()
    ticks: list[str] = []

    async def slow_work(self: DueWorker) -> int:
        ticks.append("began")
        in_flight.set()
        await release.wait()
        await asyncio.sleep(0.05)  # still working after the stop was asked for
        ticks.append("finished")
        return 0

    monkeypatch.setattr(DueWorker, "_work_due", slow_work)
    config = load_config(None, env={"PEERBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'tick.db'}"})
    stop = asyncio.Event()
    running = asyncio.create_task(run(config, stop=stop, make_adapters=lambda *_: [IdleAdapter()]))
    await asyncio.wait_for(in_flight.wait(), timeout=30)
    stop.set()
    await asyncio.sleep(0.1)  # the shutdown has begun and is waiting for the tick
    release.set()
    assert await asyncio.wait_for(running, timeout=30) == 0
    assert ticks == ["began", "finished"]
