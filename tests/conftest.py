"""Shared fixtures: a real SQLite file per test, a fake clock, and a chat driver.

Fixtures only: what they build lives in :mod:`tests.support`, which tests import.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.crisis.model import STAGE, ModelStage
from handlers.dispatcher import Dispatcher
from handlers.messaging import Messengers
from handlers.program import ProgramSettings
from storage import storage_from_url
from storage.base import Storage
from tests.support import Chat, FakeClock, RecordingMessenger
from tests.support import postgres as pg
from tests.support.clock import START
from tests.support.emulator import EmulatorHandle, launch_emulator


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
        # On a thread of its own: the first test to ask may already be running in a loop.
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, pg.make_template(cluster)).result()
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


BACKENDS = ("sqlite", "postgres")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A module or test marked ``@pytest.mark.backends("sqlite", "postgres")`` runs once per
    backend named, through the ``backend`` fixture its ``storage`` is built on."""
    marker = metafunc.definition.get_closest_marker("backends")
    if marker is not None and "backend" in metafunc.fixturenames:
        unknown = set(marker.args) - set(BACKENDS)
        if unknown:
            raise ValueError(f"unknown storage backends {sorted(unknown)}")
        metafunc.parametrize("backend", marker.args, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """Which storage backend the test's ``storage`` is: SQLite unless the test is marked."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
async def database_url(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """Where the test's database is: a new SQLite file, or (``backend`` "postgres") a fresh
    database on the session's PostgreSQL cluster, dropped afterwards."""
    if backend != "postgres":
        yield f"sqlite:///{tmp_path / 'peerbot.db'}"
        return
    cluster: pg.PostgresCluster = request.getfixturevalue("postgres_cluster")
    url = await pg.fresh_database(cluster)
    yield url
    await pg.drop_database(cluster, url)


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    """An opened, empty storage at ``database_url``."""
    store = storage_from_url(database_url)
    await store.open()
    yield store
    await store.close()


@pytest.fixture
def messenger() -> RecordingMessenger:
    return RecordingMessenger(platform="test")


@pytest.fixture
def ctx(storage: Storage, clock: FakeClock, messenger: RecordingMessenger) -> Context:
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


# The Telegram Bot API emulator (Node, loopback) for the modules that drive the real adapter:
# one per module, emptied before each test.
@pytest.fixture(scope="module")
def emulator_process() -> Iterator[EmulatorHandle]:
    with launch_emulator() as handle:
        yield handle


@pytest.fixture
async def emu(emulator_process: EmulatorHandle) -> EmulatorHandle:
    await emulator_process.reset()
    return emulator_process


@pytest.fixture
def tg_ctx(storage: Storage, clock: FakeClock) -> Context:
    """The core as ``peerbot run`` builds it, before any messenger is added."""
    return assemble(
        Context(storage=storage, program=ProgramSettings(), messengers=Messengers(), clock=clock)
    )
