"""Bulk seeding of a check-in history, for benchmarks and tests of the report at scale.

Writing a year for thousands of people through the domain methods (one transaction per answer)
would take hours; this writes the same rows the check-in flow writes, in a handful of large
transactions with ``executemany``. It is never used by the running bot.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from storage.sqlite import SqliteStorage
from storage.timestamps import to_db, to_db_date

CHECKIN_KIND = "checkin"
"""The ledger kind of daily check-in prompts (as in :mod:`storage.sqlite.reporting`)."""


@dataclass(frozen=True, slots=True)
class SeededHistory:
    people: int
    days: int
    prompts: int
    checkins: int
    answers: int


async def seed_checkin_history(
    path: Path,
    *,
    people: int,
    days: int,
    last_day: date,
    seed: int = 15,
    tick: Callable[[int], None] | None = None,
) -> SeededHistory:
    """Create ``path`` (all migrations applied) and fill it with ``people`` mentees who were
    prompted every day for ``days`` days ending ``last_day``: a delivery-ledger row per prompt,
    and on about 85 % of days a completed check-in with mood, craving, used and sometimes a
    note (a few started and never finished). ``tick(days_done)`` reports progress."""
    storage = SqliteStorage(path)
    await storage.open()  # the schema, exactly as the bot makes it
    await storage.close()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # A throwaway file being filled: no journal, no fsync, until it is finished.
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-200000")
        counts = _fill(conn, people, days, last_day, random.Random(seed), tick)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("ANALYZE")
    finally:
        conn.close()
    return counts


def _fill(
    conn: sqlite3.Connection,
    people: int,
    days: int,
    last_day: date,
    rng: random.Random,
    tick: Callable[[int], None] | None,
) -> SeededHistory:
    """Day by day, everyone's prompt and check-in of that day, as a running program writes
    them: row ids follow the calendar, which is what a report over a date range reads."""
    first_day = last_day - timedelta(days=days - 1)
    joined = datetime.combine(first_day - timedelta(days=1), time(9), UTC)
    first_person = 1 + (conn.execute("SELECT COALESCE(MAX(id), 0) FROM people").fetchone()[0])
    next_checkin = 1 + (conn.execute("SELECT COALESCE(MAX(id), 0) FROM checkins").fetchone()[0])
    ids = range(first_person, first_person + people)
    engagement = {person_id: rng.uniform(0.6, 0.98) for person_id in ids}
    mood = {person_id: rng.uniform(2.0, 4.0) for person_id in ids}
    conn.execute("BEGIN")
    at = {person_id: to_db(joined + timedelta(minutes=person_id % 600)) for person_id in ids}
    conn.executemany(
        "INSERT INTO people (id, display_name, created_at, onboarded_at) VALUES (?, ?, ?, ?)",
        [(person_id, f"Person {person_id}", at[person_id], at[person_id]) for person_id in ids],
    )
    conn.executemany(
        "INSERT INTO roles (person_id, role, granted_at) VALUES (?, 'mentee', ?)",
        [(person_id, at[person_id]) for person_id in ids],
    )
    conn.executemany(
        "INSERT INTO settings (person_id, timezone, checkin_time) VALUES (?, 'UTC', '09:00')",
        [(person_id,) for person_id in ids],
    )
    conn.execute("COMMIT")
    prompts = checkins = answers = 0
    for day, prompted_at in _days(first_day, days):
        occurrence, prompted = to_db_date(day), to_db(prompted_at)
        delivery_rows: list[tuple[object, ...]] = []
        checkin_rows: list[tuple[object, ...]] = []
        answer_rows: list[tuple[object, ...]] = []
        for person_id in ids:
            answered = rng.random() < engagement[person_id]
            status = "sent" if answered or rng.random() < 0.7 else "missed"
            delivery_rows.append(
                (CHECKIN_KIND, str(person_id), occurrence, person_id, status, prompted, prompted)
            )
            if not answered:
                if rng.random() < 0.1:  # opened, never finished
                    checkin_rows.append((next_checkin, person_id, occurrence, prompted, None))
                    next_checkin += 1
                continue
            done = to_db(prompted_at + timedelta(minutes=rng.randint(1, 600)))
            checkin_rows.append((next_checkin, person_id, occurrence, prompted, done))
            mood[person_id] = min(5.0, max(1.0, mood[person_id] + rng.uniform(-0.6, 0.6)))
            craving, skipped = rng.randint(0, 10), int(rng.random() < 0.05)
            answer_rows.append((next_checkin, "mood", round(mood[person_id]), None, 0, done))
            answer_rows.append((next_checkin, "craving", craving, None, skipped, done))
            answer_rows.append((next_checkin, "used", int(rng.random() < 0.03), None, 0, done))
            if rng.random() < 0.25:
                answer_rows.append((next_checkin, "note", None, "a quiet day", 0, done))
            next_checkin += 1
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO deliveries (kind, subject, occurrence, person_id, status, created_at,"
            " finished_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            delivery_rows,
        )
        conn.executemany(
            "INSERT INTO checkins (id, person_id, local_date, source, started_at, completed_at)"
            " VALUES (?, ?, ?, 'scheduled', ?, ?)",
            checkin_rows,
        )
        conn.executemany(
            "INSERT INTO checkin_answers (checkin_id, question_key, value_number, value_text,"
            " skipped, answered_at) VALUES (?, ?, ?, ?, ?, ?)",
            answer_rows,
        )
        conn.execute("COMMIT")
        prompts += len(delivery_rows)
        checkins += len(checkin_rows)
        answers += len(answer_rows)
        if tick is not None:
            tick(day.toordinal() - first_day.toordinal() + 1)
    return SeededHistory(people, days, prompts, checkins, answers)


def _days(first_day: date, days: int) -> Iterator[tuple[date, datetime]]:
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        yield day, datetime.combine(day, time(9), UTC)
