"""A learned verdict that misses the person's turn still counts.

On a busy machine the crisis model can take longer than a turn waits for it (a burst of long
messages, another program on the cores). The turn then goes on with the phrase screen's verdict,
and the model's verdict, when it comes, gets what it would have got in time: the crisis reply
and an alert, or the safety question, in the same chat. A late verdict is bounded: past
``late_seconds`` the message is dropped from the model's queue unread. The model's workers run
below the event loop's CPU priority, so people's turns are not held up behind them.
"""

from __future__ import annotations

import asyncio
import os
import threading
from dataclasses import replace

import pytest

from handlers.app import SAFETY
from handlers.context import Context
from handlers.crisis import model
from handlers.crisis.model import WORKER_NICENESS, ModelStage
from handlers.dispatcher import Dispatcher
from handlers.messaging import DeliveryError, DeliveryFailure, IncomingEvent
from handlers.screening import (
    NOT_CRISIS,
    CrisisAssessment,
    Late,
    Level,
    SecondStage,
    Told,
)
from handlers.texts import common
from tests.support import Chat, RecordingMessenger
from tests.test_crisis_model import GatedEmbedder, slow_embedder

CALM = "today was long and the bus was late again, I am tired"
"""No phrase in any list: the turn is answered as an ordinary one."""
MODEL_CRISIS = CrisisAssessment(Level.CRISIS, category="model", matched="model")
MODEL_POSSIBLE = CrisisAssessment(Level.POSSIBLE, category="model", matched="model")


def late_second(verdict: CrisisAssessment | None, ready: asyncio.Event) -> SecondStage:
    """A second stage that always misses the turn and gives ``verdict`` once ``ready`` is set."""

    async def wait() -> CrisisAssessment | None:
        await ready.wait()
        return verdict

    async def second(text: str) -> CrisisAssessment | Late | None:
        return Late(wait)

    return second


class Alerts:
    """A stand-in for the mentor chain that records which events raised an alert."""

    def __init__(self) -> None:
        self.events: list[str | None] = []

    async def __call__(
        self, ctx: Context, event: IncomingEvent, assessment: CrisisAssessment
    ) -> Told:
        self.events.append(event.event_id)
        return Told.MENTOR


# --- the model stage -----------------------------------------------------------------------


async def test_a_verdict_that_misses_the_turn_follows_when_it_is_ready() -> None:
    finished = threading.Event()
    stage = ModelStage(timeout=0.1, make_embedder=lambda: slow_embedder(0.6, finished))
    await model.load(stage)
    try:
        answer = await stage.assess(CALM)
        assert isinstance(answer, Late)
        assert not finished.is_set()  # the turn went on while the model was still working
        verdict = await asyncio.wait_for(answer.wait(), timeout=30)
        assert finished.is_set()
        expected = (await asyncio.to_thread(stage.levels, [CALM]))[0]
    finally:
        stage.stop()
    assert verdict is not None and verdict.level is expected


async def test_a_late_verdict_past_its_bound_is_dropped_unread(
    caplog: pytest.LogCaptureFixture,
) -> None:
    embedder = GatedEmbedder()
    stage = ModelStage(timeout=0.05, late_seconds=0.2, make_embedder=embedder, workers=1)
    await model.load(stage)
    second_message = "a second message that waits behind the first one"
    try:
        first = asyncio.create_task(stage.assess("the first message holds the only worker now"))
        assert await asyncio.to_thread(embedder.reading.wait, 30)
        answer = await stage.assess(second_message)
        assert isinstance(answer, Late)
        assert await asyncio.wait_for(answer.wait(), timeout=10) is None  # gave up after 0.2 s
        embedder.gate.set()  # the worker comes back to an empty queue
        await asyncio.wait_for(first, timeout=10)
        await asyncio.sleep(0.1)
    finally:
        stage.stop()
    assert "gave up" in caplog.text
    assert all(second_message not in batch for batch in embedder.batches)  # never read
    assert len(embedder.batches) == 1


async def test_the_model_workers_run_below_the_event_loops_priority() -> None:
    seen: list[int] = []
    here = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def embedder() -> model.Embed:
        gated = GatedEmbedder()
        gated.gate.set()
        embed = gated()

        def recording(texts: list[str]) -> model.Vectors:
            seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
            return embed(texts)

        return recording

    stage = ModelStage(make_embedder=embedder, workers=1)
    await model.load(stage)
    try:
        assert await stage.assess("a message long enough for the model to read it") is not None
    finally:
        stage.stop()
    assert seen[0] == here  # the warm-up, on the loading thread
    assert seen[-1] == min(here + WORKER_NICENESS, 19)  # the worker's own call


# --- the dispatcher --------------------------------------------------------------------------


async def test_a_late_crisis_verdict_gets_the_crisis_reply_and_an_alert(
    ctx: Context, messenger: RecordingMessenger
) -> None:
    ready, alerts = asyncio.Event(), Alerts()
    dispatcher = Dispatcher(
        ctx, replace(SAFETY, second=late_second(MODEL_CRISIS, ready), alert=alerts)
    )
    chat = Chat(dispatcher)
    replies = await chat.say(CALM)
    assert [reply.text for reply in replies] == [common.NOT_STARTED]  # the turn, on time
    assert messenger.sent == [] and alerts.events == []
    ready.set()
    assert await dispatcher.finish_follow_ups(within=10) == 0
    assert alerts.events == ["evt-1"]
    [(ref, message)] = messenger.sent
    assert ref == chat.ref and "988" in message.text


async def test_a_late_possible_verdict_gets_the_safety_question(
    ctx: Context, messenger: RecordingMessenger
) -> None:
    ready, alerts = asyncio.Event(), Alerts()
    dispatcher = Dispatcher(
        ctx, replace(SAFETY, second=late_second(MODEL_POSSIBLE, ready), alert=alerts)
    )
    chat = Chat(dispatcher)
    await chat.say(CALM)
    ready.set()
    await dispatcher.finish_follow_ups(within=10)
    [(ref, message)] = messenger.sent
    assert ref == chat.ref
    assert {button.payload for button in message.buttons} == {"sq:yes", "sq:no", "sq:quiet"}
    assert alerts.events == []  # asking is not alerting; the answer (or silence) decides


@pytest.mark.parametrize("verdict", [NOT_CRISIS, None])
async def test_a_late_calm_or_missing_verdict_sends_nothing_more(
    ctx: Context, messenger: RecordingMessenger, verdict: CrisisAssessment | None
) -> None:
    ready = asyncio.Event()
    dispatcher = Dispatcher(ctx, replace(SAFETY, second=late_second(verdict, ready)))
    await Chat(dispatcher).say(CALM)
    ready.set()
    assert await dispatcher.finish_follow_ups(within=10) == 0
    assert messenger.sent == []


async def test_a_late_crisis_raises_a_question_already_asked_to_the_crisis_reply(
    ctx: Context, messenger: RecordingMessenger
) -> None:
    ready, alerts = asyncio.Event(), Alerts()
    phrase_possible = CrisisAssessment(Level.POSSIBLE, category="test", matched="test")
    dispatcher = Dispatcher(
        ctx,
        replace(
            SAFETY,
            assess=lambda text: phrase_possible,
            second=late_second(MODEL_CRISIS, ready),
            alert=alerts,
        ),
    )
    replies = await Chat(dispatcher).say(CALM)
    assert {b.payload for b in replies[0].buttons} == {"sq:yes", "sq:no", "sq:quiet"}
    ready.set()
    await dispatcher.finish_follow_ups(within=10)
    [(_, message)] = messenger.sent
    assert "988" in message.text and alerts.events == ["evt-1"]


async def test_a_late_possible_after_a_question_already_asked_is_not_asked_again(
    ctx: Context, messenger: RecordingMessenger
) -> None:
    ready = asyncio.Event()
    phrase_possible = CrisisAssessment(Level.POSSIBLE, category="test", matched="test")
    dispatcher = Dispatcher(
        ctx,
        replace(
            SAFETY, assess=lambda text: phrase_possible, second=late_second(MODEL_POSSIBLE, ready)
        ),
    )
    await Chat(dispatcher).say(CALM)
    ready.set()
    await dispatcher.finish_follow_ups(within=10)
    assert messenger.sent == []


async def test_a_late_verdict_whose_send_fails_is_retried(
    ctx: Context, messenger: RecordingMessenger
) -> None:
    ready = asyncio.Event()
    dispatcher = Dispatcher(
        ctx, replace(SAFETY, second=late_second(MODEL_CRISIS, ready), alert=Alerts())
    )
    messenger.failures.append(DeliveryError(DeliveryFailure.NETWORK))
    await Chat(dispatcher).say(CALM)
    ready.set()
    await dispatcher.finish_follow_ups(within=10)
    assert len(messenger.sent) == 1 and "988" in messenger.sent[0][1].text


async def test_shutdown_waits_a_bounded_time_for_late_verdicts(
    ctx: Context, messenger: RecordingMessenger, caplog: pytest.LogCaptureFixture
) -> None:
    never = asyncio.Event()
    dispatcher = Dispatcher(ctx, replace(SAFETY, second=late_second(MODEL_CRISIS, never)))
    await Chat(dispatcher).say(CALM)
    assert await dispatcher.finish_follow_ups(within=0.05) == 1
    assert "not followed up" in caplog.text
    assert messenger.sent == []
