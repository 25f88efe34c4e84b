"""The fake clock: tests move time by hand, and a retry's ``sleep`` moves it too."""

from __future__ import annotations

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
