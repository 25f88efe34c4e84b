"""``[dashboard]`` as the web server needs it: plain data, so reading the config loads no web
framework (``tests/test_import_weight.py``)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import timedelta

DEFAULT_SESSION_HOURS = 8.0
"""How long a sign-in lasts before the coordinator asks for a new link."""


@dataclass(frozen=True, slots=True)
class DashboardServerSettings:
    listen: str | None = None
    """``host:port`` to serve on (``None``: the dashboard is off, the default)."""
    session_hours: float = DEFAULT_SESSION_HOURS

    @property
    def session_length(self) -> timedelta:
        return timedelta(hours=self.session_hours)

    @property
    def host_port(self) -> tuple[str, int]:
        assert self.listen is not None
        host, _, port = self.listen.rpartition(":")
        return host.strip("[]"), int(port)


@dataclass(frozen=True, slots=True)
class SessionKey:
    """What signs the dashboard's session cookies; its ``repr`` never shows it."""

    key: bytes = field(repr=False)
    source: str
    """Where it came from, for the start-up log line (never the key itself)."""

    @classmethod
    def choose(cls, secret: str | None, data_key: str | None) -> SessionKey | None:
        """``PEERBOT_DASHBOARD_SECRET`` if set, else one derived from ``PEERBOT_DATA_KEY``
        (an HMAC with a fixed label, so the data key itself never signs anything); ``None``
        without either, and the runner then makes one for this process only."""
        if secret:
            return cls(secret.encode("utf-8", "surrogatepass"), "PEERBOT_DASHBOARD_SECRET")
        if data_key:
            derived = hmac.new(data_key.encode(), b"peerbot dashboard sessions", hashlib.sha256)
            return cls(derived.digest(), "derived from PEERBOT_DATA_KEY")
        return None
