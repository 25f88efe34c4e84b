"""What is particular to SQLite storage (the contract suite runs on it from
``tests/test_storage_contract.py``)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import storage.sqlite
from storage import StorageURLError, storage_from_url
from storage.checkins import Answer, FinishedCheckin, QuestionKey
from storage.composed import ComposedStorage
from storage.conversations import ConversationState
from storage.due_queue import DueWork
from storage.forwarding import Forward
from storage.people import AccountAddress
from storage.sqlite import SqliteStorage
from storage.sqlite import checkins as sqlite_checkins
from storage.sqlite import connection as sqlite_base
from tests.support.storage_contract import (
    make_person,
)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    storage = SqliteStorage(tmp_path / "contract.db")
    await storage.open()
    yield storage
    await storage.close()


async def test_pragmas_and_migrations(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    storage = SqliteStorage(path)
    await storage.open()
    await storage.close()
    again = SqliteStorage(path)  # reopening applies nothing twice
    await again.open()
    await again.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_migrations")]
    assert versions == sorted(versions) and versions[0] == 1 and len(set(versions)) == len(versions)


async def test_each_method_is_answered_by_its_area_repository(store: SqliteStorage) -> None:
    """SqliteStorage is composed of area repositories: every method of the shared forwarding
    table is the bound method of the repository its line names, and every repository shares
    the one connection."""
    forwarded = {n: m for n, m in vars(ComposedStorage).items() if isinstance(m, Forward)}
    assert len(forwarded) > 100
    for name, member in forwarded.items():
        repository = getattr(store, member.area)
        assert getattr(store, name).__self__ is repository, name
        assert repository._db is store.db, member.area


def test_question_keys_reach_sql_as_parameters() -> None:
    """No check-in question key is spelled inside the SQLite backend's SQL text: they are bound
    from QuestionKey, so a renamed key cannot leave a query behind."""
    for path in Path(storage.sqlite.__file__).parent.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for key in QuestionKey:
            assert f"'{key.value}'" not in text, (path.name, key)


async def test_foreign_keys_cascade(store: SqliteStorage, tmp_path: Path) -> None:
    person_id = await make_person(store)
    async with store.db.write() as db:
        db.execute("DELETE FROM people WHERE id = ?", (person_id,))
    assert await store.accounts_of(person_id) == []
    assert await store.roles_of(person_id) == frozenset()


def test_storage_url() -> None:  # postgresql:// URLs: tests/test_storage_postgres.py
    assert isinstance(storage_from_url("sqlite:///x.db"), SqliteStorage)
    with pytest.raises(StorageURLError):
        storage_from_url("mysql://nope")


# Inline statements (storage/sqlite/connection.py) -------------------------------------------------

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
STATE = ConversationState("ck", "mood", {"checkin_id": 1})
ADDRESS = AccountAddress("telegram", "42")


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another process's writer, as SQLite sees it: a connection inside BEGIN IMMEDIATE."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


async def test_a_write_waits_for_another_writer_without_blocking_the_loop(
    store: SqliteStorage,
) -> None:
    other = _hold_write_lock(store.path)
    write = asyncio.create_task(store.save_conversation(ADDRESS, STATE, NOW))
    ticks = 0
    for _ in range(10):  # the loop keeps running while the write waits for the lock
        await asyncio.sleep(0.01)
        ticks += 1
    assert ticks == 10 and not write.done()
    other.execute("COMMIT")
    other.close()
    await write
    assert await store.load_conversation(ADDRESS) == STATE


async def test_a_write_gives_up_after_the_busy_timeout_and_the_store_still_works(
    store: SqliteStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_base, "BUSY_TIMEOUT_S", 0.1)
    other = _hold_write_lock(store.path)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        await store.save_conversation(ADDRESS, STATE, NOW)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        async with store.db.write() as db:
            db.execute("DELETE FROM conversation_state")
    other.execute("ROLLBACK")
    other.close()
    await store.save_conversation(ADDRESS, STATE, NOW)  # nothing was left half-open
    assert await store.load_conversation(ADDRESS) == STATE


def _main_file_alone_has_person(path: Path, copy: Path) -> bool:
    """What the database file holds without its WAL: what checkpoints have copied back."""
    copy.write_bytes(path.read_bytes())
    with sqlite3.connect(copy) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        return "people" in tables and conn.execute("SELECT COUNT(*) FROM people").fetchone()[0] > 0


async def test_commits_are_checkpointed_in_the_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_base, "CHECKPOINT_EVERY_COMMITS", 3)
    store = SqliteStorage(tmp_path / "c.db")
    await store.open()
    try:
        await make_person(store)  # one write transaction: nothing checkpointed yet
        assert not _main_file_alone_has_person(store.path, tmp_path / "before.db")
        await store.save_conversation(ADDRESS, STATE, NOW)
        await store.clear_conversation(ADDRESS)  # the third commit starts a checkpoint
        await store.db.checkpoints.wait()
        assert _main_file_alone_has_person(store.path, tmp_path / "after.db")
    finally:
        await store.close()


def _size(path: Path) -> int:
    return os.path.getsize(path)


async def test_the_wal_stays_bounded_under_a_steady_stream_of_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Back-to-back commits with no pause, as under load: the checkpoints must still let the
    WAL start over, or it grows by every page ever written."""
    monkeypatch.setattr(sqlite_base, "CHECKPOINT_EVERY_COMMITS", 20)
    store = SqliteStorage(tmp_path / "s.db")
    await store.open()
    wal = Path(f"{store.path}-wal")
    try:
        person_id = await make_person(store)
        sizes = []
        for n in range(2000):
            state = ConversationState("ck", "mood", {"n": n, "pad": "x" * 300})
            await store.save_conversation(AccountAddress("telegram", str(n)), state, NOW)
            await store.update_settings(person_id, checkin_time=f"{n % 24:02d}:00")
            if n % 100 == 99:
                sizes.append(_size(wal))
        await store.db.checkpoints.wait()
    finally:
        await store.close()
    # 4,000 commits of a few pages each would be ~20 MB of WAL without restarts.
    assert max(sizes) < 3_000_000, sizes


async def test_a_finish_that_fails_half_way_leaves_the_checkin_as_it_was(
    store: SqliteStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    person_id = await make_person(store)
    checkin = await store.open_checkin(person_id, NOW.date(), "on_demand", NOW)
    await store.save_conversation(ADDRESS, STATE, NOW)

    def broken_due(work: object) -> tuple[str, tuple[object, ...]]:
        return "INSERT INTO no_such_table VALUES (?)", (1,)

    # The last statement of the transaction fails, after the answer and the completion.
    monkeypatch.setattr(sqlite_checkins, "due_upsert", broken_due)
    finished = FinishedCheckin(
        checkin.id,
        person_id,
        Answer("note", skipped=True),
        NOW.date(),
        NOW.date(),
        conversation=ADDRESS,
        follow_up=DueWork("checkin_alert", str(checkin.id), NOW, "1"),
    )
    with pytest.raises(sqlite3.OperationalError):
        await store.finish_checkin(finished, NOW)
    again = await store.get_checkin(checkin.id)
    assert again is not None and again.open
    assert await store.answers_of(checkin.id) == {}
    assert await store.load_conversation(ADDRESS) == STATE
    monkeypatch.undo()
    assert await store.finish_checkin(finished, NOW)  # and it can be done again


async def test_writes_go_on_while_a_long_reader_holds_up_the_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkpoint waiting for an old reader (a long report scan) holds new writes back; it
    gives up after CHECKPOINT_WAIT_MS, well inside a write's own patience, so no write fails
    with "database is locked" however long the reader stays."""
    monkeypatch.setattr(sqlite_base, "CHECKPOINT_EVERY_COMMITS", 2)
    monkeypatch.setattr(sqlite_base, "CHECKPOINT_WAIT_MS", 50)
    monkeypatch.setattr(sqlite_base, "BUSY_TIMEOUT_S", 0.5)
    store = SqliteStorage(tmp_path / "r.db")
    await store.open()
    reader = sqlite3.connect(store.path, isolation_level=None)
    try:
        await make_person(store)
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM people").fetchall()  # holds its snapshot
        for n in range(6):
            await store.save_conversation(AccountAddress("telegram", str(n)), STATE, NOW)
            await asyncio.sleep(0.1)  # the checkpoint thread gets going, and waits on `reader`
        assert await store.load_conversation(AccountAddress("telegram", "5")) == STATE
    finally:
        reader.close()
        await store.close()


async def test_migration_0014_keeps_alerts_and_their_steps(tmp_path: Path) -> None:
    """0014 rebuilds alerts for its new triggers; with foreign keys on, the alerts and the
    escalation steps that point at them come through whole, and still cascade afterwards."""
    from storage.sqlite.migrations import load_migrations

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(
        "CREATE TABLE schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    for migration in load_migrations():
        if migration.version >= 14:
            break
        conn.executescript(
            f"BEGIN;\n{migration.sql}\nINSERT INTO schema_migrations VALUES"
            f" ({migration.version}, '{migration.name}', 'then');\nCOMMIT;"
        )
    conn.execute("INSERT INTO people (id, created_at) VALUES (1, 'then'), (2, 'then')")
    conn.execute(
        'INSERT INTO alerts (id, person_id, severity, "trigger", created_at)'
        " VALUES (7, 1, 'urgent', 'crisis', '2026-01-01T00:00:00.000000Z')"
    )
    conn.execute(
        "INSERT INTO escalation_steps VALUES (7, 1, 2, 'mentor', '2026-01-01T00:00:00.000000Z')"
    )
    conn.close()

    storage = SqliteStorage(path)
    await storage.open()
    try:
        alert = await storage.get_alert(7)
        assert alert is not None and alert.person_id == 1
        assert [(s.alert_id, s.recipient_id) for s in await storage.steps_of(7)] == [(7, 2)]
    finally:
        await storage.close()
    with sqlite3.connect(path) as check:
        check.execute("PRAGMA foreign_keys=ON")
        assert check.execute("PRAGMA foreign_key_check").fetchall() == []
        check.execute("DELETE FROM alerts WHERE id = 7")
        assert check.execute("SELECT COUNT(*) FROM escalation_steps").fetchone()[0] == 0


async def test_migration_0016_counts_milestones_already_reached_as_celebrated(
    tmp_path: Path,
) -> None:
    """Before 0016 a milestone was cheered at the check-in that passed it: a streak's reached
    milestones (by its latest completed check-in) must not be cheered again after it."""
    from storage.sqlite.migrations import load_migrations

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "CREATE TABLE schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    for migration in load_migrations():
        if migration.name == "milestones":
            break
        conn.executescript(
            f"BEGIN;\n{migration.sql}\nINSERT INTO schema_migrations VALUES"
            f" ({migration.version}, '{migration.name}', 'then');\nCOMMIT;"
        )
    conn.execute(
        "INSERT INTO people (id, created_at, journey_start, streak_start) VALUES"
        " (1, 'then', '2024-02-29', '2024-02-29'), (2, 'then', '2026-11-01', '2026-11-20')"
    )
    conn.execute(
        "INSERT INTO checkins (person_id, local_date, source, started_at, completed_at) VALUES"
        " (1, '2025-02-28', 'on_demand', 'then', '2025-02-28T20:00:00.000000Z'),"
        " (2, '2026-11-26', 'on_demand', 'then', '2026-11-26T20:00:00.000000Z'),"
        " (2, '2026-11-27', 'on_demand', 'then', NULL)"
    )
    conn.close()

    storage = SqliteStorage(path)
    await storage.open()
    try:
        now = datetime(2026, 11, 27, tzinfo=UTC)
        # Person 1 reached one year on 28 Feb 2025 (29 February's anniversary), not two.
        start = date(2024, 2, 29)
        assert await storage.mark_milestones(1, start, ["180d", "1y", "2y"], now) == {"2y"}
        # Person 2's streak had 7 days by its last completed check-in, not 14.
        start = date(2026, 11, 20)
        assert await storage.mark_milestones(2, start, ["1d", "7d", "14d"], now) == {"14d"}
    finally:
        await storage.close()
