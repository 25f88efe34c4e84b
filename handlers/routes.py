"""Typed button routes: one object writes a button's payload and reads a press of it back.

A route is declared once, beside the flow that answers it, with a pattern and a frozen
dataclass for what the press carries::

    @dataclass(frozen=True, slots=True)
    class AnswerPress:
        checkin: int
        key: str
        value: str

    ANSWER = Route("ck", "{checkin}:{key}:{value}", AnswerPress)
    ANSWER.button("Yes", AnswerPress(12, "used", "yes"))   # payload "ck:12:used:yes"
    ANSWER.decode("12:used:yes")                            # AnswerPress(12, "used", "yes")

Segments are separated by ``:``. A ``{field}`` takes one segment, read as the dataclass field's
type (``int`` or ``str``); the last field, if it is a ``str``, takes the rest of the payload,
colons included (a time such as ``08:30``). Anything else is a literal that must match.
``decode`` returns None for anything that does not parse: a wrong literal, a missing or extra
segment, a number that is not plain ASCII digits or is beyond what storage can hold (2^63 - 1).
The flow then answers with the one stale-button reply, so a forged or damaged press never
reaches storage and never gets "something went wrong".

Telegram allows 64 bytes of callback data: ``encode`` refuses a longer payload, and a route
whose fixed part alone is too long is refused when it is declared.
"""

from __future__ import annotations

import dataclasses
import operator
import typing
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from handlers.messaging import Button
from handlers.numbers import MAX_ID, read_id

__all__ = ["MAX_ID", "MAX_PAYLOAD_BYTES", "PayloadTooLong", "Route", "decode_any"]

MAX_PAYLOAD_BYTES = 64
"""Telegram's limit for callback data; Discord's custom ids allow more."""

Press = TypeVar("Press")


class PayloadTooLong(ValueError):
    """A button payload over :data:`MAX_PAYLOAD_BYTES`: a bug in the flow, found on send."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Field:
    name: str
    kind: type


class Route(Generic[Press]):
    """The payload pattern of one kind of button in flow ``flow``, and what a press carries."""

    def __init__(self, flow: str, pattern: str, shape: type[Press]) -> None:
        self.flow = flow
        self.pattern = pattern
        self.shape = shape
        hints = typing.get_type_hints(shape)
        names = [f.name for f in dataclasses.fields(shape)]  # type: ignore[arg-type]
        self._segments: list[str | _Field] = []
        for segment in pattern.split(":") if pattern else []:
            if segment.startswith("{") and segment.endswith("}"):
                name = segment[1:-1]
                if name not in hints or hints[name] not in (int, str):
                    raise TypeError(f"{shape.__name__}.{name} must be an int or a str field")
                self._segments.append(_Field(name, hints[name]))
            else:
                self._segments.append(segment)
        declared = [s.name for s in self._segments if isinstance(s, _Field)]
        if sorted(declared) != sorted(names):
            raise TypeError(f"route {flow}:{pattern} must name each field of {shape.__name__}")
        last = self._segments[-1] if self._segments else None
        self._rest = isinstance(last, _Field) and last.kind is str
        self._last_is_rest = self._rest
        fixed = f"{flow}:" + ":".join(s for s in self._segments if isinstance(s, str))
        if len(fixed.encode()) > MAX_PAYLOAD_BYTES:
            raise PayloadTooLong(f"route {flow}:{pattern} leaves no room for its values")
        # Buttons are built on every prompt and answer: encode with one prepared format.
        names = [s.name for s in self._segments if isinstance(s, _Field)]
        self._values = operator.attrgetter(*names) if len(names) > 1 else None
        self._value = operator.attrgetter(names[0]) if len(names) == 1 else None
        literal = [s.replace("{", "{{").replace("}", "}}") if isinstance(s, str) else "{}"
                   for s in self._segments]  # fmt: skip
        self._format = ":".join([flow.replace("{", "{{").replace("}", "}}"), *literal])

    def encode(self, press: Press) -> str:
        """The full payload (flow prefix included) for ``press``; raises if over 64 bytes."""
        if self._values is not None:
            payload = self._format.format(*self._values(press))
        elif self._value is not None:
            payload = self._format.format(self._value(press))
        else:
            payload = self._format
        if len(payload) * 4 > MAX_PAYLOAD_BYTES and len(payload.encode()) > MAX_PAYLOAD_BYTES:
            raise PayloadTooLong(f"a {self.flow} button payload is over {MAX_PAYLOAD_BYTES} bytes")
        return payload

    def button(self, label: str, press: Press) -> Button:
        return Button(label, self.encode(press))

    def payload_prefix(self, *leading: object) -> str:
        """The payload up to the last field, for a hot path that makes many buttons differing
        only in that field (a check-in question's answers): append ``str(value)`` to it.
        ``leading`` are the other fields' values in the pattern's order."""
        if not self._last_is_rest:
            raise TypeError(f"route {self.flow}:{self.pattern} does not end in a text field")
        return self._format.rsplit("{}", 1)[0].format(*leading)

    def decode(self, payload: str) -> Press | None:
        """What a press carried (``payload`` without the flow prefix), or None if it does not
        parse as this route."""
        count = len(self._segments)
        parts = payload.split(":", count - 1) if self._rest else payload.split(":")
        if len(parts) != count:
            return None
        values: dict[str, object] = {}
        for segment, part in zip(self._segments, parts, strict=True):
            if isinstance(segment, str):
                if part != segment:
                    return None
            elif segment.kind is int:
                number = read_id(part)
                if number is None:
                    return None
                values[segment.name] = number
            else:
                values[segment.name] = part
        return self.shape(**values)


def decode_any(payload: str, routes: Iterable[Route[Any]]) -> Any | None:
    """The press of the first of ``routes`` that ``payload`` parses as, or None. Routes of one
    flow carry distinct dataclasses, so the caller tells them apart with ``match``."""
    for route in routes:
        press = route.decode(payload)
        if press is not None:
            return press
    return None
