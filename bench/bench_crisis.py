"""Benchmark the crisis screen over the labelled set.

Run from the repository root::

    python bench/bench_crisis.py [--rounds N]

Prints ``crisis_assess_mean`` and ``crisis_assess_p99`` (microseconds per message), timings for
10,000-character messages, and per-category recall / false-alarm figures. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from handlers.crisis.screen import CATEGORIES, assess  # noqa: E402

PHRASES = ROOT / "tests" / "data" / "crisis_phrases.tsv"


def load() -> list[tuple[str, str]]:
    """(label, text) rows of the labelled set."""
    lines = PHRASES.read_text(encoding="utf-8").splitlines()[1:]
    return [(label, text) for label, _, text in (line.partition("\t") for line in lines) if text]


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``sorted_values`` fall (nearest rank)."""
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100, help="passes over the labelled set")
    args = parser.parse_args()

    rows = load()
    texts = [text for _, text in rows]
    for text in texts:  # compile the phrase file and warm caches
        assess(text)

    samples: list[float] = []
    clock = time.perf_counter_ns
    started = time.perf_counter()
    for _ in range(args.rounds):
        for text in texts:
            t0 = clock()
            assess(text)
            samples.append((clock() - t0) / 1000)
    wall = time.perf_counter() - started
    samples.sort()
    print(f"messages: {len(texts)} x {args.rounds} rounds ({wall:.2f} s wall)")
    print(f"crisis_assess_mean: {sum(samples) / len(samples):.1f} us/message")
    print(f"crisis_assess_p50: {percentile(samples, 0.50):.1f} us/message")
    print(f"crisis_assess_p99: {percentile(samples, 0.99):.1f} us/message")
    print(f"crisis_assess_max: {samples[-1]:.1f} us/message")

    filler = "had a long day at work and went to my meeting after, it was fine. "
    long_cases = {
        "benign": (filler * 160)[:10_000],
        "crisis_at_end": (filler * 160)[:9_980] + " i want to die",
        "many_negated": ("i'm not suicidal. " * 600)[:10_000],
        "many_hits": ("kill myself " * 900)[:10_000],
        "no_spaces": "a" * 10_000,
    }
    for name, text in long_cases.items():
        begun = time.perf_counter()
        for _ in range(5):
            assess(text)
        per_call = (time.perf_counter() - begun) / 5 * 1000
        print(f"crisis_assess_10k_{name}: {per_call:.2f} ms/message")

    fired: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for label, text in rows:
        total[label] += 1
        fired[label] += assess(text).is_crisis
    print(f"{'label':24} {'n':>4} {'fired':>6} {'rate':>7}")
    for label in sorted(total, key=lambda name: (name not in CATEGORIES, name)):
        kind = "recall" if label in CATEGORIES else "false alarms"
        rate = fired[label] / total[label]
        print(f"{label:24} {total[label]:4d} {fired[label]:6d} {rate:7.1%}  ({kind})")
    neg_total = sum(n for label, n in total.items() if label not in CATEGORIES)
    neg_fired = sum(n for label, n in fired.items() if label not in CATEGORIES)
    print(f"{'all negatives':24} {neg_total:4d} {neg_fired:6d} {neg_fired / neg_total:7.1%}")


if __name__ == "__main__":
    main()
