"""The crisis corpus keeps its discipline: valid rows, and no training line that is a near
duplicate of a line in the frozen test split (which nothing may be tuned on)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

CORPUS = Path(__file__).resolve().parent / "data" / "crisis_corpus"


def checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("split_check", CORPUS / "build_test_split.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def corpus_files(split: str) -> list[tuple[str, Path]]:
    """Every file of ``split`` with its language: the name up to the first '-' (``es.tsv`` and
    a later sitting's ``es-2.tsv`` are both Spanish), as ``bench/train_crisis_head.py`` reads it."""
    return [(path.stem.split("-", 1)[0], path) for path in sorted((CORPUS / split).glob("*.tsv"))]


def test_every_row_of_both_splits_is_well_formed() -> None:
    check = checker()
    for split in ("train", "test"):
        files = corpus_files(split)
        assert {lang for lang, _ in files} == {"en", "es"}, split
        per_language: dict[str, int] = {}
        for lang, path in files:
            rows = check.read_tsv(path)
            assert rows, path.name
            per_language[lang] = per_language.get(lang, 0) + len(rows)
            for label, category, text, line in rows:
                where = (split, path.name, line)
                assert category in check.POS | check.NEG, where
                if category in check.NEG or category in check.CRISIS_CATS:
                    assert check.label_ok(category, label), where
                else:  # a positive line may be crisis when it says so outright (train split)
                    assert label in ("crisis", "possible"), where
                    assert split == "train" or check.label_ok(category, label), where
                assert text.strip() == text and "\t" not in text, where
        assert all(count > 400 for count in per_language.values()), (split, per_language)


def test_no_training_line_is_a_near_duplicate_of_a_test_line() -> None:
    check = checker()
    test: dict[str, set[str]] = {}
    for _, path in corpus_files("test"):
        for _, _, text, _ in check.read_tsv(path):
            key = check.norm(text)
            test[key] = set(key.split())
    by_token: dict[str, list[str]] = {}
    for key, tokens in test.items():
        for token in tokens:
            by_token.setdefault(token, []).append(key)
    close: list[str] = []
    for _, path in corpus_files("train"):
        for _, _, text, line in check.read_tsv(path):
            key = check.norm(text)
            tokens = set(key.split())
            candidates = {k for token in tokens for k in by_token.get(token, ())}
            for other in candidates:
                shared = len(tokens & test[other]) / len(tokens | test[other])
                if key == other or shared >= 0.8:
                    close.append(f"train/{path.name}:{line}")
                    break
    assert close == []
