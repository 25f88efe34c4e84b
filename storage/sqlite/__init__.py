"""The embedded default store: SQLite in WAL mode, composed of one repository per area.

:class:`SqliteStorage` owns one :class:`~storage.sqlite.connection.SqliteConnection` (the
writer connection behind an asyncio lock, every write inside ``BEGIN IMMEDIATE``, a connection
on aiosqlite's thread for reads that scan whole tables, the background checkpoints and the
cipher) and one repository object per area, each built on that same connection:
``people``, ``conversations``, ``due_queue``, ``checkins``, ``deliveries``, ``goals``,
``reporting``, ``mentoring``, ``circles``, ``links``, ``attempts``, ``privacy``,
``prompt_batches``, ``matching`` and ``training``, one
module each in this package, each typed as its area's Protocol (so mypy checks every
repository against its area, area by area). Small statements run inline on the event loop
(why: :mod:`storage.sqlite.connection`).

The core calls every method on the one storage object (``ctx.storage.claim_due(...)``). The
forwarding table both backends share (:class:`storage.composed.ComposedStorage`) says, one
line per method, which repository answers it
(:func:`storage.forwarding.forward`): no inheritance between areas, no ``__getattr__``, and a
method the :class:`~storage.base.Storage` Protocol has but no line forwards is a mypy error.
A write that spans areas (a check-in's last answer also ends the conversation and queues the
follow-up) stays one transaction in the repository that owns it, using the other areas'
statement builders (``conversation_upsert``, ``due_upsert``), as before.
"""

from __future__ import annotations

from pathlib import Path

from storage.attempts import CodeAttemptStore
from storage.checkins import CheckinStore
from storage.circles import CircleStore
from storage.composed import ComposedStorage
from storage.conversations import ConversationStore
from storage.coordination import CoordinationStore
from storage.crypto import TextCipher
from storage.dashboard import DashboardStore
from storage.deliveries import DeliveryStore
from storage.due_queue import DueQueueStore
from storage.goals import GoalStore
from storage.links import LinkStore
from storage.matching import MatchingStore
from storage.mentoring import MentoringStore
from storage.people import PeopleStore
from storage.privacy import PrivacyStore
from storage.prompt_batches import PromptBatchStore
from storage.reporting import ReportStore
from storage.sqlite.attempts import SqliteCodeAttempts
from storage.sqlite.checkins import SqliteCheckins
from storage.sqlite.circles import SqliteCircles
from storage.sqlite.connection import BUSY_TIMEOUT_S, SqliteConnection
from storage.sqlite.conversations import SqliteConversations
from storage.sqlite.coordination import SqliteCoordination
from storage.sqlite.dashboard import SqliteDashboard
from storage.sqlite.deliveries import SqliteDeliveries
from storage.sqlite.due_queue import SqliteDueQueue
from storage.sqlite.goals import SqliteGoals
from storage.sqlite.links import SqliteLinks
from storage.sqlite.matching import SqliteMatching
from storage.sqlite.mentoring import SqliteMentoring
from storage.sqlite.people import SqlitePeople
from storage.sqlite.privacy import SqlitePrivacy
from storage.sqlite.prompt_batches import SqlitePromptBatches
from storage.sqlite.reporting import SqliteReporting
from storage.sqlite.training import SqliteTraining
from storage.training import TrainingStore


class SqliteStorage(ComposedStorage):
    """The :class:`storage.base.Storage` on a SQLite file."""

    def __init__(
        self,
        path: str | Path,
        *,
        cipher: TextCipher | None = None,
        check_key: bool = True,
        check_whole_file: bool = True,
    ) -> None:
        self.db = SqliteConnection(
            path, cipher=cipher, check_key=check_key, check_whole_file=check_whole_file
        )
        """The one connection every repository shares."""
        self.people: PeopleStore = SqlitePeople(self.db)
        self.conversations: ConversationStore = SqliteConversations(self.db)
        self.due_queue: DueQueueStore = SqliteDueQueue(self.db)
        self.checkins: CheckinStore = SqliteCheckins(self.db)
        self.deliveries: DeliveryStore = SqliteDeliveries(self.db)
        self.goals: GoalStore = SqliteGoals(self.db)
        self.reporting: ReportStore = SqliteReporting(self.db)
        self.mentoring: MentoringStore = SqliteMentoring(self.db)
        self.circles: CircleStore = SqliteCircles(self.db)
        self.links: LinkStore = SqliteLinks(self.db)
        self.attempts: CodeAttemptStore = SqliteCodeAttempts(self.db)
        self.privacy: PrivacyStore = SqlitePrivacy(self.db)
        self.prompt_batches: PromptBatchStore = SqlitePromptBatches(self.db)
        self.coordination: CoordinationStore = SqliteCoordination(self.db)
        self.dashboard: DashboardStore = SqliteDashboard(self.db)
        self.matching: MatchingStore = SqliteMatching(self.db)
        self.training: TrainingStore = SqliteTraining(self.db)

    @property
    def path(self) -> Path:
        return self.db.path

    async def open(self) -> None:
        """Connect and apply pending migrations; raises
        :class:`storage.opening.StorageOpenError` (having written nothing) when the cipher is
        not the database's key."""
        await self.db.open()

    async def close(self) -> None:
        await self.db.close()

    @property
    def encrypts_text(self) -> bool:
        return self.privacy.encrypts_text


__all__ = ["BUSY_TIMEOUT_S", "SqliteStorage"]
