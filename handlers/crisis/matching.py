"""The crisis screen's matcher: normalising a message and reading each phrase hit in its
context (negation, subject, topic talk, past time). How the rules work is described in
:mod:`handlers.crisis.screen`; the phrases themselves come from a locale file
(:mod:`handlers.crisis.phrase_file`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from handlers.screening import NOT_CRISIS, CrisisAssessment, Level

CATEGORIES: Final[tuple[str, ...]] = (
    "explicit",
    "indirect",
    "overdose",
    "self_harm",
    "abuse",
    "slang",
)
"""Every category an assessment can report."""

# How far back (in characters) a hit's negation / subject context is read.
_CONTEXT_CHARS: Final = 72
# How far either side of a hit, within its sentence, a past-time cue is looked for.
_PAST_REACH: Final = 200
# Longer messages are screened as their first and last _MAX_TEXT / 2 characters; chat platforms
# cap messages far below this, so it only bounds the work an abusive payload can cause.
_MAX_TEXT: Final = 200_000


# --- normalisation ------------------------------------------------------------------------------

_QUOTES: Final = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u02bc": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
    }
)
_SENTENCE_CHARS: Final = ".!?;\r\n"
# ASCII fast path: sentence punctuation -> newline, any other punctuation -> space (1:1, so
# CPython's ASCII translate fast path applies).
_ASCII_TABLE: Final = str.maketrans(
    {
        chr(code): ("\n" if chr(code) in _SENTENCE_CHARS else " ")
        for code in range(128)
        if not chr(code).isalnum() and chr(code) not in " \t"
    }
)
_ELLIPSIS: Final = re.compile(r"\.{2,}")  # a pause, not a sentence end ("i just... want to die")
_SENTENCE_END: Final = re.compile(r"[.!?;\r\n\u2028\u2029\x85]+")
_NOT_WORD: Final = re.compile(r"[^\w\n]+|_")
_LETTER_RUN3: Final = re.compile(r"([^\W\d_])\1{2,}")
# A doubled letter in a regex source, not part of an escape such as \b.
_PATTERN_RUN: Final = re.compile(r"(?<!\\)([a-z])\1+")


def squash(text: str) -> str:
    """Collapse every run of a repeated letter to one letter (``kill`` -> ``kil``)."""
    for char in set(text):
        double = char + char
        if double in text and char.isalpha():
            while double in text:
                text = text.replace(double, char)
    return text


def squash_pattern(source: str) -> str:
    """Apply :func:`squash` to a regex source without touching its escapes."""
    return _PATTERN_RUN.sub(r"\1", source)


def _map_words(text: str, words: Mapping[str, str]) -> str:
    """Collapse whitespace within each line and replace whole words through ``words``."""
    get = words.get
    return "\n".join(
        " ".join([get(word, word) for word in line.split()]) for line in text.split("\n")
    )


class Normaliser:
    """One locale's normalisation tables, compiled."""

    __slots__ = ("_misspell", "_misspell_squashed", "_replace", "_replace_chars", "_replace_rx")

    def __init__(self, replace: Mapping[str, str], misspellings: Mapping[str, str]) -> None:
        self._replace = {key.lower(): value.lower() for key, value in replace.items()}
        self._misspell = {key.lower(): value.lower() for key, value in misspellings.items()}
        self._misspell_squashed: dict[str, str] = {}
        for key, value in self._misspell.items():
            squashed_key, squashed_value = squash(key), squash(value)
            if squashed_key != squashed_value:
                self._misspell_squashed.setdefault(squashed_key, squashed_value)
        self._replace_rx: re.Pattern[str] | None = None
        self._replace_chars: str | None = None
        if self._replace:
            keys = sorted(self._replace, key=len, reverse=True)
            alternation = "|".join(map(re.escape, keys))
            self._replace_rx = re.compile(r"(?<!\w)(?:" + alternation + r")(?![\w'])")
            # Only worth running when the text holds a character every key needs.
            specials = [{c for c in key if not c.isalnum()} for key in keys]
            if all(specials):
                self._replace_chars = "".join(sorted(set().union(*specials)))

    def _replacement(self, match: re.Match[str]) -> str:
        return self._replace[match.group()]

    def _base(self, text: str) -> str:
        """Lower case, NFKC, replacements; sentence breaks as newlines, no punctuation."""
        if text.isascii():
            text = text.lower()
            if "`" in text:
                text = text.replace("`", "'")
        else:
            text = unicodedata.normalize("NFKC", text).lower().translate(_QUOTES)
        if self._replace_rx is not None and (
            self._replace_chars is None or any(c in text for c in self._replace_chars)
        ):
            text = self._replace_rx.sub(self._replacement, text)
        if "'" in text:
            text = text.replace("'", "")
        if ".." in text:
            text = _ELLIPSIS.sub(" ", text)
        if text.isascii():
            return text.translate(_ASCII_TABLE)
        return _NOT_WORD.sub(" ", _SENTENCE_END.sub("\n", text))

    def for_matching(self, text: str) -> str:
        """The form the phrase regexes run on: normalised, then every doubled letter squashed."""
        return _map_words(squash(self._base(text)), self._misspell_squashed)

    def public(self, text: str) -> str:
        """The documented normal form (see :func:`normalise`), as one line."""
        text = _map_words(_LETTER_RUN3.sub(r"\1", self._base(text)), self._misspell)
        return " ".join(text.split())


# --- compiled screen ----------------------------------------------------------------------------

IDIOM: Final = "idiom"


@dataclass(frozen=True, slots=True)
class Screen:
    """Everything compiled from one locale's phrase file.

    ``regex`` holds every idiom and every crisis phrase as alternatives, one capturing group per
    kind: group 1 is the idioms, group ``k + 1`` category ``kinds[k]``. Idioms come first, so an
    idiom that starts where a phrase starts wins and its span is skipped. The alternatives
    inside a group are plain, which keeps sre's first-literal fast path. ``named[k]`` is the
    same category with one named group per entry, used only to name a hit.
    """

    locale: str
    normaliser: Normaliser
    regex: re.Pattern[str]
    kinds: tuple[str, ...]  # IDIOM first, then the categories in priority order
    named: tuple[re.Pattern[str], ...]
    idioms: re.Pattern[str] | None
    third_person_exempt: frozenset[str]
    negation: re.Pattern[str]
    breakers: frozenset[str]
    first_person: frozenset[str]
    first_person_in_hit: re.Pattern[str]
    third_person: frozenset[str]
    first_person_possessive: frozenset[str]
    object_markers: frozenset[str]
    determiners: frozenset[str]
    topic_before: re.Pattern[str] | None
    topic_after: re.Pattern[str] | None
    past: re.Pattern[str] | None
    present_intent: re.Pattern[str] | None
    negation_window: int
    subject_window: int
    resolved: re.Pattern[str] | None = None
    topic_sentence: re.Pattern[str] | None = None
    emergency_now: re.Pattern[str] | None = None
    unsure: frozenset[str] = frozenset()

    def assess(self, text: str) -> CrisisAssessment:
        """Screen one message (see the module docstring for the rules)."""
        if not text or text.isspace():
            return NOT_CRISIS
        if len(text) > _MAX_TEXT:
            half = _MAX_TEXT // 2
            text = text[:half] + "\n" + text[-half:]
        squashed = self.normaliser.for_matching(text)
        best: re.Match[str] | None = None
        best_kind = len(self.kinds)
        deferred: re.Match[str] | None = None
        for match in self.regex.finditer(squashed):
            kind = (match.lastindex or 1) - 1
            if kind == 0 or kind >= best_kind or not self._in_scope(self.kinds[kind], match):
                continue
            if self._in_past(match):
                if deferred is None:
                    deferred = match
                continue
            best, best_kind = match, kind
            if kind == 1:
                break
        if best is not None:
            return self._hit(best)
        if (
            deferred is not None
            and self.present_intent is not None
            and self.present_intent.search(squashed) is not None
        ):
            return self._hit(deferred)
        return NOT_CRISIS

    def _hit(self, match: re.Match[str]) -> CrisisAssessment:
        """The assessment for a hit: its category and the name of the entry that matched."""
        kind = (match.lastindex or 1) - 1
        named = self.named[kind].match(match.string, match.start())
        return CrisisAssessment(Level.CRISIS, self.kinds[kind], named.lastgroup if named else None)

    def _in_scope(self, category: str, match: re.Match[str]) -> bool:
        """False when negation, topic talk or a third-person subject governs ``match``."""
        text = match.string
        start, end = match.span()
        if self.topic_after is not None and self.topic_after.match(text, end) is not None:
            return False
        if self.idioms is not None:
            # An idiom starting inside the hit ("she hit me up") was not consumed by the scan.
            idiom = self.idioms.search(text, start + 1, end + _CONTEXT_CHARS)
            if idiom is not None and idiom.start() < end:
                return False
        sentence_start = text.rfind("\n", 0, start) + 1
        lead = max(sentence_start, start - _CONTEXT_CHARS)
        before = text[lead:start].split()
        if lead > sentence_start and before:
            before.pop(0)  # possibly a cut-off word
        scope: list[str] = []
        for word in reversed(before):
            if word in self.breakers:
                break
            scope.append(word)
            if len(scope) >= self.negation_window:
                break
        if scope:
            governing = " ".join(reversed(scope))
            if self.negation.search(governing) is not None:
                return False
            if self.topic_before is not None and self.topic_before.search(governing) is not None:
                return False
        own_words = self.first_person_in_hit.search(match.group()) is not None
        if category not in self.third_person_exempt and not own_words:
            if self._third_person_subject(before[-self.subject_window :]):
                return False
        if category in self.third_person_exempt and not own_words:
            if self._over_for_someone_else(text, before[-self.subject_window :]):
                return False
        if not own_words and self._topic_talk(category, match, before):
            return False
        return True

    def _topic_talk(self, category: str, match: re.Match[str], before: list[str]) -> bool:
        """Whether the hit is talk about the topic, not the writer's state: its sentence names
        coursework, training or media (``topic_sentence``: "my essay is on risk factors for
        suicide", "we did a mock overdose drill", "the film ends with her overdosing") and the
        writer is not the hit's subject (read over all of ``before``, the sentence up to the
        hit: "after class I sat in the car and thought about suicide" is the writer's) nor
        named after it in the sentence ("... suicide feels like my only way out"). An
        exempt category (an overdose) also needs nothing saying it is happening now."""
        if self.topic_sentence is None or self._writer_is_subject(before):
            return False
        if category in self.third_person_exempt and self.emergency_now is not None:
            if self.emergency_now.search(match.string) is not None:
                return False
        low, high = self._sentence_around(match)
        if self.first_person_in_hit.search(match.string, match.end(), high) is not None:
            return False  # "... suicide feels like my only way out": the writer's own
        return self.topic_sentence.search(match.string, low, high) is not None

    def _sentence_around(self, match: re.Match[str]) -> tuple[int, int]:
        """The bounds of the sentence around ``match``, at most :data:`_PAST_REACH`
        characters either side of it."""
        text = match.string
        start, end = match.span()
        sentence_start = text.rfind("\n", max(0, start - _PAST_REACH), start) + 1
        low = max(sentence_start, start - _PAST_REACH)
        sentence_end = text.find("\n", end, end + _PAST_REACH)
        high = min(len(text), end + _PAST_REACH) if sentence_end == -1 else sentence_end
        return low, high

    def _over_for_someone_else(self, text: str, before: list[str]) -> bool:
        """Whether an emergency that is exempt from the third-person rule (an overdose) is
        told as someone else's and over: "my friend overdosed last week, she's home now".
        Someone overdosing in front of the writer is an emergency whoever it is; one that
        ended well is a story, and the crisis reply to it is a false alarm. Kept when the
        writer is the subject, when anything in the message says it is happening now
        (``emergency_now``), and when the good news is only hoped for ("if she's ok")."""
        if self.resolved is None or self._writer_is_subject(before):
            return False
        if self.emergency_now is not None and self.emergency_now.search(text) is not None:
            return False
        for cue in self.resolved.finditer(text):
            lead = text[max(0, cue.start() - _CONTEXT_CHARS) : cue.start()].split("\n")[-1]
            if not self.unsure.intersection(lead.split()[-3:]):
                return True
        return False

    def _writer_is_subject(self, words: list[str]) -> bool:
        """Whether the nearest person word before a hit is the writer ("i", or "my" right
        before it)."""
        third = self.third_person
        for index in range(len(words) - 1, -1, -1):
            word = words[index]
            if word in self.first_person or (
                index == len(words) - 1 and word in self.first_person_possessive
            ):
                return True
            if word in third or (word.endswith("s") and word[:-1] in third):
                return False
        return False

    def _third_person_subject(self, words: list[str]) -> bool:
        """Whether the nearest subject among ``words`` (those just before a hit) is someone
        else. A person word that is the object of a preposition or verb ("I talked *to my
        sponsor* about ...") is passed over, except right before the hit, where it is the
        hit's own owner ("... about *her* suicidal thoughts"); "my" right before the hit
        makes it the writer's own."""
        third = self.third_person
        for index in range(len(words) - 1, -1, -1):
            word = words[index]
            adjacent = index == len(words) - 1
            if word in self.first_person or (adjacent and word in self.first_person_possessive):
                return False
            if word in third or (word.endswith("s") and word[:-1] in third):
                if adjacent or not self._is_object(words, index):
                    return True
        return False

    def _is_object(self, words: list[str], index: int) -> bool:
        before = index - 1
        while before >= 0 and words[before] in self.determiners:
            before -= 1
        return before >= 0 and words[before] in self.object_markers

    def _in_past(self, match: re.Match[str]) -> bool:
        """Whether the sentence around ``match`` (up to a bounded distance) has a past cue."""
        if self.past is None:
            return False
        low, high = self._sentence_around(match)
        return self.past.search(match.string, low, high) is not None
