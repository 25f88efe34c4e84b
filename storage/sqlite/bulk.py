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
    note (a few started and never finished). ``tick(person_index)`` reports progress."""
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
    first_day = last_day - timedelta(days=days - 1)
    joined = datetime.combine(first_day - timedelta(days=1), time(9), UTC)
    next_checkin = 1 + (conn.execute("SELECT COALESCE(MAX(id), 0) FROM checkins").fetchone()[0])
    first_person = 1 + (conn.execute("SELECT COALESCE(MAX(id), 0) FROM people").fetchone()[0])
    prompts = checkins = answers = 0
    chunk = 250
    for start in range(0, people, chunk):
        ids = range(first_person + start, first_person + min(people, start + chunk))
        person_rows, role_rows, setting_rows = [], [], []
        delivery_rows: list[tuple[object, ...]] = []
        checkin_rows: list[tuple[object, ...]] = []
        answer_rows: list[tuple[object, ...]] = []
        for person_id in ids:
            at = to_db(joined + timedelta(minutes=person_id % 600))
            person_rows.append((person_id, f"Person {person_id}", at, at))
            role_rows.append((person_id, "mentee", at))
            setting_rows.append((person_id, "UTC", "09:00"))
            engagement = rng.uniform(0.6, 0.98)
            mood = rng.uniform(2.0, 4.0)
            for day, prompted_at in _days(first_day, days):
                occurrence = to_db_date(day)
                answered = rng.random() < engagement
                delivery_rows.append(
                    (
                        CHECKIN_KIND,
                        str(person_id),
                        occurrence,
                        person_id,
                        "sent" if answered or rng.random() < 0.7 else "missed",
                        to_db(prompted_at),
                        to_db(prompted_at),
                    )
                )
                if not answered:
                    if rng.random() < 0.1:  # opened, never finished
                        checkin_rows.append(
                            (next_checkin, person_id, occurrence, to_db(prompted_at), None)
                        )
                        next_checkin += 1
                    continue
                done = to_db(prompted_at + timedelta(minutes=rng.randint(1, 600)))
                checkin_rows.append((next_checkin, person_id, occurrence, to_db(prompted_at), done))
                mood = min(5.0, max(1.0, mood + rng.uniform(-0.6, 0.6)))
                answer_rows.append((next_checkin, "mood", round(mood), None, 0, done))
                craving = rng.randint(0, 10)
                answer_rows.append(
                    (next_checkin, "craving", craving, None, int(rng.random() < 0.05), done)
                )
                answer_rows.append((next_checkin, "used", int(rng.random() < 0.03), None, 0, done))
                if rng.random() < 0.25:
                    answer_rows.append((next_checkin, "note", None, "a quiet day", 0, done))
                next_checkin += 1
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO people (id, display_name, created_at, onboarded_at) VALUES (?, ?, ?, ?)",
            person_rows,
        )
        conn.executemany(
            "INSERT INTO roles (person_id, role, granted_at) VALUES (?, ?, ?)", role_rows
        )
        conn.executemany(
            "INSERT INTO settings (person_id, timezone, checkin_time) VALUES (?, ?, ?)",
            setting_rows,
        )
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
            tick(start + len(ids))
    return SeededHistory(people, days, prompts, checkins, answers)


def _days(first_day: date, days: int) -> Iterator[tuple[date, datetime]]:
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        yield day, datetime.combine(day, time(9), UTC)
