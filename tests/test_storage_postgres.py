"""The storage contract on a real PostgreSQL server, plus what is particular to PostgreSQL.

The server is the session's throwaway cluster (``tests/support/postgres.py``); each test gets
a database of its own, copied from a migrated template.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.postgres import PostgresStorage
from tests.support.storage_contract import (
    CircleContract,
    MentoringContract,
    PromptBatchContract,
    StorageContract,
)


@pytest.fixture
async def store(postgres_url: str) -> AsyncIterator[PostgresStorage]:
    storage = PostgresStorage(postgres_url)
    await storage.open()
    yield storage
    await storage.close()


class TestPostgresContract(StorageContract, MentoringContract, CircleContract, PromptBatchContract):
    pass
