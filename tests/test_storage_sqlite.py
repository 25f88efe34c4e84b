"""The storage contract on a real SQLite file, plus what is particular to SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import StorageURLError, storage_from_url
from storage.sqlite import SqliteStorage
from tests.storage_contract import StorageContract, make_person
from tests.storage_contract_batches import PromptBatchContract
from tests.storage_contract_circles import CircleContract
from tests.storage_contract_mentoring import MentoringContract


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    storage = SqliteStorage(tmp_path / "contract.db")
    await storage.open()
    yield storage
    await storage.close()


class TestSqliteContract(StorageContract, MentoringContract, CircleContract, PromptBatchContract):
    pass


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


async def test_foreign_keys_cascade(store: SqliteStorage, tmp_path: Path) -> None:
    person_id = await make_person(store)
    async with store._write() as db:
        db.execute("DELETE FROM people WHERE id = ?", (person_id,))
    assert await store.accounts_of(person_id) == []
    assert await store.roles_of(person_id) == frozenset()


def test_storage_url() -> None:
    assert isinstance(storage_from_url("sqlite:///x.db"), SqliteStorage)
    with pytest.raises(StorageURLError):
        storage_from_url("mysql://nope")
