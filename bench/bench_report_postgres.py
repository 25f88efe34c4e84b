"""A year of data on PostgreSQL: the report's queries, their plans and their time (issue 15).

    .venv/bin/python bench/bench_report_postgres.py [--people 5000] [--cache DIR]

Takes the year ``bench/bench_report.py`` seeds and caches (5,000 mentees x 365 days; run that
first), copies its people, prompts, check-ins and answers into a database on a throwaway
PostgreSQL cluster (``initdb`` + ``pg_ctl`` on loopback, as the tests do; fsync off, since it
is thrown away), migrated as the bot migrates it, then builds the report's indexes
(migration 0003) and runs ``VACUUM ANALYZE``, as a database that has lived a year would have.

Prints the load time, ``EXPLAIN ANALYZE`` of the check-in completion and of one week's trend
(which indexes the plans use), and the time of each step of the report
(``handlers.reporting.report.collect``) over the year, twice (the second with the caches warm).
``--people`` copies only the first N people, for a quicker look. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from handlers.reporting.report import collect  # noqa: E402
from storage.postgres import PostgresStorage  # noqa: E402
from storage.postgres import reporting as pg_reporting  # noqa: E402
from tests.support import postgres as pg  # noqa: E402

REPORT_INDEXES = (
    "deliveries_kind_person",
    "checkins_person_date",
    "checkins_date",
    "checkin_scores",
)
TABLES = {
    "people": ("id", "display_name", "created_at", "onboarded_at"),
    "roles": ("person_id", "role", "granted_at"),
    "settings": ("person_id", "timezone", "checkin_time"),
    "deliveries": (
        "kind",
        "subject",
        "occurrence",
        "person_id",
        "status",
        "created_at",
        "finished_at",
    ),
    "checkins": ("id", "person_id", "local_date", "source", "started_at", "completed_at"),
    "checkin_answers": (
        "checkin_id",
        "question_key",
        "value_number",
        "value_text",
        "skipped",
        "answered_at",
    ),
}
PERSON_COLUMN = {"people": "id", "checkin_answers": None}


def _cached_year(cache: Path | None) -> Path:
    base = cache or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base if cache else base / "peerbot-bench"
    found = sorted(folder.glob("year-5000x365-v*.db"))
    if not found:
        raise SystemExit(f"no seeded year in {folder}: run bench/bench_report.py first")
    return found[-1]


def _rows(
    source: sqlite3.Connection, table: str, people: int
) -> Iterator[list[tuple[object, ...]]]:
    columns = ", ".join(TABLES[table])
    if table == "checkin_answers":
        sql = (
            f"SELECT {columns} FROM checkin_answers WHERE checkin_id IN"
            " (SELECT id FROM checkins WHERE person_id <= ?)"
        )
    else:
        sql = f"SELECT {columns} FROM {table} WHERE {PERSON_COLUMN.get(table, 'person_id')} <= ?"
    cursor = source.execute(sql, (people,))
    while chunk := cursor.fetchmany(50_000):
        yield [tuple(row) for row in chunk]


async def _load(url: str, year: Path, people: int) -> None:
    store = PostgresStorage(url)
    await store.open()  # every migration, as the bot applies them
    await store.close()
    conn = await asyncpg.connect(url)
    source = sqlite3.connect(f"file:{year}?mode=ro", uri=True)
    try:
        # Loading into a table is faster without the indexes; they are built after, by the
        # migration's own statements.
        for name in REPORT_INDEXES:
            await conn.execute(f"DROP INDEX {name}")
        await conn.execute("CREATE INDEX checkins_person_date ON checkins(person_id, local_date)")
        for table, columns in TABLES.items():
            started, count = time.perf_counter(), 0
            for chunk in _rows(source, table, people):
                await conn.copy_records_to_table(table, records=chunk, columns=list(columns))
                count += len(chunk)
            print(f"  load {table}: {count} rows in {time.perf_counter() - started:.1f} s")
        migration = (ROOT / "storage/postgres/migrations/0003_report_indexes.sql").read_text()
        started = time.perf_counter()
        await conn.execute(migration)
        print(f"  build_report_indexes_s (migration 0003): {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        print(f"  vacuum_analyze_s: {time.perf_counter() - started:.1f} s")
    finally:
        source.close()
        await conn.close()


async def _plans(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        end = datetime.now(UTC).date() - timedelta(days=1)
        start = end - timedelta(days=364)
        week = end - timedelta(days=end.weekday() + 14)
        completion = (
            "SELECT COUNT(*) AS answered FROM ("
            " SELECT person_id, occurrence FROM deliveries WHERE kind = $1 AND status IN ($2, $3)"
            "  AND person_id IS NOT NULL AND occurrence BETWEEN $4 AND $5"
            " INTERSECT"
            " SELECT person_id, local_date FROM checkins"
            "  WHERE completed_at IS NOT NULL AND local_date BETWEEN $4 AND $5) AS answered"
        )
        week_sql = pg_reporting._WEEK
        for placeholder in range(1, 5):
            week_sql = week_sql.replace("?", f"${placeholder}", 1)
        for name, sql, args in (
            ("completion", completion, ("checkin", "sent", "missed", str(start), str(end))),
            (
                "one_week_trend",
                week_sql,
                ("mood", "craving", str(week), str(week + timedelta(days=6))),
            ),
        ):
            print(f"plan {name}:")
            for row in await conn.fetch(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}", *args):
                print(f"    {row[0]}")
    finally:
        await conn.close()


async def _report(url: str) -> None:
    store = PostgresStorage(url)
    await store.open()
    try:
        for run in ("first", "second"):
            marks: list[tuple[str, float]] = []

            def mark(label: str, marks: list[tuple[str, float]] = marks) -> None:
                marks.append((label, time.perf_counter()))

            now = datetime.now(UTC)
            started = time.perf_counter()
            await collect(
                store,
                "bench",
                now - timedelta(days=365),
                now,
                mark,
            )
            ended = time.perf_counter()
            print(f"report_collect_{run}_s: {ended - started:.2f} s")
            for (label, at), (_, after) in zip(marks, [*marks[1:], ("", ended)], strict=True):
                print(f"  report_step {label}: {(after - at) * 1000:.0f} ms")
    finally:
        await store.close()


async def _main(people: int, cache: Path | None) -> None:
    year = _cached_year(cache)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    cluster = pg.start_cluster()
    try:
        print(f"postgresql: {await pg.server_version(cluster)}; source {year.name}")
        url = await pg.empty_database(cluster)
        started = time.perf_counter()
        await _load(url, year, people)
        print(f"load_s: {time.perf_counter() - started:.1f} s")
        await _plans(url)
        await _report(url)
    finally:
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--cache", type=Path)
    args = parser.parse_args()
    asyncio.run(_main(args.people, args.cache))


if __name__ == "__main__":
    main()
