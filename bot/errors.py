"""Errors the command line turns into one line (kept light: ``bot.cli`` imports this at
start-up, before it knows which command runs)."""

from __future__ import annotations


class AdapterStartError(Exception):
    """An adapter could not start (an unreachable API, a refused token): the message is the
    one line ``peerbot run`` prints. It names the platform and the error's type only, since a
    library's message can carry the token (Telegram's URLs do)."""
