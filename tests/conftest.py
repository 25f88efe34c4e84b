"""Shared fixtures: a real SQLite file per test, a fake clock, and a chat driver.

Fixtures only: what they build lives in :mod:`tests.support`, which tests import.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.crisis.model import STAGE, ModelStage
from handlers.dispatcher import Dispatcher
from handlers.messaging import Messengers
from handlers.program import ProgramSettings
from storage.sqlite import SqliteStorage
from tests.support import Chat, FakeClock, RecordingMessenger
from tests.support import postgres as pg
from tests.support.clock import START


@pytest.fixture(scope="session", autouse=True)
def crisis_model() -> ModelStage:
    """The crisis screen's learned stage, loaded once before any test sends a message, as
    ``peerbot run`` loads it before any adapter starts."""
    STAGE.load()
    return STAGE


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[pg.PostgresCluster]:
    """One throwaway PostgreSQL cluster for the session, with a migrated template database."""
    if not pg.wanted():
        pytest.skip(f"{pg.DISABLE}=off: the PostgreSQL tests are switched off")
    cluster = pg.start_cluster()
    try:
        asyncio.run(pg.make_template(cluster))
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
async def postgres_url(postgres_cluster: pg.PostgresCluster) -> AsyncIterator[str]:
    """A fresh, migrated database of its own for one test."""
    url = await pg.fresh_database(postgres_cluster)
    yield url
    await pg.drop_database(postgres_cluster, url)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    store = SqliteStorage(tmp_path / "peerbot.db")
    await store.open()
    yield store
    await store.close()


@pytest.fixture
def messenger() -> RecordingMessenger:
    return RecordingMessenger(platform="test")


@pytest.fixture
def ctx(storage: SqliteStorage, clock: FakeClock, messenger: RecordingMessenger) -> Context:
    return assemble(
        Context(
            storage=storage,
            program=ProgramSettings(),
            messengers=Messengers({"test": messenger}),
            clock=clock,
            sleep=clock.sleep,
        )
    )


@pytest.fixture
def dispatcher(ctx: Context) -> Dispatcher:
    return build_dispatcher(ctx)


@pytest.fixture
def chat(dispatcher: Dispatcher) -> Chat:
    return Chat(dispatcher)
