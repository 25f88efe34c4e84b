"""Build the crisis model stage's head (``handlers/crisis/crisis_head.npz``) from the training
split.

Run from the repository root::

    python bench/train_crisis_head.py [--holdout 0.2] [--seed 7]

Reads only ``tests/data/crisis_corpus/train/*.tsv`` (header ``label<TAB>category<TAB>text``,
label ``none | possible | crisis``; a language may span several files, ``es.tsv``,
``es-2.tsv``..., named by the part before the first '-'); never the test split. Until that
corpus exists it falls back to ``tests/data/crisis_phrases.tsv`` (header
``label<TAB>text``, the label being a category), mapping categories to levels with
:data:`OLD_LEVELS`.

1. Holds out ``--holdout`` of the training split, stratified by language and category.
2. Trains a multinomial logistic regression (numpy, full-batch Adam, class-balanced, L2) on
   the rest, for each L2 strength in ``--l2``, and on the hold-out picks the thresholds: the
   highest P(crisis) threshold that keeps ``crisis``-labelled recall at ``crisis`` >=
   ``--crisis-recall``, raised if need be until no more than ``--max-false-crisis`` of the
   hold-out negatives are called a crisis (a model-only crisis sends the crisis reply and an
   urgent alert, so it must stay rare on ordinary messages), and the highest
   P(possible)+P(crisis) threshold that keeps every positive flagged >= ``--flag-recall``,
   raised likewise until no more than ``--max-false-flag`` of the negatives are flagged (a
   ``possible`` verdict interrupts whatever the person was doing with a direct question); the
   L2 strength whose thresholds flag the fewest hold-out negatives wins.
3. Refits on the whole training split with that strength, keeps the thresholds, and writes the
   head with the SHA-256 of the training files (``tests/test_crisis_model.py`` checks it).

Embeddings are cached in ``~/.cache/peerbot-crisis`` by content, so a re-run is quick.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from handlers.crisis.model import (  # noqa: E402
    CLASSES,
    HEAD_FILE,
    PIECE,
    Head,
    corpus_hash,
    load_embedder,
)

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


@dataclass(frozen=True)
class Row:
    language: str
    label: str
    category: str
    text: str


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
            rows.append(Row(language_of(path), label, category, text))
    return rows, files


def language_of(path: Path) -> str:
    """The language a corpus file holds: its name up to the first '-' (``es.tsv`` and
    ``es-2.tsv``, a later sitting, are both Spanish), so a language can span several files."""
    return path.stem.split("-", 1)[0]


def read_old() -> tuple[list[Row], list[Path]]:
    rows = []
    for line in OLD_FILE.read_text(encoding="utf-8").splitlines()[1:]:
        category, _, text = line.partition("\t")
        if text:
            rows.append(Row("en", OLD_LEVELS.get(category, "none"), category, text))
    return rows, [OLD_FILE]


def embed_all(texts: list[str]) -> np.ndarray:
    """Embeddings of ``texts`` as the stage embeds a one-window message (cached by content)."""
    joined = [" ".join(PIECE.findall(text)) for text in texts]
    key = hashlib.sha256("\n".join(joined).encode()).hexdigest()[:24]
    cached = CACHE / f"{key}.npy"
    if cached.exists():
        return np.load(cached)
    embed = load_embedder()
    out = np.concatenate([embed(joined[i : i + 64]) for i in range(0, len(joined), 64)])
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(cached, out)
    return out


def fit(x: np.ndarray, y: np.ndarray, l2: float, steps: int = 1500) -> Head:
    """Multinomial logistic regression, class-balanced, on standardised features; the scaling
    is folded into the returned weights so the head reads raw embeddings."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / std
    n, dim = z.shape
    onehot = np.eye(3)[y]
    counts = np.bincount(y, minlength=3).astype(float)
    weight = (n / (3 * np.maximum(counts, 1)))[y][:, None] / n
    w, b = np.zeros((dim, 3)), np.zeros(3)
    mw, vw, mb, vb = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    rate, beta1, beta2 = 0.05, 0.9, 0.999
    for step in range(1, steps + 1):
        logits = z @ w + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        error = (p - onehot) * weight
        gw = z.T @ error + l2 * w
        gb = error.sum(axis=0)
        mw = beta1 * mw + (1 - beta1) * gw
        vw = beta2 * vw + (1 - beta2) * gw * gw
        mb = beta1 * mb + (1 - beta1) * gb
        vb = beta2 * vb + (1 - beta2) * gb * gb
        correction = np.sqrt(1 - beta2**step) / (1 - beta1**step)
        w -= rate * correction * mw / (np.sqrt(vw) + 1e-8)
        b -= rate * correction * mb / (np.sqrt(vb) + 1e-8)
    weights = (w / std[:, None]).astype(np.float32)
    bias = (b - (mean / std) @ w).astype(np.float32)
    return Head(weights, bias, crisis_threshold=0.5, possible_threshold=0.5)


def highest_threshold(scores: np.ndarray, recall: float) -> float:
    """The highest threshold t with at least ``recall`` of ``scores`` >= t."""
    if len(scores) == 0:
        return 0.5
    ordered = np.sort(scores)[::-1]
    keep = max(1, int(np.ceil(recall * len(ordered))))
    return float(ordered[keep - 1])


def lowest_threshold(scores: np.ndarray, rate: float) -> float:
    """The lowest threshold t with at most ``rate`` of (negative) ``scores`` >= t."""
    ordered = np.sort(scores)[::-1]
    allowed = int(np.floor(rate * len(ordered)))
    return float(ordered[allowed]) + 1e-6 if allowed < len(ordered) else 0.0


def holdout_split(rows: list[Row], fraction: float, seed: int) -> tuple[list[int], list[int]]:
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        groups[(row.language, row.category)].append(index)
    rng = np.random.default_rng(seed)
    train, held = [], []
    for key in sorted(groups):
        members = list(rng.permutation(groups[key]))
        cut = round(len(members) * fraction)
        held += members[:cut]
        train += members[cut:]
    return sorted(train), sorted(held)


def report(rows: list[Row], levels: list[str], title: str) -> None:
    print(f"-- {title}")
    by: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for row, level in zip(rows, levels, strict=True):
        by[(row.language, row.label, row.category)][level] += 1
    for (language, label, category), counts in sorted(by.items()):
        total = sum(counts.values())
        flagged = total - counts["none"]
        print(
            f"  {language} {label:8} {category:28} n={total:4} "
            f"crisis={counts['crisis'] / total:6.1%} flagged={flagged / total:6.1%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holdout", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--l2", type=float, nargs="+", default=[0.01, 0.03, 0.1, 0.3])
    parser.add_argument("--crisis-recall", type=float, default=0.98)
    parser.add_argument("--flag-recall", type=float, default=0.90)
    parser.add_argument("--max-false-crisis", type=float, default=0.05)
    parser.add_argument("--max-false-flag", type=float, default=0.10)
    parser.add_argument("--out", type=Path, default=HEAD_FILE)
    args = parser.parse_args()

    if (CORPUS / "train").is_dir():
        rows, files = read_split("train")
    else:
        print(f"no {CORPUS / 'train'}: training on the old set {OLD_FILE.name}")
        rows, files = read_old()
    data_hash = corpus_hash(files, DATA)
    print(f"training rows: {len(rows)} from {[str(f.relative_to(DATA)) for f in files]}")
    print(f"  by label: {dict(Counter(r.label for r in rows))}")
    x = embed_all([row.text for row in rows])
    y = np.array([LEVELS.index(row.label) for row in rows])
    fit_at, held_at = holdout_split(rows, args.holdout, args.seed)
    held_rows = [rows[i] for i in held_at]
    best: tuple[float, float, float, float] | None = None
    for l2 in args.l2:
        head = fit(x[fit_at], y[fit_at], l2)
        p = head.probabilities(x[held_at])
        labels = y[held_at]
        t_crisis = max(
            highest_threshold(p[labels == 2, 2], args.crisis_recall),
            lowest_threshold(p[labels == 0, 2], args.max_false_crisis),
        )
        t_flag = max(
            highest_threshold(p[labels > 0, 1] + p[labels > 0, 2], args.flag_recall),
            lowest_threshold(p[labels == 0, 1] + p[labels == 0, 2], args.max_false_flag),
        )
        tuned = Head(head.weights, head.bias, t_crisis, t_flag)
        levels = [tuned.level(row).value for row in p]
        negatives = [level for level, label in zip(levels, labels, strict=True) if label == 0]
        false_flags = sum(level != "none" for level in negatives) / max(1, len(negatives))
        print(
            f"l2={l2:g}: hold-out thresholds crisis>={t_crisis:.3f} "
            f"flag>={t_flag:.3f}; negatives flagged {false_flags:.1%}"
        )
        if best is None or false_flags < best[0]:
            best = (false_flags, l2, t_crisis, t_flag)
            best_levels = levels
    assert best is not None
    _, l2, t_crisis, t_flag = best
    report(held_rows, best_levels, f"hold-out ({len(held_rows)} rows) at l2={l2:g}")
    final = fit(x, y, l2)
    head = Head(final.weights, final.bias, t_crisis, t_flag, data_hash=data_hash)
    files_list = ",".join(str(f.relative_to(DATA)) for f in files)
    head.save(args.out, about=f"files={files_list} l2={l2:g} seed={args.seed}")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes), data sha256 {data_hash[:16]}...")


if __name__ == "__main__":
    main()
