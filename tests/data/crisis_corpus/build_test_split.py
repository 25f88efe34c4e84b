#!/usr/bin/env python3
"""Assemble, validate, dedupe and count the frozen test split.

Source: hand-written lines grouped under '## <category> <label>' headers.
Usage: build_test_split.py SRC_EN SRC_ES   (writes test/en.tsv, test/es.tsv)
       build_test_split.py --check         (validates the committed TSVs only)
       build_test_split.py --cross FILE.tsv...  (near-duplicates between this split and
                                   other TSVs with a 'text' column, e.g. the training split;
                                   for whoever merges the splits: the test writer never ran it)
No line is generated here; the script only assembles, checks and counts.
"""

import csv
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
POS = {
    "explicit_intent",
    "plan_imminence",
    "method_mention",
    "goodbye_final_arrangements",
    "passive_death_wish",
    "burden_worthlessness",
    "no_future",
    "passive_risk",
    "self_harm",
    "overdose_symptoms",
    "abuse_violence",
    "minor_disclosure",
    "slang_typos",
}
NEG = {
    "neg_negation",
    "neg_third_person",
    "neg_past",
    "neg_idiom",
    "neg_joke",
    "neg_media_news",
    "neg_schoolwork_training",
    "neg_recovery_talk",
    "neg_others_overdose_over",
    "neg_everyday",
}
CRISIS_CATS = {"explicit_intent", "plan_imminence", "method_mention"}
MIN_POS = {"en": 40, "es": 15}


Row = tuple[str, str, str, int]
"""label, category, text, line number"""


def norm(t: str) -> str:
    t = unicodedata.normalize("NFKD", t.lower())
    t = "".join(c for c in t if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", t)).strip()


def label_ok(cat: str, label: str) -> bool:
    if cat in NEG:
        return label == "none"
    if cat in CRISIS_CATS:
        return label == "crisis"
    if cat == "slang_typos":
        return label in ("crisis", "possible")
    return label == "possible"


def parse_src(path: str) -> list[Row]:
    rows: list[Row] = []
    cat, label = "", ""
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#!"):
            continue
        if s.startswith("## "):
            cat, label = s[3:].split()
            continue
        rows.append((label, cat, s, n))
    return rows


def check(rows: list[Row], lang: str) -> tuple[list[str], Counter[tuple[str, str]], int, int]:
    errs: list[str] = []
    seen: dict[str, int] = {}
    toks: list[tuple[set[str], int, str]] = []
    for label, cat, text, n in rows:
        if cat not in POS | NEG:
            errs.append(f"{lang}:{n} unknown category {cat}")
        if not label_ok(cat, label):
            errs.append(f"{lang}:{n} label {label} not allowed for {cat}")
        if "\t" in text:
            errs.append(f"{lang}:{n} tab in text")
        w = len(text.split())
        if not 3 <= w <= 40:
            errs.append(f"{lang}:{n} {w} words: {text}")
        k = norm(text)
        if k in seen:
            errs.append(f"{lang}:{n} exact dup of line {seen[k]}: {text}")
        seen[k] = n
        toks.append((set(k.split()), n, text))
    for i in range(len(toks)):
        a = toks[i][0]
        for j in range(i + 1, len(toks)):
            b = toks[j][0]
            if not a or not b:
                continue
            if len(a & b) / len(a | b) >= 0.8:
                errs.append(
                    f"{lang}: near-dup {toks[i][1]}~{toks[j][1]}: {toks[i][2]} | {toks[j][2]}"
                )
    c = Counter((r[1], r[0]) for r in rows)
    cats = Counter(r[1] for r in rows)
    for p in POS:
        if cats[p] < MIN_POS[lang]:
            errs.append(f"{lang}: {p} has {cats[p]} < {MIN_POS[lang]}")
    npos = sum(v for k, v in cats.items() if k in POS)
    nneg = sum(v for k, v in cats.items() if k in NEG)
    if nneg < npos:
        errs.append(f"{lang}: negatives {nneg} < positives {npos}")
    return errs, c, npos, nneg


def report(lang: str, rows: list[Row]) -> bool:
    errs, c, npos, nneg = check(rows, lang)
    labels = Counter(r[0] for r in rows)
    print(
        f"== {lang}: {len(rows)} lines; positives {npos}, negatives {nneg}; labels {dict(labels)}"
    )
    for (cat, label), v in sorted(c.items()):
        print(f"   {cat:28s} {label:9s} {v}")
    for e in errs:
        print("ERR", e)
    return not errs


def read_tsv(path: Path) -> list[Row]:
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        head = next(r)
        assert head == ["label", "category", "text"], head
        return [(a, b, c, i) for i, (a, b, c) in enumerate(r, 2)]


def main() -> None:
    out = HERE / "test"
    if sys.argv[1:2] == ["--cross"]:
        test = [
            (set(norm(r[2]).split()), norm(r[2]), r[2])
            for lang in ("en", "es")
            for r in read_tsv(out / f"{lang}.tsv")
        ]
        hits = 0
        for path in sys.argv[2:]:
            with open(path, encoding="utf-8", newline="") as f:
                rd = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
                for n, row in enumerate(rd, 2):
                    k = norm(row["text"])
                    a = set(k.split())
                    for b, kb, tb in test:
                        if a and b and (k == kb or len(a & b) / len(a | b) >= 0.8):
                            hits += 1
                            print(f"{path}:{n} ~ test: {tb}")
        print(f"{hits} near-duplicates across splits")
        sys.exit(1 if hits else 0)
    if sys.argv[1:] == ["--check"]:
        ok = all([report(lang, read_tsv(out / f"{lang}.tsv")) for lang in ("en", "es")])
        sys.exit(0 if ok else 1)
    ok = True
    for lang, src in zip(("en", "es"), sys.argv[1:3], strict=False):
        rows = parse_src(src)
        ok &= report(lang, rows)
        with open(out / f"{lang}.tsv", "w", encoding="utf-8", newline="") as f:
            f.write("label\tcategory\ttext\n")
            rank = {"crisis": 0, "possible": 1, "none": 2}
            for label, cat, text, _ in sorted(rows, key=lambda r: (rank[r[0]], r[1])):
                f.write(f"{label}\t{cat}\t{text}\n")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
