"""Many people answering at once while the checkpoint thread keeps taking SQLite's write lock:
the inline storage (storage/sqlite/connection.py) must lose nothing and mix nothing up."""

from __future__ import annotations

import asyncio
import random
import sqlite3

import pytest

from handlers.dispatcher import Dispatcher
from storage.people import AccountAddress
from storage.sqlite import SqliteStorage
from storage.sqlite import connection as sqlite_base
from tests.support import Chat, onboard

PEOPLE = 30
CHECKINS_EACH = 3


async def test_concurrent_checkins_under_checkpoint_contention_lose_nothing(
    dispatcher: Dispatcher, storage: SqliteStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A checkpoint (which holds writers off while it copies the WAL) after every few commits.
    monkeypatch.setattr(sqlite_base, "CHECKPOINT_EVERY_COMMITS", 3)
    busy: list[bool] = []  # each time a write found the lock taken and waited its turn
    really_busy = sqlite_base._is_busy

    def counted_is_busy(exc: sqlite3.OperationalError) -> bool:
        busy.append(really_busy(exc))
        return busy[-1]

    monkeypatch.setattr(sqlite_base, "_is_busy", counted_is_busy)
    chats = [Chat(dispatcher, user_id=str(5000 + n)) for n in range(PEOPLE)]
    for chat in chats:
        await onboard(chat)
    rng = random.Random(7)

    async def person(chat: Chat, seed: int) -> list[tuple[int, int]]:
        mine = random.Random(seed)
        done: list[tuple[int, int]] = []
        for _ in range(CHECKINS_EACH):
            first = (await chat.command("checkin"))[-1]
            checkin_id = int(first.buttons[0].payload.split(":")[1])
            mood, craving = mine.randint(3, 5), mine.randint(0, 5)
            for answer in (str(mood), str(craving), "no"):
                await chat.say(answer)
                await asyncio.sleep(0)  # let the others in between every step
            closing = await chat.press_label("Skip")
            # The first of the day counts it; the others update it (one day, one check-in).
            said = "Thanks for checking in" if not done else "today's check-in is updated"
            assert said in closing[-1].text, closing[-1].text
            done.append((checkin_id, mood * 100 + craving))
        return done

    results = await asyncio.gather(*(person(chat, rng.randrange(10**6)) for chat in chats))
    await storage.db.checkpoints.wait()
    assert any(busy), "the checkpoint thread never held a write back: no contention tested"

    for chat, checkins in zip(chats, results, strict=True):
        owner = await storage.person_for_account(AccountAddress("test", chat.user_id))
        assert owner is not None
        assert await storage.load_conversation(AccountAddress("test", chat.user_id)) is None
        *replaced, (checkin_id, expected) = checkins
        for gone, _ in replaced:  # the same day's earlier check-ins, replaced by the last
            assert await storage.get_checkin(gone) is None
        # The day's one check-in holds its own answers, nobody else's.
        checkin = await storage.get_checkin(checkin_id)
        assert checkin is not None and checkin.person_id == owner.id
        assert checkin.completed_at is not None
        answers = await storage.answers_of(checkin_id)
        assert set(answers) == {"mood", "craving", "used", "note"}
        mood, craving = answers["mood"].number, answers["craving"].number
        assert mood is not None and craving is not None
        assert int(mood) * 100 + int(craving) == expected  # nobody's answers mixed up
