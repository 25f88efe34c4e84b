"""The storage contract, one suite run on every backend: each test once on a real SQLite file
and once on a fresh database of the session's PostgreSQL cluster (the ``backends`` mark).

What is particular to one backend is in ``tests/test_storage_sqlite.py`` and
``tests/test_storage_postgres.py``.
"""

from __future__ import annotations

import pytest

from storage.base import Storage
from tests.support.storage_contract import (
    CircleContract,
    CoordinationContract,
    DashboardContract,
    MatchingContract,
    MentoringContract,
    PromptBatchContract,
    StorageContract,
)

pytestmark = pytest.mark.backends("sqlite", "postgres")


@pytest.fixture
def store(storage: Storage) -> Storage:
    """The contract classes' name for an opened, empty storage of the backend under test."""
    return storage


class TestStorageContract(
    StorageContract,
    MentoringContract,
    CircleContract,
    PromptBatchContract,
    CoordinationContract,
    DashboardContract,
    MatchingContract,
):
    pass
