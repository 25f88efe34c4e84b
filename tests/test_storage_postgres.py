"""What is particular to PostgreSQL storage (the contract suite runs on it from
``tests/test_storage_contract.py``).

The server is the session's throwaway cluster (``tests/support/postgres.py``); each test gets
a database of its own, copied from a migrated template.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from pathlib import Path

import asyncpg
import pytest

from bot import cli
from bot.database import open_problem_line
from storage import OpenProblem, StorageOpenError, shown_url, storage_from_url
from storage.composed import ComposedStorage
from storage.crypto import KEY_CHECK_TEXT, TextCipher, is_sealed
from storage.forwarding import Forward
from storage.mentoring import SafetyPlan
from storage.postgres import PostgresStorage
from storage.postgres.connection import numbered
from storage.postgres.migrations import load_migrations
from storage.sqlite import SqliteStorage
from tests.support import postgres as pg
from tests.support.storage_contract import (
    NOW,
    make_person,
)


async def test_two_stores_starting_together_migrate_once(
    postgres_cluster: pg.PostgresCluster,
) -> None:
    """Two processes' first start on one empty database: the advisory lock lets one migrate,
    the other waits and finds every migration applied."""
    url = await pg.empty_database(postgres_cluster)
    first, second = PostgresStorage(url), PostgresStorage(url)
    await asyncio.gather(first.open(), second.open())
    try:
        person_id = await make_person(first)
        assert (await second.get_person(person_id)) is not None
    finally:
        await asyncio.gather(first.close(), second.close())
    conn = await asyncpg.connect(url)
    try:
        versions = [r[0] for r in await conn.fetch("SELECT version FROM schema_migrations")]
    finally:
        await conn.close()
    assert versions == sorted(set(versions)) == [m.version for m in load_migrations()]


async def test_free_text_is_encrypted_as_on_sqlite_and_the_key_is_checked(
    postgres_url: str,
) -> None:
    key = TextCipher(TextCipher.generate_key())
    store = PostgresStorage(postgres_url, cipher=key)
    await store.open()
    try:
        person_id = await make_person(store)
        await store.save_safety_plan(SafetyPlan(person_id, warning_signs="late nights"), NOW)
        plan = await store.get_safety_plan(person_id)
        assert plan is not None and plan.warning_signs == "late nights"
    finally:
        await store.close()
    conn = await asyncpg.connect(postgres_url)
    try:
        stored = await conn.fetchval("SELECT warning_signs FROM safety_plans")
        canary = await conn.fetchval("SELECT canary FROM key_check WHERE id = 1")
    finally:
        await conn.close()
    assert is_sealed(stored) and "late nights" not in stored
    assert key.decrypt(stored) == "late nights" and key.decrypt(canary) == KEY_CHECK_TEXT

    for cipher, problem in (
        (None, OpenProblem.KEY_MISSING),
        (TextCipher(TextCipher.generate_key()), OpenProblem.KEY_WRONG),
    ):
        with pytest.raises(StorageOpenError) as refused:
            await PostgresStorage(postgres_url, cipher=cipher).open()
        assert refused.value.problem is problem


async def test_a_key_over_plain_text_is_refused(postgres_url: str) -> None:
    store = PostgresStorage(postgres_url)
    await store.open()
    try:
        person_id = await make_person(store)
        await store.save_safety_plan(SafetyPlan(person_id, what_helps="a walk"), NOW)
    finally:
        await store.close()
    with pytest.raises(StorageOpenError) as refused:
        await PostgresStorage(postgres_url, cipher=TextCipher(TextCipher.generate_key())).open()
    assert refused.value.problem is OpenProblem.NOT_ENCRYPTED


async def test_rotating_the_key_rewrites_every_sealed_value(postgres_url: str) -> None:
    old, new = (TextCipher(TextCipher.generate_key()) for _ in range(2))
    store = PostgresStorage(postgres_url, cipher=old)
    await store.open()
    try:
        person_id = await make_person(store)
        await store.save_safety_plan(SafetyPlan(person_id, professionals="Dr. Lee"), NOW)
    finally:
        await store.close()
    rotating = PostgresStorage(postgres_url, cipher=new, check_key=False)
    await rotating.open()
    try:
        assert await rotating.rotate_cipher(new, old) >= 1
    finally:
        await rotating.close()
    reopened = PostgresStorage(postgres_url, cipher=new)
    await reopened.open()
    try:
        plan = await reopened.get_safety_plan(person_id)
        assert plan is not None and plan.professionals == "Dr. Lee"
    finally:
        await reopened.close()
    with pytest.raises(StorageOpenError):
        await PostgresStorage(postgres_url, cipher=old).open()


def test_a_postgresql_url_opens_postgres_storage() -> None:
    for url in ("postgresql://bot@db.example/peerbot", "postgres://bot:pw@db:5432/peerbot"):
        assert isinstance(storage_from_url(url), PostgresStorage)


async def test_a_server_that_cannot_be_reached_is_one_clear_line_without_the_password() -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = storage_from_url(f"postgresql://bot:s3cret@127.0.0.1:{port}/peerbot")
    with pytest.raises(StorageOpenError) as refused:
        await store.open()
    line = open_problem_line(refused.value)
    assert refused.value.problem is OpenProblem.CANNOT_OPEN
    assert f"127.0.0.1:{port}/peerbot" in line and "s3cret" not in line


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT * FROM t WHERE a = ? AND b = ?", ("SELECT * FROM t WHERE a = $1 AND b = $2", 2)),
        ("SELECT :x, :y, :x", ("SELECT $1, $2, $1", ("x", "y"))),
        ("SELECT '?', ':x', ?::text", ("SELECT '?', ':x', $1::text", 1)),
        ('SELECT "trigger" FROM alerts', ('SELECT "trigger" FROM alerts', 0)),
    ],
)
def test_placeholders_become_numbered_and_quoted_text_is_left(
    sql: str, expected: tuple[str, object]
) -> None:
    assert numbered(sql) == expected


async def test_the_schema_has_every_sqlite_table_and_column(
    postgres_url: str, tmp_path: Path
) -> None:
    """One privacy registry and one contract serve both backends only while both schemas
    match: a SQLite migration without its PostgreSQL counterpart fails here."""
    sqlite_store = SqliteStorage(tmp_path / "schema.db")
    await sqlite_store.open()
    await sqlite_store.close()
    with sqlite3.connect(tmp_path / "schema.db") as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        on_sqlite = {
            table: {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            for table in names
            if table not in ("id_floors", "sqlite_sequence")  # SQLite's own id bookkeeping
        }
    conn = await asyncpg.connect(postgres_url)
    try:
        rows = await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema()"
        )
    finally:
        await conn.close()
    on_postgres: dict[str, set[str]] = {}
    for row in rows:
        on_postgres.setdefault(row["table_name"], set()).add(row["column_name"])
    assert on_postgres == on_sqlite


def test_peerbot_init_on_postgres_never_prints_the_password(
    postgres_cluster: pg.PostgresCluster,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = asyncio.run(pg.empty_database(postgres_cluster))  # a sync test: no loop runs here
    with_password = url.replace("//peerbot@", "//peerbot:s3cret@")  # trust auth ignores it
    monkeypatch.setenv("PEERBOT_DATABASE_URL", with_password)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["init"]) == 0
    printed = capsys.readouterr()
    assert "s3cret" not in printed.out + printed.err
    assert f"database ready at {shown_url(with_password)}" in printed.out


def test_shown_url_hides_only_the_password() -> None:
    assert shown_url("postgresql://bot:p@ss:w0rd@db:5432/x") == "postgresql://bot:***@db:5432/x"
    assert shown_url("postgresql://bot@db/x") == "postgresql://bot@db/x"
    assert shown_url("sqlite:///peerbot.db") == "sqlite:///peerbot.db"


def test_each_method_is_answered_by_its_area_repository() -> None:
    """PostgresStorage answers the shared forwarding table, each method from the repository
    its line names, and every repository shares the one connection; neither backend forwards
    anything of its own beside the table."""
    store = PostgresStorage("postgresql://bot@localhost/never-opened")
    forwarded = {n: m for n, m in vars(ComposedStorage).items() if isinstance(m, Forward)}
    assert len(forwarded) > 100
    for backend in (PostgresStorage, SqliteStorage):
        assert issubclass(backend, ComposedStorage)
        assert not [n for n, m in vars(backend).items() if isinstance(m, Forward)], backend
    for name, member in forwarded.items():
        repository = getattr(store, member.area)
        assert getattr(store, name).__self__ is repository, name
        assert repository._db is store.db, member.area


async def test_migration_0002_counts_milestones_already_reached_as_celebrated(
    postgres_cluster: pg.PostgresCluster,
) -> None:
    """SQLite 0016's twin: a streak's milestones reached by its latest completed check-in
    count as celebrated (29 February's anniversary on the 28th, as on SQLite)."""
    url = await pg.empty_database(postgres_cluster)
    first, milestones = load_migrations()[0], load_migrations()[1]
    assert milestones.name == "milestones"
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(first.sql)
        await conn.execute(
            "INSERT INTO people (id, created_at, journey_start, streak_start) VALUES"
            " (1, 'then', '2024-02-29', '2024-02-29'), (2, 'then', '2026-11-01', '2026-11-20')"
        )
        await conn.execute(
            "INSERT INTO checkins (person_id, local_date, source, started_at, completed_at)"
            " VALUES (1, '2025-02-28', 'on_demand', 'then', '2025-02-28T20:00:00.000000Z'),"
            " (2, '2026-11-26', 'on_demand', 'then', '2026-11-26T20:00:00.000000Z'),"
            " (2, '2026-11-27', 'on_demand', 'then', NULL)"
        )
        await conn.execute(milestones.sql)
        rows = await conn.fetch("SELECT person_id, milestone FROM milestones")
    finally:
        await conn.close()
    found = {(row["person_id"], row["milestone"]) for row in rows}
    assert found == {
        *((1, key) for key in ("1d", "7d", "14d", "30d", "60d", "90d", "180d", "1y")),
        (2, "1d"),
        (2, "7d"),
    }
