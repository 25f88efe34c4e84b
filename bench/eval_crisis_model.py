"""Measure the crisis screen on the FROZEN test split, once, at the end.

Run from the repository root::

    python bench/eval_crisis_model.py [--split test]

For every language and category of ``tests/data/crisis_corpus/<split>/`` it prints what the
screen does, as the bot runs it: the phrase screen in every locale, then the learned stage
(``handlers/crisis/model.py``), combined by ``handlers.screening.combine``; and, for
comparison, each stage alone. The figure that counts per category:

* ``crisis``-labelled categories (explicit intent, plan, method): recall at level ``crisis``;
* every other positive category: flagged (``possible`` or ``crisis``);
* hard negatives (``neg_*``): flagged, i.e. false alarms.

Do not tune anything on what this prints for the test split (see its data card); use
``--split train`` for a look at the training split instead.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from train_crisis_head import Row, read_split  # noqa: E402

from handlers.crisis.model import CLASSES, ModelStage  # noqa: E402
from handlers.crisis.screen import assess_every_locale  # noqa: E402
from handlers.screening import CrisisAssessment, Level, combine  # noqa: E402


def good(row: Row, level: Level) -> bool:
    """Whether ``level`` is the right answer for ``row`` (see the module docstring)."""
    if row.label == "crisis":
        return level is Level.CRISIS
    if row.label == "possible":
        return level is not Level.NONE
    return level is Level.NONE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=["test", "train"])
    args = parser.parse_args()
    rows, files = read_split(args.split)
    print(f"{args.split} split: {len(rows)} rows from {[f.name for f in files]}")

    stage = ModelStage()
    stage.load()
    model_levels: list[Level] = []
    for start in range(0, len(rows), 64):
        model_levels += stage.levels([row.text for row in rows[start : start + 64]])
    stage.stop()

    results: dict[tuple[str, str, str], list[tuple[bool, bool, bool]]] = defaultdict(list)
    for row, model_level in zip(rows, model_levels, strict=True):
        phrase = assess_every_locale(row.text)
        verdict = CrisisAssessment(model_level, "model", "model")
        both = combine(phrase, verdict).level
        results[(row.language, row.label, row.category)].append(
            (good(row, both), good(row, phrase.level), good(row, model_level))
        )

    measure = {"crisis": "at crisis", "possible": "flagged", "none": "flagged (false)"}
    head = f"{'':3}{'category':28}{'label':9}{'n':>5}  {'measure':16}"
    print(f"{head}{'both':>7}{'phrase':>8}{'model':>7}")
    totals: dict[tuple[str, str], list[tuple[bool, bool, bool]]] = defaultdict(list)
    for (language, label, category), found in sorted(
        results.items(),
        key=lambda item: (item[0][0], -CLASSES.index(Level(item[0][1])), item[0][2]),
    ):
        totals[(language, label)] += found
        print(line(language, category, label, found, measure[label]))
    print("--- totals")
    for (language, label), found in sorted(totals.items()):
        print(line(language, "all " + label, label, found, measure[label]))


def line(language: str, category: str, label: str, found: list[tuple[bool, ...]], what: str) -> str:
    n = len(found)

    def rate(column: int) -> str:
        right = sum(row[column] for row in found)
        value = right / n if label != "none" else 1 - right / n
        return f"{value:7.1%}"

    return f"{language:3}{category:28}{label:9}{n:5}  {what:16}{rate(0)}{rate(1):>8}{rate(2):>7}"


if __name__ == "__main__":
    main()
