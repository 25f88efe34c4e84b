"""The core's ``*bold*`` markup: one parser, the spans every renderer draws."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.markup import Span, parse, plain, unparse

# Text heavy in the characters the markup cares about, so stars and line ends meet often.
marked_text = st.text(alphabet=st.sampled_from("*\n ab<&_~`\\é🙂"), max_size=40) | st.text()


@settings(max_examples=400, deadline=None)
@given(text=marked_text)
def test_parse_round_trips_and_never_raises(text: str) -> None:
    spans = parse(text)
    assert unparse(spans) == text
    assert all(span.text for span in spans)  # no empty runs
    for span in spans:
        if span.bold:
            assert "*" not in span.text and "\n" not in span.text


@settings(max_examples=200, deadline=None)
@given(text=marked_text)
def test_plain_text_loses_only_the_bold_stars(text: str) -> None:
    bold = sum(span.bold for span in parse(text))
    assert len(plain(text)) == len(text) - 2 * bold
    # what the renderers' own regexes did before they shared this parser
    assert plain(text) == re.sub(r"\*([^*\n]+)\*", r"\1", text)


def test_spans_of_typical_texts() -> None:
    assert parse("Your code: *AB12CD34*.") == [
        Span("Your code: "),
        Span("AB12CD34", bold=True),
        Span("."),
    ]
    assert parse("*a* *b*") == [Span("a", bold=True), Span(" "), Span("b", bold=True)]
    assert parse("5 * 3 = 15") == [Span("5 * 3 = 15")]
    assert parse("**") == [Span("**")]
    assert parse("*not\nbold*") == [Span("*not\nbold*")]
    assert parse("") == []
