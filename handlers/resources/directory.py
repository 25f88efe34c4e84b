"""The program's resource directory (``resources.toml``): reading and validating it.

Pure data and validation, with no chat in it, so the config loader (at start), ``peerbot
resources check`` and the ``/resources`` capability all read a file the same way. Every
problem names the entry (its number and name) and the field, in one line.

A file is a list of ``[[resource]]`` tables::

    [[resource]]
    name = "SAMHSA National Helpline"
    category = "treatment"
    description = "Free, confidential treatment referral and information."
    phone = "1-800-662-4357"
    hours = "24/7"
    area = "United States"
    languages = ["English", "Spanish"]
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from handlers.program import CATEGORIES, Resource, ResourceDirectory
from handlers.resources import texts

LIMITS = {
    "name": 80,
    "description": 300,
    "phone": 40,
    "text": 100,
    "url": 300,
    "hours": 100,
    "area": 100,
}
MAX_LANGUAGE_CHARS = 40
FIELDS = ("name", "category", "description", "phone", "text", "url", "hours", "area", "languages")


class ResourceFileError(ValueError):
    """A resources file with problems; ``str()`` is the first, ``problems`` has them all."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0])
        self.problems = problems


def load_directory(path: Path) -> ResourceDirectory:
    """Read and validate ``path``; raise :class:`ResourceFileError` listing every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ResourceFileError(
            [texts.FILE_UNREADABLE.format(file=path, reason=err.strerror or err)]
        ) from None
    return parse_directory(text, str(path))


def parse_directory(text: str, source: str) -> ResourceDirectory:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ResourceFileError([texts.FILE_NOT_TOML.format(file=source, reason=err)]) from None
    problems = [
        texts.FILE_UNKNOWN_KEY.format(file=source, key=k) for k in document if k != "resource"
    ]
    entries = document.get("resource", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        problems.append(texts.FILE_NOT_A_LIST.format(file=source))
        raise ResourceFileError(problems)
    if not entries:
        problems.append(texts.FILE_EMPTY.format(file=source))
    resources: list[Resource] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        label = _label(number, entry)
        found = [f"{source}: {label}: {p}" for p in _problems(entry)]
        name = entry.get("name")
        if isinstance(name, str) and name.strip():
            key = name.strip().casefold()
            if key in seen:
                found.append(f"{source}: {label}: " + texts.DUPLICATE.format(entry=seen[key]))
            seen.setdefault(key, number)
        if found:
            problems += found
        else:
            resources.append(_resource(entry))
    if problems:
        raise ResourceFileError(problems)
    return ResourceDirectory(tuple(resources), source)


def _label(number: int, entry: Mapping[str, Any]) -> str:
    name = entry.get("name")
    if isinstance(name, str) and name.strip():
        return texts.ENTRY_NAMED.format(number=number, name=name.strip()[:40])
    return texts.ENTRY_UNNAMED.format(number=number)


def _problems(entry: Mapping[str, Any]) -> list[str]:
    problems = [
        texts.UNKNOWN_FIELD.format(field=key, fields=", ".join(FIELDS))
        for key in entry
        if key not in FIELDS
    ]
    for field in ("name", "category", "description"):
        if field not in entry:
            problems.append(texts.MISSING_FIELD.format(field=field))
    for field, limit in LIMITS.items():
        if field in entry:
            problem = _text_problem(entry[field], limit)
            if problem is None and field in _EXTRA_CHECKS:
                problem = _EXTRA_CHECKS[field](str(entry[field]).strip())
            if problem is not None:
                problems.append(f"{field} = {_show(entry[field])} {problem}")
    category = entry.get("category")
    if "category" in entry and str(category).strip().lower() not in CATEGORIES:
        problems.append(
            f"category = {_show(category)} "
            + texts.BAD_CATEGORY.format(categories=", ".join(CATEGORIES))
        )
    languages = entry.get("languages", [])
    if not isinstance(languages, list) or not all(
        isinstance(x, str) and 0 < len(x.strip()) <= MAX_LANGUAGE_CHARS for x in languages
    ):
        problems.append(f"languages = {_show(languages)} {texts.BAD_LANGUAGES}")
    if not any(entry.get(field) for field in ("phone", "text", "url")):
        problems.append(texts.NO_CONTACT)
    return problems


def _text_problem(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return texts.NOT_TEXT
    if not value.strip() or len(value.strip()) > limit:
        return texts.BAD_LENGTH.format(limit=limit)
    if "\n" in value.strip():
        return texts.MULTILINE
    return None


def _phone_problem(value: str) -> str | None:
    return None if sum(ch.isdigit() for ch in value) >= 3 else texts.BAD_PHONE


def _url_problem(value: str) -> str | None:
    if not value.startswith(("https://", "http://")) or " " in value or "." not in value:
        return texts.BAD_URL
    return None


_EXTRA_CHECKS: dict[str, Callable[[str], str | None]] = {
    "phone": _phone_problem,
    "url": _url_problem,
}


def _resource(entry: Mapping[str, Any]) -> Resource:
    def optional(field: str) -> str | None:
        value = entry.get(field)
        return value.strip() if isinstance(value, str) else None

    return Resource(
        name=str(entry["name"]).strip(),
        category=str(entry["category"]).strip().lower(),
        description=str(entry["description"]).strip(),
        phone=optional("phone"),
        text=optional("text"),
        url=optional("url"),
        hours=optional("hours"),
        area=optional("area"),
        languages=tuple(x.strip() for x in entry.get("languages", [])),
    )


def _show(value: Any) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'"{shown}"'
    return repr(value)[:40]
