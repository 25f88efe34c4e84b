"""One person's events in order across processes: the reply path's turn is also storage's.

Two reply paths, each on a storage object of its own on one PostgreSQL database (two
``peerbot run`` processes behind a webhook load balancer, each given one of the person's
updates): while one holds the person's turn, the other waits for it; other people go on.
SQLite is one process by design; its turn is the in-process lock alone (the contract suite
checks it can be taken and taken again).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.messaging import Messengers
from handlers.program import ProgramSettings
from handlers.replies import ReplyPath
from storage import storage_from_url
from storage.base import Storage

pytestmark = pytest.mark.backends("postgres")


@pytest.fixture
async def two_processes(database_url: str) -> AsyncIterator[list[ReplyPath]]:
    stores: list[Storage] = []
    try:
        for _ in range(2):
            store = storage_from_url(database_url)
            await store.open()
            stores.append(store)
        yield [
            ReplyPath(
                build_dispatcher(
                    assemble(Context(store, ProgramSettings(), messengers=Messengers()))
                )
            )
            for store in stores
        ]
    finally:
        for store in stores:
            await store.close()


async def test_a_persons_turn_in_one_process_holds_their_next_event_in_another(
    two_processes: list[ReplyPath],
) -> None:
    first, second = two_processes
    order: list[str] = []
    release, began = asyncio.Event(), asyncio.Event()

    async def in_first() -> None:
        async with first.turn("telegram", "5"):
            order.append("first begins")
            began.set()
            await release.wait()
            order.append("first ends")

    async def in_second(user_id: str) -> None:
        async with second.turn("telegram", user_id):
            order.append(f"second for {user_id}")

    holding = asyncio.create_task(in_first())
    await began.wait()
    waiting = asyncio.create_task(in_second("5"))
    await in_second("6")  # someone else is not held up
    await asyncio.sleep(0.3)  # time for the waiting one to get in, if it (wrongly) could
    assert order == ["first begins", "second for 6"]
    release.set()
    await asyncio.gather(holding, waiting)
    assert order == ["first begins", "second for 6", "first ends", "second for 5"]
