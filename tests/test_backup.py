"""``peerbot backup``: SQLite's online backup taken while the bot writes, checked before it is
kept; for PostgreSQL the pg_dump command, never the password."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import cli
from storage.crypto import TextCipher
from storage.people import Account, AccountAddress, Role
from storage.sqlite import SqliteStorage
from storage.sqlite.backup import BackupError, backup_sqlite, verify_backup

KEY = TextCipher.generate_key()
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


async def _add_people(store: SqliteStorage, first: int, count: int) -> None:
    for n in range(first, first + count):
        account = Account(AccountAddress("test", f"u{n}"), person_id=0, chat_id=f"u{n}")
        await store.create_person(account, role=Role.MENTEE, consented_at=NOW)


def _people(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM people").fetchone()[0])


async def test_a_backup_taken_while_the_bot_writes_opens_and_verifies(tmp_path: Path) -> None:
    cipher = TextCipher(KEY)
    live = SqliteStorage(tmp_path / "peerbot.db", cipher=cipher)
    await live.open()
    await _add_people(live, 0, 200)
    with sqlite3.connect(live.db.path) as filler:  # ~40 MB: a copy that takes a while
        filler.executemany(
            "INSERT INTO conversation_state VALUES ('filler', ?, 'f', 's', ?, '')",
            ((str(n), "x" * 2000) for n in range(20_000)),
        )
    written_during = 0
    copying = asyncio.Event()

    async def keep_writing() -> None:
        nonlocal written_during
        n = 10_000
        while True:
            await _add_people(live, n, 1)
            n += 1
            if copying.is_set():
                written_during += 1
            await asyncio.sleep(0)

    writer = asyncio.create_task(keep_writing())
    await asyncio.sleep(0.01)
    copying.set()
    made = await asyncio.to_thread(backup_sqlite, live.db.path, tmp_path / "backup.db", cipher)
    copying.clear()
    await asyncio.sleep(0.01)
    writer.cancel()
    await asyncio.gather(writer, return_exceptions=True)
    total = _people(live.db.path)
    await live.close()

    assert written_during > 0  # the bot's writes went on during the copy
    backed_up = _people(made.path)
    assert 200 < backed_up < total  # a moment during the writes, whole
    assert os.stat(made.path).st_mode & 0o777 == 0o600
    assert verify_backup(made.path, cipher)[1] >= backed_up
    restored = SqliteStorage(made.path, cipher=cipher)
    await restored.open()  # the bot's own checks: quick_check, the key
    assert await restored.person_for_account(AccountAddress("test", "u199")) is not None
    await restored.close()


async def test_a_backup_is_refused_without_the_key_and_leaves_nothing(tmp_path: Path) -> None:
    store = SqliteStorage(tmp_path / "peerbot.db", cipher=TextCipher(KEY))
    await store.open()
    await _add_people(store, 0, 3)
    await store.close()
    for cipher, phrase in (
        (None, "PEERBOT_DATA_KEY is not set"),
        (TextCipher(TextCipher.generate_key()), "not the database's key"),
    ):
        with pytest.raises(BackupError, match=phrase):
            backup_sqlite(tmp_path / "peerbot.db", tmp_path / "b.db", cipher)
        assert sorted(os.listdir(tmp_path)) == ["peerbot.db"]


def test_peerbot_backup_writes_a_dated_file_into_a_folder_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PEERBOT_DATA_KEY", KEY)
    monkeypatch.delenv("PEERBOT_DATABASE_URL", raising=False)
    assert cli.main(["init"]) == 0
    folder = tmp_path / "backups"
    folder.mkdir()
    capsys.readouterr()
    assert cli.main(["backup", str(folder)]) == 0
    made = list(folder.iterdir())
    assert len(made) == 1 and made[0].name.startswith("peerbot-") and made[0].suffix == ".db"
    assert "checked" in capsys.readouterr().out
    assert cli.main(["backup", str(made[0])]) == 1
    assert "already exists" in capsys.readouterr().err
    assert cli.main(["backup", str(tmp_path / "no-such-folder" / "b.db")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_peerbot_backup_on_postgresql_prints_pg_dump_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PEERBOT_DATABASE_URL", "postgresql://bot:s3cret@db.example:5432/peerbot")
    assert cli.main(["backup", "program.dump"]) == 1  # nothing was backed up by us
    said = capsys.readouterr().out
    assert (
        "pg_dump --format=custom --file='program.dump' 'postgresql://bot@db.example:5432/peerbot'"
        in said
    )
    assert "pg_restore" in said and "s3cret" not in said


def test_verify_backup_rejects_a_damaged_copy(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)")
        db.execute("INSERT INTO schema_migrations VALUES (1)")
    with pytest.raises(BackupError, match="lacks migrations"):
        verify_backup(path)
