"""The core's tiny text markup, parsed once for every renderer.

:class:`~handlers.messaging.OutgoingMessage` text may mark ``*bold*`` and nothing else: a star,
one or more characters that are neither a star nor a line end, a star. Any other star is a
literal star. :func:`parse` splits a text into :class:`Span` s; each adapter renders the spans
with its own platform's escaping (Telegram HTML, Discord markdown, plain console text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOLD = re.compile(r"\*([^*\n]+)\*")


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text, bold or not, with the markup taken off."""

    text: str
    bold: bool = False


def parse(text: str) -> list[Span]:
    """``text`` as spans, in order; never raises, and empty plain runs are left out."""
    spans: list[Span] = []
    position = 0
    for match in _BOLD.finditer(text):
        if match.start() > position:
            spans.append(Span(text[position : match.start()]))
        spans.append(Span(match.group(1), bold=True))
        position = match.end()
    if position < len(text):
        spans.append(Span(text[position:]))
    return spans


def unparse(spans: list[Span]) -> str:
    """The markup text the spans came from: ``unparse(parse(text)) == text``."""
    return "".join(f"*{span.text}*" if span.bold else span.text for span in spans)


def plain(text: str) -> str:
    """``text`` without its markup, for a renderer that has no bold."""
    return "".join(span.text for span in parse(text))
