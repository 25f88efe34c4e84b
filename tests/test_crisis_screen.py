"""The crisis screen: labelled-set recall and false alarms, normalisation, robustness.

The labelled set is ``tests/data/crisis_phrases.tsv`` (``label<TAB>text``). Run with ``-s`` to
see the per-category table; it is also part of every failure message.
"""

from __future__ import annotations

import dataclasses
import functools
import string
import tomllib
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.crisis.screen import CATEGORIES, DATA_DIR, CrisisAssessment, assess, normalise
from handlers.screening import NOT_CRISIS, Level

PHRASES = Path(__file__).parent / "data" / "crisis_phrases.tsv"
NEGATIVE_KINDS = (
    "negative_negation",
    "negative_third_person",
    "negative_past",
    "negative_idiom",
    "negative_recovery_talk",
    "negative_other",
)
RECALL_FLOOR = {
    "explicit": 1.0,
    "indirect": 0.9,
    "overdose": 0.9,
    "self_harm": 0.9,
    "abuse": 0.9,
    "slang": 0.9,
}
MAX_FALSE_ALARMS = 0.10


@functools.cache
def labelled() -> tuple[tuple[str, str], ...]:
    """The labelled set as (label, text) rows, header skipped."""
    rows: list[tuple[str, str]] = []
    lines = PHRASES.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "label\ttext", "the TSV must start with its header"
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        label, sep, text = line.partition("\t")
        assert sep and text.strip(), f"line {number} is not label<TAB>text"
        rows.append((label, text))
    return tuple(rows)


@functools.cache
def entry_names() -> frozenset[str]:
    """Every phrase-list entry name in the English data file."""
    with (DATA_DIR / "en.toml").open("rb") as handle:
        data = tomllib.load(handle)
    return frozenset(name for table in data["categories"].values() for name in table)


@dataclasses.dataclass
class Figures:
    """How the screen did on one label of the labelled set."""

    total: int = 0
    fired: int = 0
    same_category: int = 0
    wrong: list[str] = dataclasses.field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.fired / self.total if self.total else 0.0


@functools.cache
def figures() -> dict[str, Figures]:
    """Per-label results, computed once for all the tests below."""
    result: dict[str, Figures] = {}
    for label, text in labelled():
        verdict = assess(text)
        row = result.setdefault(label, Figures())
        row.total += 1
        positive = label in CATEGORIES
        if verdict.is_crisis:
            row.fired += 1
            row.same_category += verdict.category == label
        if verdict.is_crisis != positive:
            row.wrong.append(f"{text!r} -> {verdict.category}/{verdict.matched}")
    return result


def negatives(kinds: Iterable[str]) -> tuple[int, int]:
    """(false alarms, messages) over the given negative kinds."""
    rows = [figures()[kind] for kind in kinds]
    return sum(row.fired for row in rows), sum(row.total for row in rows)


def table() -> str:
    """The per-category table shown by ``pytest -s`` and in failure messages."""
    lines = [f"{'label':24} {'n':>4} {'fired':>6} {'rate':>7} {'same cat':>9}"]
    for label in (*CATEGORIES, *NEGATIVE_KINDS):
        row = figures()[label]
        kind = "recall" if label in CATEGORIES else "false alarms"
        lines.append(
            f"{label:24} {row.total:4d} {row.fired:6d} {row.rate:7.1%} "
            f"{row.same_category:9d}  ({kind})"
        )
    alarms, total = negatives(NEGATIVE_KINDS)
    lines.append(f"{'all negatives':24} {total:4d} {alarms:6d} {alarms / total:7.1%}")
    return "\n".join(lines)


# --- the labelled set -----------------------------------------------------------------------


def test_labelled_set_is_large_varied_and_well_formed() -> None:
    rows = labelled()
    labels = [label for label, _ in rows]
    assert len(rows) >= 300
    assert set(labels) == set(CATEGORIES) | set(NEGATIVE_KINDS)
    for category in CATEGORIES:
        assert labels.count(category) >= 25, category
    for kind in NEGATIVE_KINDS:
        assert labels.count(kind) >= 20, kind
    texts = [text for _, text in rows]
    assert len(set(texts)) == len(texts), "duplicate messages in the labelled set"


def test_print_per_category_table() -> None:
    print("\n" + table())
    assert sum(row.total for row in figures().values()) == len(labelled())


@pytest.mark.parametrize("category", CATEGORIES)
def test_recall_per_category(category: str) -> None:
    row = figures()[category]
    missed = "\n".join(row.wrong)
    assert row.rate >= RECALL_FLOOR[category], f"{table()}\nmissed:\n{missed}"


def test_false_alarms_over_all_negatives() -> None:
    alarms, total = negatives(NEGATIVE_KINDS)
    wrong = "\n".join(w for kind in NEGATIVE_KINDS for w in figures()[kind].wrong)
    assert alarms / total <= MAX_FALSE_ALARMS, f"{table()}\nfalse alarms:\n{wrong}"


@pytest.mark.parametrize("kind", NEGATIVE_KINDS)
def test_false_alarms_per_negative_kind(kind: str) -> None:
    row = figures()[kind]
    wrong = "\n".join(row.wrong)
    assert row.rate <= MAX_FALSE_ALARMS, f"{table()}\nfalse alarms:\n{wrong}"


def test_hits_name_a_phrase_entry_never_the_message() -> None:
    names = entry_names()
    for label, text in labelled():
        verdict = assess(text)
        if verdict.is_crisis:
            assert verdict.matched in names, (text, verdict)
            assert verdict.category in CATEGORIES
        else:
            assert verdict == NOT_CRISIS, (label, text)


# --- behaviour the brief spells out ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I overdosed five years ago and I want to do it again tonight",
        "I overdosed five years ago. Tonight I want to do it again.",
        "i used to cut myself back in 2019 and i started again this week",
        "I'm not ok, I want to die",
        "im not okay i want to die",
        "not gonna lie i want to die",
        "i don't know if i want to live anymore",
        "my friend is overdosing",
        "my sponsor's brother died by suicide and now i want to die too",
        "i just... want to die",
        "I WANT TO DIIIIIE",
        "i want to kil myslef",
        "ｉ ｗａｎｔ ｔｏ ｄｉｅ",  # fullwidth, NFKC folds it
        "I’m going to end it all tonight",
    ],
)
def test_fires(text: str) -> None:
    assert assess(text).is_crisis, text


@pytest.mark.parametrize(
    "text",
    [
        "I'm not suicidal",
        "I don't want to die",
        "never would hurt myself",
        "my sponsor's brother wanted to die",
        "she said she wanted to kill herself",
        "five years ago I overdosed",
        "I used to cut myself back in 2019",
        "killing it at work",
        "dying to see my kids",
        "the suspense is killing me",
        "I could murder a pizza",
        "my feet are killing me",
        "dead tired",
        "craving is 8 today",
        "I relapsed yesterday",
        "used last night",
        "rough day but hanging on",
        "",
        "   \n\t ",
    ],
)
def test_does_not_fire(text: str) -> None:
    assert assess(text) == NOT_CRISIS, text


@pytest.mark.parametrize(
    "text",
    [
        "my uncle overdosed at christmas but the medics got there and he's fine now",
        "our neighbour od'd on tuesday, they brought her back and she's home",
        "a man in the car park overdosed, someone had naloxone and he survived",
        "my son's friend overdosed and was in icu, he's out of hospital now",
        "my cousin took too many pills last month, she's 30 days sober now",
    ],
)
def test_an_overdose_told_as_someone_elses_and_over_is_not_a_crisis(text: str) -> None:
    assert not assess(text).flagged


@pytest.mark.parametrize(
    "text",
    [
        # happening now, whoever it is
        "my uncle overdosed, he was fine an hour ago but now he isn't breathing",
        "my friend overdosed, she's not responding, what do i do",
        "my brother overdosed and we can't wake him. he survived one in march",
        # the good news only hoped for
        "my sister overdosed and i don't know if she's ok",
        "my dad overdosed, i hope he's going to be fine",
        # the writer's own
        "i overdosed last night, they brought me back and i'm home",
        "my overdose was on friday and i survived but i want to do it again",
    ],
)
def test_an_overdose_that_is_happening_hoped_over_or_the_writers_own_stays_a_crisis(
    text: str,
) -> None:
    assert assess(text).is_crisis


@pytest.mark.parametrize(
    "text",
    [
        "our seminar tomorrow is about suicide risk in older men, I have the reading done",
        "the volunteer training covered what an overdose looks like and how to use the spray",
        "writing my dissertation on self harm among young carers",
        "we practised a mock drill where the patient wasn't breathing",
        "the documentary last night followed a singer who overdosed twice",
        "that podcast episode about suicide in farming towns was so well made",
    ],
)
def test_a_crisis_word_studied_in_class_training_or_media_is_not_a_crisis(text: str) -> None:
    assert not assess(text).flagged


@pytest.mark.parametrize(
    "text",
    [
        "I failed the exam again and I want to kill myself",
        "after class I sat in the car and thought about suicide, I'm scared of myself",
        "we did cpr training last month and now my friend is overdosing right now",
        "that song came on the radio and now I want to kill myself",
        "the news is all bad and honestly suicide feels like my only way out",
    ],
)
def test_a_disclosure_next_to_coursework_stays_a_crisis(text: str) -> None:
    assert assess(text).is_crisis


def test_overdose_outranks_other_categories_in_one_message() -> None:
    verdict = assess("i want to die. i took all my pills")
    assert verdict.category == "overdose"
    assert verdict.matched == "took_all_the_pills"


@pytest.mark.parametrize("locale", ["xx", "en-GB", "EN_us", "", "fr"])
def test_unknown_or_regional_locale_falls_back_to_english(locale: str) -> None:
    assert assess("i want to die", locale) == assess("i want to die")
    assert assess("killing it at work", locale).is_crisis is False


def test_assessment_is_frozen() -> None:
    verdict = assess("i want to die")
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.level = Level.NONE  # type: ignore[misc]


def test_long_messages_are_screened_whole() -> None:
    """Long messages are screened end to end (their cost is measured in bench/bench_crisis.py)."""
    filler = "had a long day at work and went to my meeting after, it was fine. " * 160
    assert len(filler) > 10_000
    assert not assess(filler).is_crisis
    assert assess(filler[:5000] + " i want to die. " + filler[5000:]).is_crisis
    assert assess(filler + "i took all my pills").category == "overdose"
    assert not assess("i'm not suicidal. " * 600).is_crisis
    assert assess("kill myself " * 1000).is_crisis


# --- normalise --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("I Want To DIIIIE!!!", "i want to die"),
        ("i want to diiiie", "i want to die"),
        ("I’m “fine”", "im fine"),
        ("don't", "dont"),
        ("dont", "dont"),
        ("I'm so suicidle", "im so suicidal"),
        ("i wnat to kil myslef", "i want to kill myself"),
        ("killllll", "kill"),
        ("i  want\tto\n\ndie", "i want to die"),
        ("ｋｉｌｌ", "kill"),
        ("wait… what", "wait what"),
        ("help 😭🙏 please", "help please"),
        ("he's OD'ing", "hes overdosing"),
        ("self-harm", "self harm"),
        ("s*icide", "suicide"),
        ("", ""),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@given(st.text())
def test_normalise_output_is_clean_and_stable(text: str) -> None:
    once = normalise(text)
    assert once == once.strip()
    assert "  " not in once
    assert not any(char in once for char in string.punctuation + "\n\t")
    assert once == once.lower()
    assert normalise(once) == once


# --- robustness -------------------------------------------------------------------------------

_PIECES = [text for _, text in labelled()[::7]] + ["", " ", "...", "😭", "\n", "'", "*"]


def _repeat_to_10k(piece: str) -> str:
    return (piece * (10_000 // max(1, len(piece)) + 1))[:10_000]


def _check(verdict: CrisisAssessment) -> None:
    assert isinstance(verdict, CrisisAssessment)
    assert verdict.is_crisis == (verdict.category is not None)
    assert verdict.is_crisis == (verdict.matched is not None)
    assert verdict.category is None or verdict.category in CATEGORIES
    assert verdict.matched is None or verdict.matched in entry_names()


@given(st.text())
def test_assess_never_raises_on_arbitrary_text(text: str) -> None:
    _check(assess(text))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(min_size=1, max_size=80).map(_repeat_to_10k),
        st.lists(st.sampled_from(_PIECES), min_size=1, max_size=400).map(" ".join),
    )
)
def test_assess_never_raises_on_long_text(text: str) -> None:
    _check(assess(text))
