"""The one exception the timing helpers raise for input a person typed and we couldn't read."""

from __future__ import annotations

__all__ = ["TimingError"]


class TimingError(ValueError):
    """Input that cannot be understood.

    ``str(err)`` is a short, kind, user-facing sentence saying what was expected, with an
    example, e.g. 'I couldn't read that as a time. Try "8pm" or "20:30".'
    The sentences live in ``handlers.texts.timing``.
    """
