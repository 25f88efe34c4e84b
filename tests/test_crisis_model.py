"""The crisis screen's learned stage: loaded before the first message, never in the way.

The phrase screen is the first net and its verdict must stand whatever happens to the model:
not loaded, stopped, failing or too slow, a crisis still gets the crisis reply and everything
else its ordinary answer. The head file must have been built from the training data in the
repository (its recorded hash), and a Spanish message from a person who set English still
reaches the resources.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.config import load_config
from bot.runner import PlatformAdapter, run
from handlers.app import SAFETY
from handlers.context import Context
from handlers.crisis import assess, model
from handlers.crisis.model import (
    HEAD_FILE,
    WINDOW_WORDS,
    Embed,
    Head,
    ModelStage,
    Vectors,
    corpus_hash,
    load_embedder,
    windows,
)
from handlers.dispatcher import Dispatcher
from handlers.screening import NOT_CRISIS, CrisisAssessment, Level, SafetyNet, combine, screen
from tests.support import Chat

DATA = Path(__file__).parent / "data"
CORPUS_TRAIN = DATA / "crisis_corpus" / "train"
CRISIS_TEXT = "I want to kill myself tonight"
SPANISH_CRISIS = "ya no aguanto más, esta noche me voy a quitar la vida con las pastillas"


def training_files() -> list[Path]:
    """What ``bench/train_crisis_head.py`` trains on: the corpus's training split, or the old
    labelled set until the corpus exists."""
    if CORPUS_TRAIN.is_dir():
        return sorted(CORPUS_TRAIN.glob("*.tsv"))
    return [DATA / "crisis_phrases.tsv"]


def test_the_head_was_built_from_the_training_data_in_the_repository() -> None:
    head = Head.read(HEAD_FILE)
    assert head.data_hash == corpus_hash(training_files(), DATA), (
        "handlers/crisis/crisis_head.npz is stale: run `python bench/train_crisis_head.py`"
    )
    assert head.weights.shape == (384, 3)
    assert 0 < head.crisis_threshold < 1 and 0 < head.possible_threshold < 1


def test_windows_cover_all_of_a_long_text_in_bounded_pieces() -> None:
    words = [f"w{i}" for i in range(1000)]
    pieces = windows(" ".join(words))
    assert all(len(piece.split()) <= WINDOW_WORDS for piece in pieces)
    assert {word for piece in pieces for word in piece.split()} == set(words)
    assert windows("short one") == ["short one"]
    blob = windows("x" * 10_000)  # no spaces at all is still windowed, not one giant input
    assert sum(len(piece.replace(" ", "")) for piece in blob) >= 10_000
    assert all(len(piece) <= WINDOW_WORDS * 61 for piece in blob)


def test_the_phrase_crisis_always_stands() -> None:
    phrase = assess(CRISIS_TEXT)
    assert phrase.is_crisis
    model_none = CrisisAssessment(Level.NONE, None, None)
    model_possible = CrisisAssessment(Level.POSSIBLE, "model", "model")
    assert combine(phrase, model_none) is phrase
    assert combine(phrase, None) is phrase
    assert combine(NOT_CRISIS, model_possible) is model_possible
    assert combine(NOT_CRISIS, None) is NOT_CRISIS


def slow_embedder(seconds: float, finished: threading.Event | None = None) -> Embed:
    """An embedder that takes ``seconds`` over each message; sets ``finished`` when one is
    done, so a test can see whether the screen waited for it."""
    real = load_embedder()

    def embed(texts: list[str]) -> Vectors:
        if texts != ["warm up"]:
            time.sleep(seconds)
            if finished is not None:
                finished.set()
        return real(texts)

    return embed


def failing_embedder() -> Embed:
    def embed(texts: list[str]) -> Vectors:
        if texts == ["warm up"]:
            return np.zeros((1, 384), np.float32)
        raise RuntimeError("the engine fell over")

    return embed


def dispatcher_with(ctx: Context, stage: ModelStage) -> Dispatcher:
    net: SafetyNet = replace(SAFETY, second=stage.assess)
    return Dispatcher(ctx, net)


async def check_phrase_verdict_and_replies_stand(ctx: Context, stage: ModelStage) -> None:
    chat = Chat(dispatcher_with(ctx, stage))
    replies = await chat.say(CRISIS_TEXT)
    assert replies and "988" in replies[0].text  # the crisis reply, from the phrase screen
    replies = await chat.say("/start")
    assert replies and "988" not in replies[0].text  # an ordinary turn still answers
    replies = await chat.say("I had a good day at the meeting")
    assert replies and "988" not in replies[-1].text


async def test_a_timed_out_model_leaves_the_phrase_verdict_and_the_reply(
    ctx: Context, caplog: pytest.LogCaptureFixture
) -> None:
    finished = threading.Event()
    stage = ModelStage(timeout=0.2, make_embedder=lambda: slow_embedder(1.0, finished))
    await model.load(stage)
    try:
        assert await stage.assess("I had a good day") is None
        assert not finished.is_set()  # the turn went on while the model was still working
        with caplog.at_level(logging.ERROR):
            await check_phrase_verdict_and_replies_stand(ctx, stage)
    finally:
        stage.stop()
    assert "timed out" in caplog.text
    assert "good day" not in caplog.text and "kill" not in caplog.text  # never the text


async def test_a_stopped_model_leaves_the_phrase_verdict_and_the_reply(
    ctx: Context, caplog: pytest.LogCaptureFixture
) -> None:
    stage = ModelStage()
    await model.load(stage)
    assert stage.ready
    stage.stop()  # the worker thread is gone
    assert not stage.ready
    with caplog.at_level(logging.WARNING):
        assert await stage.assess("anything") is None
        await check_phrase_verdict_and_replies_stand(ctx, stage)
    assert "unavailable" in caplog.text


async def test_a_failing_model_leaves_the_phrase_verdict_and_the_reply(
    ctx: Context, caplog: pytest.LogCaptureFixture
) -> None:
    stage = ModelStage(make_embedder=failing_embedder)
    await model.load(stage)
    try:
        with caplog.at_level(logging.ERROR):
            assert await stage.assess("I had a good day") is None
            await check_phrase_verdict_and_replies_stand(ctx, stage)
    finally:
        stage.stop()
    assert "RuntimeError" in caplog.text and "good day" not in caplog.text


async def test_a_model_that_cannot_load_is_logged_and_the_phrase_screen_runs_alone(
    tmp_path: Path, ctx: Context, caplog: pytest.LogCaptureFixture
) -> None:
    stage = ModelStage(head_path=tmp_path / "missing.npz")
    with caplog.at_level(logging.ERROR):
        assert await model.load(stage) is False
    assert "not loaded" in caplog.text
    await check_phrase_verdict_and_replies_stand(ctx, stage)


async def test_the_model_loads_off_the_event_loop() -> None:
    loaded_on: list[threading.Thread] = []

    def embedder() -> Embed:
        loaded_on.append(threading.current_thread())
        return failing_embedder()

    stage = ModelStage(make_embedder=embedder)
    assert await model.load(stage)
    stage.stop()
    assert loaded_on and loaded_on[0] is not threading.main_thread()


class RecordingAdapter:
    def __init__(self, events: list[str]) -> None:
        self.events = events
        self.started = asyncio.Event()

    async def start(self) -> None:
        self.events.append("adapter started")
        self.started.set()

    async def stop(self) -> None:
        pass


async def test_peerbot_run_loads_the_model_before_the_first_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []

    async def recording_load(stage: ModelStage = model.STAGE) -> bool:
        await asyncio.sleep(0.05)  # a slow load must still finish first
        events.append("model loaded")
        return True

    monkeypatch.setattr(model, "load", recording_load)
    config = load_config(None, env={"PEERBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"})
    stop = asyncio.Event()

    adapter = RecordingAdapter(events)

    def adapters(*_: object) -> list[PlatformAdapter]:
        events.append("adapters built")
        return [adapter]

    running = asyncio.create_task(run(config, stop=stop, make_adapters=adapters))
    try:
        await asyncio.wait_for(adapter.started.wait(), timeout=10)
    finally:
        stop.set()
        assert await asyncio.wait_for(running, timeout=10) == 0
    assert events == ["model loaded", "adapters built", "adapter started"]


def test_the_program_screens_with_the_loaded_model(crisis_model: ModelStage) -> None:
    assert crisis_model.ready  # loaded by the session fixture, as `peerbot run` does at start
    assert SAFETY.second == model.STAGE.assess


async def test_a_spanish_message_from_an_english_speaker_gets_the_resources(
    ctx: Context, crisis_model: ModelStage
) -> None:
    assert not assess(SPANISH_CRISIS, "en").is_crisis  # the English phrase list misses it
    verdict = await crisis_model.assess(SPANISH_CRISIS)
    assert verdict is not None and verdict.is_crisis  # the model flags it
    chat = Chat(dispatcher_with(ctx, crisis_model))  # the person never chose a language
    replies = await chat.say(SPANISH_CRISIS)
    assert replies and "988" in replies[0].text


async def test_long_texts_reach_the_model_in_bounded_chunks_and_the_phrase_crisis_stands(
    crisis_model: ModelStage,
) -> None:
    seen: list[int] = []

    async def second(text: str) -> CrisisAssessment | None:
        seen.append(len(text))
        return await crisis_model.assess(text)

    calm = "a calm sentence about my day at work. " * 300
    assert not (await screen(assess, calm, second)).is_crisis
    assert len(seen) >= 3 and max(seen) <= 4_000  # every chunk, none longer than 4,000
    found = await screen(assess, calm + CRISIS_TEXT, second)
    assert found.is_crisis and found.matched != "model"  # the phrase screen's, at the end
