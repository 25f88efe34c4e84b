"""One reader for the numbers people type, and one for ids: neither raises on anything."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handlers.checkins import progress_texts
from handlers.checkins.progress import MAX_DAYS, MIN_DAYS
from handlers.numbers import MAX_ID, read_id, read_whole
from handlers.texts import common
from tests.support import Chat, onboard


def test_whole_numbers_people_type() -> None:
    assert read_whole("7") == 7
    assert read_whole(" 12 ") == 12
    assert read_whole("٣") == 3  # Arabic-Indic three: a real digit, read as one
    assert read_whole("７") == 7  # full-width, as some phone keyboards type it
    for bad in ("²", "①", "-1", "+1", "1_000", "1.5", "", " ", "seven", "1" * 10):
        assert read_whole(bad) is None, bad


def test_ids_are_plain_ascii_within_what_storage_holds() -> None:
    assert read_id("42") == 42
    assert read_id(str(MAX_ID)) == MAX_ID
    for bad in (str(MAX_ID + 1), "٣", "²", " 1", "-1", "", "0x10"):
        assert read_id(bad) is None, bad


@given(st.text(max_size=40))
def test_neither_reader_raises(text: str) -> None:
    whole, ident = read_whole(text), read_id(text)
    assert whole is None or whole >= 0
    assert ident is None or 0 <= ident <= MAX_ID


async def test_a_superscript_typed_anywhere_gets_the_kind_answer(chat: Chat) -> None:
    await onboard(chat)
    await chat.command("checkin")
    [again] = await chat.say("²")
    assert again.text.startswith("Please pick a number")
    [days] = await chat.command("progress", "²")
    assert days.text == progress_texts.BAD_DAYS.format(low=MIN_DAYS, high=MAX_DAYS)
    for reply in (*await chat.say("٣"), *await chat.command("progress", "99999999999")):
        assert reply.text != common.SOMETHING_WENT_WRONG
