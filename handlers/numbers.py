"""Reading whole numbers: what people type ("7", "٣"), and the ids in payloads and stored keys.

``str.isdigit`` is true for characters ``int`` refuses ("²", "①"), and ``int`` alone takes
signs, spaces, underscores and thousands of digits (slowly, then not at all). These two
readers are the only way the core turns text into a number, so every place answers bad input
the same way: None, for the caller's kind sentence or stale answer.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1
"""The largest integer storage holds (SQLite's and PostgreSQL's BIGINT)."""


def read_whole(text: str, *, max_digits: int = 9) -> int | None:
    """A non-negative whole number a person typed, in any script's decimal digits ("7", "٣",
    "７"), surrounding spaces allowed; None for anything else or more than ``max_digits``."""
    digits = text.strip()
    if not digits or len(digits) > max_digits or not digits.isdecimal():
        return None
    return int(digits)


def read_id(text: str) -> int | None:
    """An id as we write it (plain ASCII digits, no sign or spaces) that storage can hold;
    None for anything else."""
    if not text or len(text) > 19 or not text.isascii() or not text.isdecimal():
        return None
    number = int(text)
    return number if number <= MAX_ID else None
