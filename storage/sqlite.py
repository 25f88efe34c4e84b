"""The embedded default store: SQLite in WAL mode.

One writer connection behind an asyncio lock, every write inside ``BEGIN IMMEDIATE`` (so two
processes sharing a file serialise on SQLite's own lock instead of failing half-way), and a
connection on aiosqlite's thread for reads that scan whole tables, which WAL lets run while a
write is in progress. Small statements run inline on the event loop (why:
:mod:`storage.sqlite_base`). The domain methods are grouped by area in mixins
(``sqlite_people``, ``sqlite_queue``, ...).
"""

from __future__ import annotations

from storage.sqlite_base import BUSY_TIMEOUT_S, SqliteBase
from storage.sqlite_checkins import SqliteCheckins
from storage.sqlite_circles import SqliteCircles
from storage.sqlite_goals import SqliteGoals
from storage.sqlite_links import SqliteLinks
from storage.sqlite_mentoring import SqliteMentoring
from storage.sqlite_people import SqlitePeople
from storage.sqlite_privacy import SqlitePrivacy
from storage.sqlite_prompt_batches import SqlitePromptBatches
from storage.sqlite_queue import SqliteQueue
from storage.sqlite_reporting import SqliteReporting


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
