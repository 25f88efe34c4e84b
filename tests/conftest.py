"""Shared fixtures: a real SQLite file per test, a fake clock, and a chat driver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.messaging import (
    ButtonPress,
    ChatKind,
    Command,
    ConversationRef,
    IncomingEvent,
    Messengers,
    OutgoingMessage,
    RecordingMessenger,
    Text,
)
from handlers.program import ProgramSettings
from storage.sqlite import SqliteStorage


class FakeClock:
    """A clock tests move by hand: no sleeps anywhere."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 27, 15, 0, tzinfo=UTC))


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
        )
    )


@pytest.fixture
def dispatcher(ctx: Context) -> Dispatcher:
    return build_dispatcher(ctx)


@dataclass
class Chat:
    """One person talking to the dispatcher, as an adapter would deliver it."""

    dispatcher: Dispatcher
    user_id: str = "1001"
    platform: str = "test"
    chat_kind: ChatKind = ChatKind.DIRECT
    replies: list[OutgoingMessage] = field(default_factory=list)
    _n: int = 0

    @property
    def ref(self) -> ConversationRef:
        return ConversationRef(platform=self.platform, chat_id=self.user_id, user_id=self.user_id)

    async def _send(self, kind: Text | Command | ButtonPress) -> list[OutgoingMessage]:
        self._n += 1
        event = IncomingEvent(
            ref=self.ref, kind=kind, chat_kind=self.chat_kind, event_id=f"evt-{self._n}"
        )
        out = await self.dispatcher.handle(event)
        self.replies.extend(out)
        return out

    async def say(self, text: str) -> list[OutgoingMessage]:
        return await self._send(Text(text))

    async def command(self, name: str, *args: str) -> list[OutgoingMessage]:
        return await self._send(Command(name, tuple(args)))

    async def press(self, payload: str) -> list[OutgoingMessage]:
        return await self._send(ButtonPress(payload))

    async def press_label(self, label_part: str) -> list[OutgoingMessage]:
        """Press the newest button whose label contains ``label_part``."""
        for message in reversed(self.replies):
            for button in message.buttons:
                if label_part.lower() in button.label.lower():
                    return await self.press(button.payload)
        raise AssertionError(f"no button labelled like {label_part!r} was shown")

    @property
    def last(self) -> OutgoingMessage:
        assert self.replies, "the bot has not said anything"
        return self.replies[-1]


@pytest.fixture
def chat(dispatcher: Dispatcher) -> Chat:
    return Chat(dispatcher)


async def onboard(chat: Chat, *, name: str = "Sam", zone: str = "Denver", at: str = "8pm") -> None:
    """Walk a person through onboarding with ordinary answers."""
    await chat.command("start")
    await chat.press("ob:consent:yes")
    await chat.say(name)
    await chat.say(zone)
    await chat.press("ob:zone:yes")
    await chat.say(at)
