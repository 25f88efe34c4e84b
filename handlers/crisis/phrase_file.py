"""Reading a locale's crisis phrase file (``handlers/crisis/phrases/<locale>.toml``) into a
compiled :class:`~handlers.crisis.matching.Screen`; the English file documents the format.
A malformed file fails loudly with the table and key at fault."""

from __future__ import annotations

import re
from collections.abc import Mapping

from handlers.crisis.matching import CATEGORIES, IDIOM, Normaliser, Screen, squash, squash_pattern


def _table(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ValueError(f"crisis phrases: {where} must be a table")
    return {str(key): item for key, item in value.items()}


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"crisis phrases: {where} must be a list of strings")
    return [str(item) for item in value]


def _string_map(value: object, where: str) -> dict[str, str]:
    table = _table(value, where)
    if not all(isinstance(item, str) for item in table.values()):
        raise ValueError(f"crisis phrases: {where} must map strings to strings")
    return {key: str(item) for key, item in table.items()}


def _string(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"crisis phrases: {where} must be a string")
    return value


def _int(value: object, where: str, default: int) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"crisis phrases: {where} must be a positive integer")
    return value


def _checked(source: str, where: str) -> str:
    """``source`` squashed, after checking it compiles and captures nothing."""
    squashed = squash_pattern(source)
    try:
        compiled = re.compile(squashed)
    except re.error as exc:
        raise ValueError(f"crisis phrases: {where} is not a valid regex: {exc}") from exc
    if compiled.groups:
        raise ValueError(f"crisis phrases: {where} must use only non-capturing groups (?:...)")
    return squashed


def _words_regex(alternatives: str | list[str], where: str, prefix: str = r"\b") -> str:
    parts = [alternatives] if isinstance(alternatives, str) else alternatives
    body = "|".join(f"(?:{_checked(part, where)})" for part in parts)
    return prefix + "(?:" + body + r")\b"


def _optional_regex(value: object, where: str, prefix: str = r"\b") -> re.Pattern[str] | None:
    if value is None:
        return None
    parts = _strings(value, where) if isinstance(value, list) else [_string(value, where)]
    if not parts:
        return None
    return re.compile(_words_regex(parts, where, prefix))


def _word_set(value: object, where: str) -> frozenset[str]:
    return frozenset(squash(word.lower()) for word in _strings(value, where))


def build(locale: str, data: Mapping[str, object]) -> Screen:
    """Compile a parsed phrase file."""
    screen = _table(data.get("screen", {}), "[screen]")
    norm = _table(data.get("normalise", {}), "[normalise]")
    context = _table(data.get("context", {}), "[context]")
    tables = _table(data.get("categories", {}), "[categories]")

    order = _strings(screen.get("order", list(CATEGORIES)), "[screen].order")
    exempt = frozenset(_strings(screen.get("third_person_exempt", []), "third_person_exempt"))
    unknown = (set(order) | set(tables) | exempt) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"crisis phrases: unknown categories {sorted(unknown)}")
    order += [name for name in CATEGORIES if name in tables and name not in order]

    idioms = _strings(context.get("idioms", []), "[context].idioms")
    # An idiom group that can never match keeps group numbering fixed when there are none.
    groups = [
        "|".join(_checked(source, f"idioms[{i}]") for i, source in enumerate(idioms)) or "(?!)"
    ]
    kinds = [IDIOM]
    named: list[re.Pattern[str]] = [re.compile("(?!)")]
    seen: set[str] = set()
    for name in order:
        entries = _string_map(tables.get(name, {}), f"[categories.{name}]")
        if not entries:
            continue
        plain: list[str] = []
        labelled: list[str] = []
        for entry, source in entries.items():
            where = f"[categories.{name}].{entry}"
            if not entry.isidentifier() or entry in seen:
                raise ValueError(f"crisis phrases: {where}: names must be unique identifiers")
            seen.add(entry)
            body = _checked(source, where)
            plain.append(body)
            labelled.append(f"(?P<{entry}>{body})")
        groups.append("|".join(plain))
        kinds.append(name)
        named.append(re.compile(r"\b(?:" + "|".join(labelled) + r")\b"))
    if len(kinds) == 1:
        raise ValueError(f"crisis phrases: {locale} defines no phrases")

    first_person = _word_set(context.get("first_person", []), "first_person")
    in_hit = _word_set(context.get("first_person_in_hit", []), "first_person_in_hit") | first_person
    negation = _string(context.get("negation", "not"), "[context].negation")
    return Screen(
        locale=locale,
        normaliser=Normaliser(
            _string_map(norm.get("replace", {}), "[normalise.replace]"),
            _string_map(norm.get("misspellings", {}), "[normalise.misspellings]"),
        ),
        regex=re.compile(r"\b(?:" + "|".join(f"({group})" for group in groups) + r")\b"),
        kinds=tuple(kinds),
        named=tuple(named),
        idioms=_optional_regex(idioms, "[context].idioms") if idioms else None,
        third_person_exempt=exempt,
        negation=re.compile(_words_regex(negation, "[context].negation")),
        breakers=_word_set(context.get("scope_breakers", []), "scope_breakers"),
        first_person=first_person,
        first_person_in_hit=re.compile(
            r"\b(?:" + "|".join(map(re.escape, sorted(in_hit) or ["i"])) + r")\b"
        ),
        third_person=_word_set(context.get("third_person", []), "third_person"),
        first_person_possessive=_word_set(
            context.get("first_person_possessive", []), "first_person_possessive"
        ),
        object_markers=_word_set(context.get("object_markers", []), "object_markers"),
        determiners=_word_set(context.get("determiners", []), "determiners"),
        topic_before=_optional_regex(context.get("topic_before"), "topic_before"),
        topic_after=_optional_regex(context.get("topic_after"), "topic_after", prefix=" +"),
        past=_optional_regex(context.get("past"), "past"),
        present_intent=_optional_regex(context.get("present_intent"), "present_intent"),
        resolved=_optional_regex(context.get("resolved"), "resolved"),
        topic_sentence=_optional_regex(context.get("topic_sentence"), "topic_sentence"),
        emergency_now=_optional_regex(context.get("emergency_now"), "emergency_now"),
        unsure=_word_set(context.get("unsure", []), "unsure"),
        negation_window=_int(screen.get("negation_window"), "negation_window", 5),
        subject_window=_int(screen.get("subject_window"), "subject_window", 6),
    )
