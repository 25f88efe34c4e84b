"""Logging without message text.

An exception's message can carry what a person typed (``int("I want...")`` puts the text in
the ``ValueError``), so errors are logged as their type and where they happened, never their
message.
"""

from __future__ import annotations

import traceback


def describe_exception(exc: BaseException, frames: int = 6) -> str:
    """``ValueError at handlers/x.py:12 in f <- ...``: type and innermost frames, no message."""
    summary = traceback.extract_tb(exc.__traceback__)[-frames:]
    where = " <- ".join(
        f"{_short(frame.filename)}:{frame.lineno} in {frame.name}" for frame in reversed(summary)
    )
    return f"{type(exc).__name__} at {where}" if where else type(exc).__name__


def _short(path: str) -> str:
    for marker in ("/handlers/", "/scheduling/", "/storage/", "/bot/", "/site-packages/"):
        if marker in path:
            return marker.strip("/") + "/" + path.split(marker, 1)[1]
    return path.rsplit("/", 1)[-1]
