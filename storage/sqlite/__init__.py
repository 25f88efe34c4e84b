"""The embedded default store: SQLite in WAL mode.

One writer connection behind an asyncio lock, every write inside ``BEGIN IMMEDIATE`` (so two
processes sharing a file serialise on SQLite's own lock instead of failing half-way), and a
connection on aiosqlite's thread for reads that scan whole tables, which WAL lets run while a
write is in progress. Small statements run inline on the event loop (why:
:mod:`storage.sqlite.connection`). The domain methods are grouped by area in mixins, one
module each in this package (``people``, ``due_queue``, ...).
"""

from __future__ import annotations

from storage.sqlite.checkins import SqliteCheckins
from storage.sqlite.circles import SqliteCircles
from storage.sqlite.connection import BUSY_TIMEOUT_S, SqliteBase
from storage.sqlite.due_queue import SqliteQueue
from storage.sqlite.goals import SqliteGoals
from storage.sqlite.links import SqliteLinks
from storage.sqlite.mentoring import SqliteMentoring
from storage.sqlite.people import SqlitePeople
from storage.sqlite.privacy import SqlitePrivacy
from storage.sqlite.prompt_batches import SqlitePromptBatches
from storage.sqlite.reporting import SqliteReporting


class SqliteStorage(
    SqlitePeople,
    SqliteCheckins,
    SqliteQueue,
    SqliteGoals,
    SqliteReporting,
    SqliteCircles,
    SqliteMentoring,
    SqliteLinks,
    SqlitePrivacy,
    SqlitePromptBatches,
    SqliteBase,
):
    """The :class:`storage.base.Storage` on a SQLite file."""


__all__ = ["BUSY_TIMEOUT_S", "SqliteStorage"]
