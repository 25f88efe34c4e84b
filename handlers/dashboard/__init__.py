"""The coordinators' web dashboard, as the core sees it: signing in with a one-time link
(``/dashboard``) and the use cases its pages call (:mod:`handlers.dashboard.pages`); the web
server itself is an adapter, ``bot/dashboard``."""

from __future__ import annotations

from handlers.context import Capability
from handlers.dashboard import login

CAPABILITY = Capability("dashboard", commands=login.COMMANDS)

__all__ = ["CAPABILITY"]
