"""The fake clock: tests move time by hand, and a retry's ``sleep`` moves it too."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from datetime import UTC, datetime, timedelta

START = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
"""Where the ``clock`` fixture starts: Friday 2026-11-27 15:00 UTC."""


class FakeClock:
    """A clock tests move by hand: no real sleeps anywhere.

    Pass the clock itself as a :class:`~handlers.context.Context`'s ``clock`` and
    :meth:`sleep` as its ``sleep``: a retry's wait then advances this clock at once, and
    :attr:`slept` keeps every wait asked for.
    """

    def __init__(self, start: datetime = START) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on this clock: record it and move the clock, without waiting."""
        self.slept.append(seconds)
        self.advance(seconds=seconds)


class SteppedClock:
    """A monotonic clock (seconds, as a float) whose sleepers wake only when the test moves
    time with :meth:`run_until`, each at its own moment, with every ready task run in between.

    For code that takes ``clock``/``sleep`` as ``time.monotonic``/``asyncio.sleep`` (the send
    pacer): what happens at each moment is decided by the code, not by the wall clock.
    """

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.now + max(seconds, 0.0), next(self._order), woken))
        await woken

    async def run_until(self, moment: float) -> None:
        """Move time to ``moment``, waking each sleeper in turn at the moment it asked for."""
        await settle()
        while self._timers and self._timers[0][0] <= moment:
            at, _, woken = heapq.heappop(self._timers)
            if woken.done():  # cancelled
                continue
            self.now = max(self.now, at)
            woken.set_result(None)
            await settle()
        self.now = max(self.now, moment)
        await settle()


async def settle(rounds: int = 30) -> None:
    """Let every task that can run, run (a few rounds of the event loop)."""
    for _ in range(rounds):
        await asyncio.sleep(0)
