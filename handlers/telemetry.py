"""What the core tells an operator's metrics (``[ops] listen``'s ``/metrics``): a port.

The core reports events as they happen: a message handed to a platform, in which lane; a
platform's "too many requests"; a proactive message sent, by due-queue kind; an alert
acknowledged and how long it waited. Labels are platform names, lanes, kinds and severities:
fixed words of the program, never a person, a chat or what anyone wrote.

``bot/ops.py`` implements it with ``prometheus_client``; without ``[ops] listen`` the context
keeps :data:`NO_TELEMETRY`, which does nothing.
"""

from __future__ import annotations

from typing import Protocol

from handlers.pacing import Lane


class Telemetry(Protocol):
    def sent(self, platform: str, lane: Lane) -> None:
        """A message was accepted by ``platform`` (a reply, a prompt, a ping)."""
        ...

    def rate_limited(self, platform: str) -> None:
        """``platform`` answered "too many requests" (Telegram's or Discord's 429)."""
        ...

    def proactive_sent(self, kind: str) -> None:
        """A due-queue message of ``kind`` went out (``checkin`` is the daily prompt)."""
        ...

    def alert_acknowledged(self, severity: str, waited_seconds: float) -> None:
        """An alert was acknowledged ``waited_seconds`` after it was raised."""
        ...


class NoTelemetry:
    """Reports go nowhere (no ``[ops] listen``, the CLI, the tests that do not look)."""

    def sent(self, platform: str, lane: Lane) -> None:
        pass

    def rate_limited(self, platform: str) -> None:
        pass

    def proactive_sent(self, kind: str) -> None:
        pass

    def alert_acknowledged(self, severity: str, waited_seconds: float) -> None:
        pass


NO_TELEMETRY: Telemetry = NoTelemetry()
