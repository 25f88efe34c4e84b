"""``peerbot copy-db``: a whole program moved SQLite -> PostgreSQL -> SQLite, verified, and the
refusals (a target with data, a wrong or missing key, a bad URL, an unreachable server, a
schema behind), on real SQLite files and the session's real PostgreSQL cluster."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import cli
from bot.demo_data import seed
from storage import storage_from_url
from storage.crypto import TextCipher
from storage.people import Account, AccountAddress, Role
from storage.postgres.transfer import PostgresEnd
from storage.sqlite import SqliteStorage
from storage.sqlite import transfer as sqlite_transfer
from storage.sqlite.privacy_rules import ENCRYPTED_COLUMNS
from storage.transfer import CopyError, copy_database
from tests.support import postgres as pg

KEY = TextCipher.generate_key()
DEMO_NOW = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=1)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo program (bot/demo_data.py), encrypted with :data:`KEY`, made once."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"

    async def make() -> None:
        store = SqliteStorage(path, cipher=TextCipher(KEY))
        await store.open()
        try:
            await seed(store, DEMO_NOW)
        finally:
            await store.close()

    asyncio.run(make())
    return path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Path:
    """A copy of the demo program this test may change."""
    copy = tmp_path / "program.db"
    shutil.copyfile(demo_file, copy)
    return copy


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The command line as the operator runs it: the data key in the environment, no
    config.toml in the working folder."""
    monkeypatch.setenv("PEERBOT_DATA_KEY", KEY)
    monkeypatch.delenv("PEERBOT_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)


def _empty_pg(cluster: pg.PostgresCluster) -> str:
    return asyncio.run(pg.empty_database(cluster))  # sync tests: no loop runs here


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted (schema_migrations' times are each backend's own)."""
    with sqlite3.connect(path) as db:
        names = [
            r[0]
            for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if r[0] not in ("schema_migrations", "sqlite_sequence")
        ]
        return {n: sorted(db.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}


def _report(capsys: pytest.CaptureFixture[str], *where: str) -> dict[str, Any]:
    capsys.readouterr()
    assert cli.main(["report", *where, "--since", "200d", "--format", "json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    for moment in ("since", "until"):  # when the report ran, not what it found
        figures.pop(moment)
    return dict(figures)


def test_demo_program_goes_to_postgres_and_back_and_reports_the_same_figures(
    demo: Path,
    postgres_cluster: pg.PostgresCluster,
    keyed: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = _empty_pg(postgres_cluster)
    back = tmp_path / "back.db"
    before = _rows(demo)

    assert cli.main(["copy-db", f"sqlite:///{demo}", url]) == 0
    there = capsys.readouterr()
    assert "verified" in there.out and "checkin_answers:" in there.err
    assert cli.main(["copy-db", url, str(back)]) == 0
    capsys.readouterr()

    assert _rows(back) == before  # every row of every table, id_floors and key check too
    on_sqlite = _report(capsys, "--database", str(demo))
    monkeypatch.setenv("PEERBOT_DATABASE_URL", url)
    on_postgres = _report(capsys)
    monkeypatch.delenv("PEERBOT_DATABASE_URL")
    assert on_postgres == on_sqlite
    assert _report(capsys, "--database", str(back)) == on_sqlite
    assert any(section["rows"] for section in on_sqlite["sections"])  # the demo has figures


async def test_the_copy_opens_every_encrypted_value_and_counts_every_table(
    demo: Path, postgres_cluster: pg.PostgresCluster
) -> None:
    url = await pg.empty_database(postgres_cluster)
    report = await copy_database(str(demo), url, TextCipher(KEY))
    # every column the privacy registry says is encrypted, and at least these four
    columns = {(table, column) for table, column, _ in ENCRYPTED_COLUMNS}
    columns |= {("key_check", "canary")}
    assert {
        ("checkin_answers", "value_text"),
        ("goals", "title"),
        ("goal_steps", "title"),
    } <= columns
    with sqlite3.connect(demo) as db:
        sealed = sum(
            db.execute(f"SELECT count(*) FROM {table} WHERE {column} LIKE 'fernet:%'").fetchone()[0]
            for table, column in sorted(columns)
        )
        people = db.execute("SELECT count(*) FROM people").fetchone()[0]
    assert report.sealed_opened == sealed > 1
    assert {t.name: t.rows for t in report.tables}["people"] == people
    store = storage_from_url(url, cipher=TextCipher(KEY))
    await store.open()  # the bot's own key check passes on the copy
    await store.close()


async def test_rows_stream_in_batches_never_a_whole_table(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[int] = []
    written: list[tuple[str, int]] = []
    monkeypatch.setattr(sqlite_transfer, "BATCH_ROWS", 40)
    original_rows, original_insert = (
        sqlite_transfer.SqliteEnd.rows,
        sqlite_transfer.SqliteEnd.insert,
    )

    async def rows(self: Any, table: str, columns: Sequence[str], order: Sequence[str]) -> Any:
        async for batch in original_rows(self, table, columns, order):
            read.append(len(batch))
            yield batch

    async def insert(self: Any, table: str, columns: Sequence[str], batch: Any) -> None:
        written.append((table, len(batch)))
        await original_insert(self, table, columns, batch)

    monkeypatch.setattr(sqlite_transfer.SqliteEnd, "rows", rows)
    monkeypatch.setattr(sqlite_transfer.SqliteEnd, "insert", insert)
    report = await copy_database(
        str(demo), str(tmp_path / "copy.db"), TextCipher(KEY), batch_rows=25
    )

    answers = {t.name: t.rows for t in report.tables}["checkin_answers"]
    assert max(read) == 40 and max(n for _, n in written) == 25
    assert sum(n for table, n in written if table == "checkin_answers") == answers > 1000


def test_a_target_that_holds_a_program_is_refused_and_left_alone(
    demo: Path,
    demo_file: Path,
    postgres_cluster: pg.PostgresCluster,
    keyed: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = _empty_pg(postgres_cluster)
    assert cli.main(["copy-db", str(demo_file), url]) == 0
    capsys.readouterr()
    before = _rows(demo)
    for target in (url, str(demo)):
        assert cli.main(["copy-db", str(demo_file), target]) == 1
        said = capsys.readouterr().err
        assert "is not empty" in said and "Nothing was written" in said
        assert "Traceback" not in said
    assert _rows(demo) == before


def test_a_wrong_or_missing_key_is_refused_before_anything_is_written(
    demo: Path,
    tmp_path: Path,
    keyed: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "never.db"
    monkeypatch.setenv("PEERBOT_DATA_KEY", TextCipher.generate_key())
    assert cli.main(["copy-db", str(demo), str(target)]) == 1
    assert "does not open the encrypted text" in capsys.readouterr().err
    monkeypatch.delenv("PEERBOT_DATA_KEY")
    assert cli.main(["copy-db", str(demo), str(target)]) == 1
    assert "PEERBOT_DATA_KEY is not set" in capsys.readouterr().err
    assert not target.exists()


def _closed_port() -> int:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_bad_urls_and_unreachable_servers_are_one_line_without_the_password(
    demo: Path, tmp_path: Path, keyed: None, capsys: pytest.CaptureFixture[str]
) -> None:
    port = _closed_port()
    unreachable = f"postgresql://bot:s3cret@127.0.0.1:{port}/peerbot"
    cases = [
        (["copy-db", "mysql://bot@db/x", str(tmp_path / "a.db")], 2, "not a database URL"),
        (["copy-db", str(demo), "postgresql://bot:s3cret@db:port/x"], 1, "cannot be opened"),
        (["copy-db", str(tmp_path / "missing.db"), str(tmp_path / "b.db")], 1, "no such file"),
        (["copy-db", str(demo), unreachable], 1, f"127.0.0.1:{port}/peerbot"),
        (["copy-db", unreachable, str(tmp_path / "c.db")], 1, "bot:***@"),
        (["copy-db", str(demo), f"sqlite:///{demo}"], 1, "the same database"),
    ]
    for argv, status, phrase in cases:
        assert cli.main(argv) == status, argv
        said = capsys.readouterr()
        assert phrase in said.err, (argv, said.err)
        assert "s3cret" not in said.out + said.err and "Traceback" not in said.err
    assert not (tmp_path / "b.db").exists() and not (tmp_path / "c.db").exists()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=40))
def test_any_from_text_is_a_clear_refusal(
    keyed: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    capsys.readouterr()  # what earlier examples printed
    status: object
    try:
        status = cli.main(["copy-db", text or " ", str(tmp_path / "target.db")])
    except SystemExit as refused:  # argparse's own usage line (a text like "-x" is an option)
        status = refused.code
    said = capsys.readouterr().err
    assert status in (1, 2) and said.startswith(("FROM", "copy-db:", "copying", "usage:"))
    assert "Traceback" not in said


async def test_ids_never_given_before_stay_unused_after_moves(
    demo: Path, postgres_cluster: pg.PostgresCluster, tmp_path: Path
) -> None:
    with sqlite3.connect(demo) as db:  # as if people up to 500 had been erased
        db.execute("INSERT OR REPLACE INTO id_floors (name, high) VALUES ('people', 500)")
    url = await pg.empty_database(postgres_cluster)
    cipher = TextCipher(KEY)
    await copy_database(str(demo), url, cipher)

    async def new_person(where: str, key: str) -> int:
        store = storage_from_url(where, cipher=cipher)
        await store.open()
        try:
            account = Account(AccountAddress("test", key), person_id=0, chat_id=key)
            made = await store.create_person(account, role=Role.MENTEE, consented_at=DEMO_NOW)
            return made.id
        finally:
            await store.close()

    assert await new_person(url, "after-move") == 501
    back = tmp_path / "back.db"
    await copy_database(url, str(back), cipher)
    assert await new_person(f"sqlite:///{back}", "after-return") == 502


async def test_a_source_behind_the_latest_schema_is_refused(demo: Path, tmp_path: Path) -> None:
    with sqlite3.connect(demo) as db:
        db.execute(
            "DELETE FROM schema_migrations"
            " WHERE version = (SELECT max(version) FROM schema_migrations)"
        )
    with pytest.raises(CopyError, match="not at the latest schema"):
        await copy_database(str(demo), str(tmp_path / "copy.db"), TextCipher(KEY))
    assert not (tmp_path / "copy.db").exists()


async def test_a_failed_copy_leaves_the_target_empty(
    demo: Path, postgres_cluster: pg.PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = await pg.empty_database(postgres_cluster)
    original = PostgresEnd.insert

    async def fails_at_goals(self: Any, table: str, columns: Sequence[str], rows: Any) -> None:
        if table == "goals":
            raise OSError("the network went away")
        await original(self, table, columns, rows)

    monkeypatch.setattr(PostgresEnd, "insert", fails_at_goals)
    with pytest.raises(CopyError, match=r"copying goals failed \(OSError\); TO was left as it was"):
        await copy_database(str(demo), url, TextCipher(KEY))
    monkeypatch.undo()
    report = await copy_database(str(demo), url, TextCipher(KEY))  # still empty: it goes in
    assert report.rows > 0
