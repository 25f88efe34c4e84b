"""APScheduler wiring: a few static jobs, never one job per person.

The per-person schedule lives in the database (the due queue); APScheduler only fires the
tick that works through it, so a restart loses nothing and several processes can share a store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.util import iscoroutinefunction_partial

HOUSEKEEPING_EVERY = timedelta(days=1)
HOUSEKEEPING_FIRST = timedelta(seconds=10)
"""The first housekeeping run comes soon after start, so a bot restarted daily still purges
(and, with several processes, one that restarts often costs only the day's claim: the purge
itself runs once per UTC day, :mod:`scheduling.housekeeping`)."""


def build_scheduler(
    tick: Callable[[], Awaitable[object]],
    every_seconds: float,
    *,
    housekeeping: Callable[[], Awaitable[object]] | None = None,
) -> AsyncIOScheduler:
    """A scheduler running ``tick`` every ``every_seconds`` (first run at once) and, if given,
    ``housekeeping`` once a day (the retention purge: :mod:`scheduling.housekeeping`).

    ``max_instances=1`` and ``coalesce`` mean a slow tick is never overlapped by the next one
    and missed runs collapse into one, instead of piling up after a stall.

    Both must be coroutine functions (or ``functools.partial`` of one): APScheduler runs any
    other callable in a thread, so a lambda returning a coroutine would never be awaited and
    its job would silently never run. Such a job raises ``TypeError`` here, at start.
    """
    for name, job in (("tick", tick), ("housekeeping", housekeeping)):
        if job is not None and not iscoroutinefunction_partial(job):
            raise TypeError(f"the {name} job must be a coroutine function, e.g. a partial of one")
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        tick,
        "interval",
        seconds=every_seconds,
        id="due-work-tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        next_run_time=datetime.now(UTC),
    )
    if housekeeping is not None:
        scheduler.add_job(
            housekeeping,
            "interval",
            seconds=HOUSEKEEPING_EVERY.total_seconds(),
            id="housekeeping",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC) + HOUSEKEEPING_FIRST,
        )
    return scheduler
