"""The one reply path: in order per person, in parallel across people, delivered with retries
on the context's clock (no real sleeps), and a failure that stops the rest without raising."""

from __future__ import annotations

import asyncio

import pytest

from handlers.context import Replies
from handlers.dispatcher import Dispatcher
from handlers.messaging import (
    ConversationRef,
    DeliveryError,
    DeliveryFailure,
    IncomingEvent,
    OutgoingMessage,
    Text,
)
from handlers.replies import ReplyPath
from tests.support import FakeClock, RecordingMessenger


def said(user: str, text: str, n: int = 1) -> IncomingEvent:
    ref = ConversationRef("test", f"chat-{user}", user)
    return IncomingEvent(ref, Text(text), event_id=f"{user}-{n}")


class Gated:
    """A dispatcher's ``handle`` that holds each event until the test lets it go."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}

    def gate(self, event_id: str) -> asyncio.Event:
        return self.gates.setdefault(event_id, asyncio.Event())

    async def handle(self, event: IncomingEvent) -> Replies:
        self.started.append(event.event_id)
        await self.gate(event.event_id).wait()
        return [OutgoingMessage(f"answer to {event.event_id}")]


@pytest.fixture
def gated(dispatcher: Dispatcher, monkeypatch: pytest.MonkeyPatch) -> Gated:
    fake = Gated()
    monkeypatch.setattr(dispatcher, "handle", fake.handle)
    return fake


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_one_persons_events_are_answered_in_order_one_at_a_time(
    dispatcher: Dispatcher, gated: Gated, messenger: RecordingMessenger
) -> None:
    path = ReplyPath(dispatcher)
    first = asyncio.create_task(path.answer(said("1001", "one", 1)))
    second = asyncio.create_task(path.answer(said("1001", "two", 2)))
    await settle()
    assert gated.started == ["1001-1"]  # the second waits for the first
    gated.gate("1001-2").set()  # letting the second go first changes nothing
    await settle()
    assert gated.started == ["1001-1"]
    gated.gate("1001-1").set()
    await asyncio.gather(first, second)
    assert [m.text for _, m in messenger.sent] == ["answer to 1001-1", "answer to 1001-2"]


async def test_different_people_are_answered_in_parallel(
    dispatcher: Dispatcher, gated: Gated, messenger: RecordingMessenger
) -> None:
    path = ReplyPath(dispatcher)
    slow = asyncio.create_task(path.answer(said("1001", "slow")))
    quick = asyncio.create_task(path.answer(said("2002", "quick")))
    await settle()
    assert sorted(gated.started) == ["1001-1", "2002-1"]
    gated.gate("2002-1").set()
    await quick
    assert [m.text for _, m in messenger.sent] == ["answer to 2002-1"]  # not held up
    gated.gate("1001-1").set()
    await slow


async def test_the_same_user_id_on_two_platforms_is_two_people(dispatcher: Dispatcher) -> None:
    path = ReplyPath(dispatcher)
    assert path.local_turn("telegram", "5") is not path.local_turn("discord", "5")
    assert path.local_turn("telegram", "5") is path.local_turn("telegram", "5")


async def test_a_transient_failure_is_retried_on_the_contexts_clock(
    dispatcher: Dispatcher, messenger: RecordingMessenger, clock: FakeClock
) -> None:
    messenger.failures = [
        DeliveryError(DeliveryFailure.NETWORK),
        DeliveryError(DeliveryFailure.RATE_LIMITED, retry_after=7.0),
    ]
    delivery = await ReplyPath(dispatcher).answer(said("1001", "/nothing"))
    assert delivery.complete and delivery.delivered == 1
    assert len(messenger.sent) == 1
    assert clock.slept == [1.0, 7.0]  # backoff, then what the platform asked for


async def test_a_permanent_failure_is_not_retried_and_stops_the_rest(
    dispatcher: Dispatcher,
    gated: Gated,
    messenger: RecordingMessenger,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def two_replies(event: IncomingEvent) -> Replies:
        return [OutgoingMessage("a secret sentence"), OutgoingMessage("second")]

    monkeypatch.setattr(dispatcher, "handle", two_replies)
    messenger.failures = [DeliveryError(DeliveryFailure.BLOCKED, permanent=True)]
    delivery = await ReplyPath(dispatcher).answer(said("1001", "hi", 9))
    assert not delivery.complete and delivery.delivered == 0
    assert delivery.failure is not None and delivery.failure.failure is DeliveryFailure.BLOCKED
    assert messenger.sent == [] and clock.slept == []
    assert "reply to 1001-9 not delivered: blocked" in caplog.text
    assert "secret" not in caplog.text


async def test_an_adapters_own_send_is_used_and_a_broken_one_never_raises(
    dispatcher: Dispatcher, gated: Gated, messenger: RecordingMessenger
) -> None:
    gated.gate("1001-1").set()
    got: list[str] = []

    async def followup(reply: OutgoingMessage) -> None:
        got.append(reply.text)

    assert (await ReplyPath(dispatcher).answer(said("1001", "hi"), followup)).complete
    assert got == ["answer to 1001-1"] and messenger.sent == []

    async def broken(reply: OutgoingMessage) -> None:
        raise RuntimeError("not a DeliveryError")

    gated.gate("1001-2").set()
    delivery = await ReplyPath(dispatcher).answer(said("1001", "hi", 2), broken)
    assert delivery.failure is not None and delivery.failure.failure is DeliveryFailure.UNEXPECTED
