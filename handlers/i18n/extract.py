"""Babel's extraction method for this code base (``babel.cfg`` names it).

What it extracts, and so what a catalogue must translate:

- in a texts module (``handlers/texts/*.py``, ``handlers/<capability>/texts.py`` and
  ``*_texts.py``): every string
  an UPPERCASE constant holds, also inside dict values, tuples and lists; a ``Plural(one,
  many)`` as one plural message;
- anywhere in ``handlers/``: the description of a ``CommandSpec`` (the /help line and the
  platforms' command menus) and every ``Plural(...)``.

This mirrors what :mod:`handlers.i18n` translates at run time, so the two cannot disagree on
what is a message.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import IO, Any

Extracted = tuple[int, str | None, str | tuple[str, ...], list[str]]


def _strings(node: ast.expr) -> Iterator[tuple[int, str | tuple[str, ...]]]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if node.value:
            yield node.lineno, node.value
    elif isinstance(node, ast.Dict):
        for item in node.values:
            yield from _strings(item)
    elif isinstance(node, ast.Tuple | ast.List):
        for item in node.elts:
            yield from _strings(item)
    elif plural := _plural(node):
        yield node.lineno, plural


def _plural(node: ast.AST) -> tuple[str, str] | None:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Plural"
        and len(node.args) == 2
        and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)
    ):
        one, many = (a.value for a in node.args)  # type: ignore[attr-defined]
        return one, many
    return None


def _is_texts_module(filename: str) -> bool:
    path = filename.replace("\\", "/")
    return path.endswith("texts.py") or "/texts/" in path


def messages(source: str, filename: str) -> Iterator[tuple[int, str | tuple[str, ...]]]:
    """Each message of one Python source file, with its line."""
    tree = ast.parse(source, filename)
    if _is_texts_module(filename):
        for statement in tree.body:
            targets: list[ast.expr] = []
            value: ast.expr | None = None
            if isinstance(statement, ast.Assign):
                targets, value = statement.targets, statement.value
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                targets, value = [statement.target], statement.value
            if value is None or not any(
                isinstance(t, ast.Name) and t.id[:1].isupper() for t in targets
            ):
                continue
            yield from _strings(value)
        return
    for node in ast.walk(tree):
        if plural := _plural(node):
            yield node.lineno, plural  # type: ignore[attr-defined]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "CommandSpec"
        ):
            described = node.args[1] if len(node.args) > 1 else None
            for keyword in node.keywords:
                if keyword.arg == "description":
                    described = keyword.value
            if isinstance(described, ast.Constant) and isinstance(described.value, str):
                yield described.lineno, described.value


def extract(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[Extracted]:
    """Babel's extraction-method signature (``[handlers.i18n.extract:extract: ...]``)."""
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    filename = getattr(fileobj, "name", "")
    for lineno, message in messages(source, str(filename)):
        yield lineno, "ngettext" if isinstance(message, tuple) else None, message, []
