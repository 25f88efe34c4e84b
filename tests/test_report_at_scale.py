"""The report's aggregate queries on a bulk-seeded history agree with a count made person by
person through other storage methods (the queries were rewritten for speed, issue 15: the
answers must not change). A real SQLite file, seeded by :mod:`storage.sqlite.bulk`."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from storage.deliveries import DeliveryStatus
from storage.sqlite import SqliteStorage
from storage.sqlite.bulk import seed_checkin_history

LAST_DAY = date(2026, 11, 30)
PEOPLE, DAYS = 12, 40
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture
async def seeded(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    path = tmp_path / "year.db"
    history = await seed_checkin_history(path, people=PEOPLE, days=DAYS, last_day=LAST_DAY)
    assert (history.prompts, history.people) == (PEOPLE * DAYS, PEOPLE)
    storage = SqliteStorage(path)
    await storage.open()
    # A row the completion must leave out: another kind of send on a prompted day.
    await storage.finish_delivery(
        "reminder", "1", LAST_DAY.isoformat(), DeliveryStatus.SENT, NOW, None, 1
    )
    yield storage
    await storage.close()


@pytest.mark.parametrize("window", [DAYS, 10, 3])
async def test_checkin_completion_matches_a_count_person_by_person(
    seeded: SqliteStorage, window: int
) -> None:
    start, end = LAST_DAY - timedelta(days=window - 1), LAST_DAY
    prompted = answered = people = 0
    for person_id in range(1, PEOPLE + 1):
        days = await seeded.prompted_days(person_id, start, end)
        done = {score.local_date for score in await seeded.daily_scores(person_id, start, end)}
        prompted += len(days)
        answered += sum(day in done for day in days)
        people += bool(days)
    counts = await seeded.checkin_completion(start, end)
    assert (counts.prompted, counts.answered, counts.people) == (prompted, answered, people)
    assert 0 < counts.answered < counts.prompted  # the seed has both answered and missed days


async def test_weekly_trends_match_the_daily_scores(seeded: SqliteStorage) -> None:
    start, end = LAST_DAY - timedelta(days=DAYS - 1), LAST_DAY
    by_week: dict[date, list[tuple[int, float | None, float | None]]] = defaultdict(list)
    for person_id in range(1, PEOPLE + 1):
        for score in await seeded.daily_scores(person_id, start, end):
            week = score.local_date - timedelta(days=score.local_date.weekday())
            by_week[week].append((person_id, score.mood, score.craving))
    trends = await seeded.weekly_trends(start, end)
    assert [trend.week_start for trend in trends] == sorted(by_week)
    for trend in trends:
        rows = by_week[trend.week_start]
        assert trend.checkins == len(rows)  # the seed has one check-in a person a day
        assert trend.people == len({person for person, _, _ in rows})
        moods = [mood for _, mood, _ in rows if mood is not None]
        cravings = [craving for _, _, craving in rows if craving is not None]
        assert trend.mood_avg == pytest.approx(statistics.fmean(moods))
        assert trend.craving_avg == pytest.approx(statistics.fmean(cravings))
