"""The scenarios of ``bench_due_queue.py``, each run in a process of its own: seeding a database,
our due queue working through it, and the naive one-APScheduler-job-per-person design (see
``bench_due_queue.py``'s docstring for what each measures)."""

from __future__ import annotations

import asyncio
import resource
import sqlite3
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DUE = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
"""The one UTC minute every seeded person is due at."""
CREATED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
ZONES = (
    "America/Denver",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Africa/Lagos",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)
PLATFORM = "telegram"


def maxrss_mb() -> float:
    """This process's peak RSS so far, in MB.

    Linux: ``VmHWM`` from /proc/self/status, the high-water mark of this process image.
    ``getrusage().ru_maxrss`` is the fallback only: on Linux a child started by fork+exec
    inherits its parent's peak as a floor for ``ru_maxrss``, which VmHWM does not.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def label(n: int) -> str:
    """100000 -> '100k', 1000000 -> '1m'."""
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def emit(name: str, value: float | int | str, unit: str) -> None:
    if isinstance(value, float):
        value = f"{value:.3f}" if value < 100 else f"{value:.1f}"
    print(f"{name}: {value} {unit}", flush=True)


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# Seeding -----------------------------------------------------------------------------------


def zone_schedule() -> list[tuple[str, str, str]]:
    """(zone, local HH:MM, occurrence date) so that every zone is due exactly at DUE."""
    from handlers.timing import next_checkin_due, occurrence_key

    rows = []
    for zone in ZONES:
        local = DUE.astimezone(ZoneInfo(zone))
        hhmm = f"{local.hour:02d}:{local.minute:02d}"
        # The product's own arithmetic must agree that this person is due at DUE.
        due = next_checkin_due(local.time().replace(tzinfo=None), zone, DUE - timedelta(minutes=1))
        if due != DUE:
            raise SystemExit(f"seed setup is wrong for {zone}: due {due}, expected {DUE}")
        rows.append((zone, hhmm, occurrence_key(DUE, zone)))
    return rows


def scenario_seed(db: Path, people: int, name: str) -> None:
    from storage.sqlite import SqliteStorage
    from storage.timestamps import to_db

    started = time.perf_counter()

    async def migrate() -> None:
        storage = SqliteStorage(db)
        await storage.open()
        await storage.close()

    asyncio.run(migrate())
    schedule = zone_schedule()
    created = to_db(CREATED)
    due = to_db(DUE)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=DELETE")  # one big transaction: no multi-GB WAL
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-262144")  # 256 MB; this process is not the one measured
    con.execute("BEGIN")
    ids = range(1, people + 1)
    con.executemany(
        "INSERT INTO people (id, display_name, created_at, onboarded_at) VALUES (?, ?, ?, ?)",
        ((i, f"P{i}", created, created) for i in ids),
    )
    con.executemany(
        "INSERT INTO accounts (platform, platform_user_id, person_id, chat_id, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        ((PLATFORM, str(10**9 + i), i, str(10**9 + i), created) for i in ids),
    )
    con.executemany(
        "INSERT INTO roles (person_id, role, granted_at) VALUES (?, 'mentee', ?)",
        ((i, created) for i in ids),
    )
    con.executemany(
        "INSERT INTO consent (person_id, topic, granted_at) VALUES (?, 'storage', ?)",
        ((i, created) for i in ids),
    )
    con.executemany(
        "INSERT INTO settings (person_id, timezone, checkin_time) VALUES (?, ?, ?)",
        ((i, *schedule[i % len(schedule)][:2]) for i in ids),
    )
    con.executemany(
        "INSERT INTO due_work (kind, subject, person_id, due_at, occurrence)"
        " VALUES ('checkin', ?, ?, ?, ?)",
        ((str(i), i, due, schedule[i % len(schedule)][2]) for i in ids),
    )
    con.execute("COMMIT")
    con.execute("ANALYZE")
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    emit(f"{name}_seed_s", time.perf_counter() - started, "s")
    emit(f"{name}_db_size_seeded", db.stat().st_size / 2**20, "MB")


# Ours --------------------------------------------------------------------------------------


class NullMessenger:
    """A messenger that delivers instantly and keeps nothing but a count."""

    def __init__(self, platform_name: str = PLATFORM) -> None:
        from handlers.messaging import Capabilities

        self.platform = platform_name
        self.capabilities = Capabilities()
        self.sent = 0

    async def send(self, ref, message):  # type: ignore[no-untyped-def]
        from handlers.messaging import SentRef

        self.sent += 1
        return SentRef(ref=ref, message_id=str(self.sent))


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def count_round_trips() -> tuple[Counter[str], Counter[str]]:
    """Count aiosqlite thread hand-offs (by called function) and storage-method calls."""
    import aiosqlite.core

    hops: Counter[str] = Counter()
    original = aiosqlite.core.Connection._execute

    async def counted(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        hops[getattr(fn, "__name__", repr(fn))] += 1
        return await original(self, fn, *args, **kwargs)

    aiosqlite.core.Connection._execute = counted  # type: ignore[method-assign]
    return hops, Counter()


def wrap_storage_methods(storage: object, calls: Counter[str]) -> None:
    from storage.sqlite import SqliteStorage

    for name in dir(SqliteStorage):
        if name.startswith("_") or name in ("open", "close", "path"):
            continue
        method = getattr(storage, name)
        if not asyncio.iscoroutinefunction(method):
            continue

        def make(name: str, method):  # type: ignore[no-untyped-def]
            async def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
                calls[name] += 1
                return await method(*args, **kwargs)

            return wrapper

        setattr(storage, name, make(name, method))


async def scenario_ours(db: Path, people: int, limit: int, name: str, profile: bool) -> None:
    imported = time.perf_counter()
    from handlers.app import assemble  # the whole program: what DueWorker runs
    from handlers.context import Context
    from handlers.messaging import Messengers
    from handlers.program import ProgramSettings
    from scheduling.due import DueWorker
    from scheduling.scheduler import build_scheduler
    from storage.sqlite import SqliteStorage

    import_s = time.perf_counter() - imported
    hops: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    if profile:
        hops, calls = count_round_trips()
    baseline = maxrss_mb()
    loop = asyncio.get_running_loop()
    fired: asyncio.Future[float] = loop.create_future()

    async def first_tick() -> None:  # stands in for worker.tick: we only time the wiring
        if not fired.done():
            fired.set_result(time.perf_counter())

    # "Start": the same wiring as bot/runner.py, until APScheduler fires the tick job.
    started = time.perf_counter()
    storage = SqliteStorage(db)
    await storage.open()
    null = NullMessenger()
    ctx = assemble(
        Context(
            storage=storage,
            program=ProgramSettings(),
            messengers=Messengers({PLATFORM: null}),
            clock=FixedClock(DUE + timedelta(seconds=20)),
        )
    )
    worker = DueWorker(ctx)
    scheduler = build_scheduler(first_tick, 20)
    scheduler.start()
    start_s = await fired - started
    scheduler.pause()
    scheduler.shutdown(wait=False)

    bounded = 0 < limit < people
    if bounded:
        budget = [limit]
        claim = storage.claim_due

        async def claim_first_k(now, *, owner, lease_until, limit, kinds):  # type: ignore[no-untyped-def]
            if budget[0] <= 0:
                return []
            rows = await claim(
                now, owner=owner, lease_until=lease_until, limit=min(limit, budget[0]), kinds=kinds
            )
            budget[0] -= len(rows)
            return rows

        storage.claim_due = claim_first_k  # type: ignore[method-assign]
    if profile:
        wrap_storage_methods(storage, calls)
        hops.clear()

    profiler = None
    if profile:
        try:
            from pyinstrument import Profiler

            profiler = Profiler(async_mode="disabled", interval=0.0005)
            profiler.start()
        except ImportError:
            progress("pyinstrument not installed: counting round trips only")

    handled = 0
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    while True:  # one tick works through everything due; the second finds nothing
        got = await worker.tick()
        handled += got
        if got == 0:
            break
        progress(f"{name}: {handled} handled, peak rss {maxrss_mb():.0f} MB")
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    if profiler is not None:
        profiler.stop()
    await storage.close()

    suffix = f"_first_{label(limit)}" if bounded else ""
    emit(f"{name}_import_s", import_s, "s")
    emit(f"{name}_start_s", start_s, "s")
    emit(f"{name}_prompts_sent{suffix}", null.sent, "prompts")
    emit(f"{name}_tick_s{suffix}", wall, "s")
    emit(f"{name}_prompts_per_s{suffix}", null.sent / wall if wall else 0.0, "prompts/s")
    emit(f"{name}_cpu_per_prompt{suffix}", cpu / max(null.sent, 1) * 1e6, "us")
    emit(f"{name}_rss_after_imports", baseline, "MB")
    emit(f"{name}_peak_rss{suffix}", maxrss_mb(), "MB")
    emit(f"{name}_rss_growth{suffix}", maxrss_mb() - baseline, "MB")
    if profile:
        sent = max(null.sent, 1)
        print("\n# storage calls per prompt", file=sys.stderr)
        for method, n in calls.most_common():
            print(f"  {method}: {n / sent:.2f}", file=sys.stderr)
        print(
            "# aiosqlite thread round trips per prompt (statements run inline on the loop;"
            " only table scans go to the thread)",
            file=sys.stderr,
        )
        for fn, n in hops.most_common():
            print(f"  {fn}: {n / sent:.2f}", file=sys.stderr)
        print(f"  TOTAL: {sum(hops.values()) / sent:.2f}", file=sys.stderr)
        if profiler is not None:
            print(profiler.output_text(unicode=False, color=False, show_all=False), file=sys.stderr)


# Naive -------------------------------------------------------------------------------------


async def scenario_naive(people: int, name: str) -> None:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.cron import CronTrigger

    async def prompt(person_id: int) -> None:
        return None

    baseline = maxrss_mb()
    started = time.perf_counter()
    scheduler = AsyncIOScheduler(timezone=UTC)
    for i in range(people):
        scheduler.add_job(
            prompt,
            CronTrigger(hour=20, minute=0, timezone=ZONES[i % len(ZONES)]),
            args=(i,),
            id=f"checkin-{i}",
        )
    added = time.perf_counter()
    scheduler.start()  # the pending jobs go into the memory job store here
    ready = time.perf_counter()
    jobs = len(scheduler.get_jobs())
    scheduler.shutdown(wait=False)
    await asyncio.sleep(0)
    emit(f"{name}_jobs", jobs, "jobs")
    emit(f"{name}_add_jobs_s", added - started, "s")
    emit(f"{name}_scheduler_start_s", ready - added, "s")
    emit(f"{name}_start_s", ready - started, "s")
    emit(f"{name}_rss_after_imports", baseline, "MB")
    emit(f"{name}_peak_rss", maxrss_mb(), "MB")
    emit(f"{name}_rss_growth", maxrss_mb() - baseline, "MB")


# Orchestration -----------------------------------------------------------------------------
