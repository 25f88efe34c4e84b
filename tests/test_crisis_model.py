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
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pytest

from bot.config import load_config
from bot.runner import PlatformAdapter, run
from handlers.app import SAFETY
from handlers.context import Context
from handlers.crisis import assess, model
from handlers.crisis.model import (
    BATCH_WORDS,
    HEAD_FILE,
    MAX_SENTENCE_WINDOWS,
    PIECE,
    WINDOW_WORDS,
    Embed,
    Head,
    ModelStage,
    Vectors,
    corpus_hash,
    load_embedder,
    reading,
    windows,
    word_windows,
)
from handlers.dispatcher import Dispatcher
from handlers.screening import (
    NOT_CRISIS,
    CrisisAssessment,
    Late,
    Level,
    SafetyNet,
    combine,
    screen,
)
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
    first = head.hidden_weights if head.hidden_weights is not None else head.weights
    assert first.shape[1] == 384 and head.weights.shape[-1] == 3
    assert 0 < head.crisis_threshold < 1 and 0 < head.possible_threshold < 1
    assert HEAD_FILE.stat().st_size < 1_000_000  # shipped in the repository


def training_lines(label: str, category: str, language: str = "en") -> list[str]:
    path = CORPUS_TRAIN / f"{language}.tsv"
    found = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        row_label, row_category, text = line.split("\t", 2)
        if (row_label, row_category) == (label, category):
            found.append(text)
    return found


# Lines of the training split (never the test split) that the head must get right: plain
# cases of each level, in both languages, long enough for the model to read.
CRISIS_LINES = [
    ("en", "explicit_intent", "im going to kill myself i mean it this time"),
    ("en", "explicit_intent", "i'm suicidal and i don't know who else to text"),
    ("es", "explicit_intent", "ya me cansé de vivir, me voy a matar"),
]
CALM_LINES = [
    ("en", "neg_everyday", "can you remind me to call my mentor tomorrow at 10"),
    ("en", "neg_everyday", "made spaghetti for the first time in years"),
    ("en", "neg_everyday", "just got off work, feeling pretty good"),
]


def test_the_head_gets_plain_training_lines_right(crisis_model: ModelStage) -> None:
    for language, category, text in CRISIS_LINES:
        assert text in training_lines("crisis", category, language)
    for language, category, text in CALM_LINES:
        assert text in training_lines("none", category, language)
    crisis = crisis_model.levels([text for *_, text in CRISIS_LINES])
    calm = crisis_model.levels([text for *_, text in CALM_LINES])
    assert crisis == [Level.CRISIS] * len(CRISIS_LINES)
    assert calm == [Level.NONE] * len(CALM_LINES)


def test_the_head_reads_both_forms_it_may_be_saved_in(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(5, 384)).astype(np.float32)
    logistic = Head(
        rng.normal(size=(1, 384, 3)).astype(np.float32), np.zeros((1, 3), np.float32), 0.6, 0.4
    )
    weights = rng.normal(size=(2, 16, 3)).astype(np.float32)
    bias = np.zeros((2, 3), np.float32)
    hidden_weights = rng.normal(size=(2, 384, 16)).astype(np.float32)
    hidden_bias = rng.normal(size=(2, 16)).astype(np.float32)
    mlp = Head(weights, bias, 0.6, 0.4, "", hidden_weights, hidden_bias, (0.8, 0.7))
    for head in (logistic, mlp):
        head.save(tmp_path / "head.npz")
        again = Head.read(tmp_path / "head.npz")
        assert again.kind == head.kind
        assert np.allclose(again.probabilities(vectors), head.probabilities(vectors), atol=2e-2)
        assert np.allclose(again.probabilities(vectors).sum(axis=1), 1, atol=1e-5)
    assert Head.read(tmp_path / "head.npz").alone_thresholds == pytest.approx((0.8, 0.7))
    # sentences read alone are held to their own, stricter bar
    row = np.array([0.1, 0.15, 0.75], np.float32)
    assert mlp.level(row) is Level.CRISIS and mlp.level(row, alone=True) is Level.POSSIBLE
    # the members' mean: a two-member head whose members agree answers what each answers
    twin = Head(
        weights[[0, 0]], bias[[0, 0]], 0.6, 0.4, "", hidden_weights[[0, 0]], hidden_bias[[0, 0]]
    )
    single = Head(weights[:1], bias[:1], 0.6, 0.4, "", hidden_weights[:1], hidden_bias[:1])
    assert np.allclose(twin.probabilities(vectors), single.probabilities(vectors), atol=1e-6)


def test_windows_cover_all_of_a_long_text_in_bounded_pieces() -> None:
    words = [f"w{i}" for i in range(1000)]
    pieces = windows(" ".join(words))
    assert all(len(piece.split()) <= WINDOW_WORDS for piece in pieces)
    assert {word for piece in pieces for word in piece.split()} == set(words)
    assert windows("short one") == ["short one"]
    blob = windows("x" * 10_000)  # no spaces at all is still windowed, not one giant input
    assert sum(len(piece.replace(" ", "")) for piece in blob) >= 10_000
    assert all(len(piece) <= WINDOW_WORDS * 61 for piece in blob)


def test_a_short_sentence_in_a_long_message_is_also_read_alone() -> None:
    calm = "we went to the meeting and then got tacos with everyone after. " * 6
    disclosure = "i am going to end it tonight, i have it all ready"
    text = calm + disclosure + ". " + calm
    pieces, base = windows(text), word_windows(PIECE.findall(text))
    assert pieces[: len(base)] == base  # all of the text, as before
    extra = pieces[len(base) :]
    assert disclosure in extra  # and the disclosure read alone, not diluted by its neighbours
    assert len(extra) == len(set(extra)) and not set(extra) & set(base)  # nothing read twice
    # sentences too short to read alone stay with their neighbours in the word windows
    assert "kms lol" not in windows("long day at the job again today. kms lol. " * 3)
    # bounded: a 4,000-character text of tiny sentences gets no more than the cap
    tiny = "ok so. yes we did. " * 220
    pieces, word_count = reading(tiny)
    assert word_count == len(word_windows(PIECE.findall(tiny)))
    assert 0 < len(pieces) - word_count <= MAX_SENTENCE_WINDOWS


def test_a_disclosure_inside_a_long_message_reaches_the_model(crisis_model: ModelStage) -> None:
    disclosure = "pienso en el suicidio todo el día"  # a training line the phrase lists miss
    assert disclosure in training_lines("crisis", "explicit_intent", "es")
    calm = ". ".join(text for *_, text in CALM_LINES) + ". "
    text = calm * 3 + disclosure + ". " + calm * 3
    assert len(PIECE.findall(text)) > WINDOW_WORDS
    assert not assess(text).flagged and not assess(text, "es").flagged
    pieces, word_count = reading(text)
    assert disclosure in pieces[word_count:]  # read alone, besides its word window
    assert crisis_model.levels([text]) == [Level.CRISIS]


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
        late = await stage.assess("I had a good day at the meeting")
        assert isinstance(late, Late)  # its verdict follows (tests/test_crisis_late.py)
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


@dataclass
class GatedEmbedder:
    """Records each call's texts; the first call waits at ``gate`` until the test opens it,
    so the test can queue more messages while the worker is busy."""

    gate: threading.Event = field(default_factory=threading.Event)
    reading: threading.Event = field(default_factory=threading.Event)
    entered: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    batches: list[list[str]] = field(default_factory=list)

    def __call__(self) -> Embed:
        def embed(texts: list[str]) -> Vectors:
            if texts != ["warm up"]:
                self.batches.append(list(texts))
                self.reading.set()
                self.entered.release()
                self.gate.wait(timeout=30)
            return np.zeros((len(texts), 384), np.float32)

        return embed


async def test_a_short_message_is_not_kept_waiting_behind_a_long_one() -> None:
    embedder = GatedEmbedder()
    stage = ModelStage(timeout=60, make_embedder=embedder, workers=1)
    await model.load(stage)
    long = " ".join(f"word{i}" for i in range(600))
    short = "a short one that came in just after the long one"
    try:
        held = asyncio.create_task(stage.assess("the first message of the morning, it waits"))
        assert await asyncio.to_thread(embedder.reading.wait, 30)  # the worker is on it
        later = [asyncio.create_task(stage.assess(text)) for text in (long, short)]
        await asyncio.sleep(0.05)  # both are queued behind the first
        embedder.gate.set()
        verdicts = await asyncio.gather(held, *later)
    finally:
        stage.stop()
    batches = embedder.batches
    assert all(verdict is not None for verdict in verdicts)
    assert batches[1][0] == short  # in the very next call, ahead of the long message's windows
    long_batches = [b for b in batches if any(w.startswith("word") for w in b)]
    assert len(long_batches) >= 3  # the long one was read over several bounded calls
    assert all(sum(len(w.split()) for w in b) <= BATCH_WORDS + WINDOW_WORDS for b in batches)
    assert {w for b in long_batches for w in b} - {short} == set(windows(long))  # all of it


async def test_two_workers_read_two_messages_at_once() -> None:
    embedder = GatedEmbedder()
    stage = ModelStage(timeout=60, make_embedder=embedder, workers=2)
    await model.load(stage)
    try:
        waiting = []
        for i in (1, 2):  # the second comes while the first worker is inside the embedder
            waiting.append(
                asyncio.create_task(stage.assess(f"message number {i} sent right about now"))
            )
            assert await asyncio.to_thread(embedder.entered.acquire, True, 30)
        # both are inside the embedder together, while the gate is shut
        embedder.gate.set()
        assert all(verdict is not None for verdict in await asyncio.gather(*waiting))
    finally:
        stage.stop()
    assert sorted(len(batch) for batch in embedder.batches) == [1, 1]


async def test_stopping_answers_waiting_messages_at_once() -> None:
    embedder = GatedEmbedder()
    stage = ModelStage(timeout=60, make_embedder=embedder, workers=1)
    await model.load(stage)
    waiting = [asyncio.create_task(stage.assess("the first message for the model today"))]
    assert await asyncio.to_thread(embedder.reading.wait, 30)  # the worker is on it
    waiting += [
        asyncio.create_task(stage.assess(f"message number {i} for the model")) for i in (1, 2)
    ]
    await asyncio.sleep(0.05)
    stopper = asyncio.create_task(asyncio.to_thread(stage.stop))
    await asyncio.sleep(0.05)
    embedder.gate.set()
    await stopper
    results = await asyncio.gather(*waiting)
    assert results[0] is not None  # the one being read was answered
    assert results[1:] == [None, None]  # the others got the phrase verdict, not a 60 s wait


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
    assert isinstance(verdict, CrisisAssessment) and verdict.is_crisis  # the model flags it
    chat = Chat(dispatcher_with(ctx, crisis_model))  # the person never chose a language
    replies = await chat.say(SPANISH_CRISIS)
    assert replies and "988" in replies[0].text


async def test_long_texts_reach_the_model_in_bounded_chunks_and_the_phrase_crisis_stands(
    crisis_model: ModelStage,
) -> None:
    seen: list[int] = []

    async def second(text: str) -> CrisisAssessment | Late | None:
        seen.append(len(text))
        return await crisis_model.assess(text)

    calm = "a calm sentence about my day at work. " * 300
    assert not (await screen(assess, calm, second)).is_crisis
    assert len(seen) >= 3 and max(seen) <= 4_000  # every chunk, none longer than 4,000
    found = await screen(assess, calm + CRISIS_TEXT, second)
    assert found.is_crisis and found.matched != "model"  # the phrase screen's, at the end
