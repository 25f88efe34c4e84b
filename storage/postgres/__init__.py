"""PostgreSQL storage for programs that outgrow one process, composed of one repository per area.

:class:`PostgresStorage` owns one :class:`~storage.postgres.connection.PostgresConnection` (an
asyncpg pool, migrations applied at start under an advisory lock, the cipher) and one
repository object per area, each in its own module of this package beside its SQLite twin in
:mod:`storage.sqlite`, each typed as its area's Protocol. Both backends pass the same contract
suite (``tests/support/storage_contract/``).
"""

from __future__ import annotations

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
from storage.postgres.attempts import PostgresCodeAttempts
from storage.postgres.checkins import PostgresCheckins
from storage.postgres.circles import PostgresCircles
from storage.postgres.connection import PostgresConnection
from storage.postgres.conversations import PostgresConversations
from storage.postgres.coordination import PostgresCoordination
from storage.postgres.dashboard import PostgresDashboard
from storage.postgres.deliveries import PostgresDeliveries
from storage.postgres.due_queue import PostgresDueQueue
from storage.postgres.goals import PostgresGoals
from storage.postgres.links import PostgresLinks
from storage.postgres.matching import PostgresMatching
from storage.postgres.mentoring import PostgresMentoring
from storage.postgres.people import PostgresPeople
from storage.postgres.privacy import PostgresPrivacy
from storage.postgres.prompt_batches import PostgresPromptBatches
from storage.postgres.reporting import PostgresReporting
from storage.postgres.training import PostgresTraining
from storage.privacy import PrivacyStore
from storage.prompt_batches import PromptBatchStore
from storage.reporting import ReportStore
from storage.training import TrainingStore


class PostgresStorage(ComposedStorage):
    """The :class:`storage.base.Storage` on a PostgreSQL database."""

    def __init__(
        self, url: str, *, cipher: TextCipher | None = None, check_key: bool = True
    ) -> None:
        self.db = PostgresConnection(url, cipher=cipher, check_key=check_key)
        """The one connection every repository shares."""
        self.people: PeopleStore = PostgresPeople(self.db)
        self.conversations: ConversationStore = PostgresConversations(self.db)
        self.due_queue: DueQueueStore = PostgresDueQueue(self.db)
        self.checkins: CheckinStore = PostgresCheckins(self.db)
        self.deliveries: DeliveryStore = PostgresDeliveries(self.db)
        self.goals: GoalStore = PostgresGoals(self.db)
        self.reporting: ReportStore = PostgresReporting(self.db)
        self.mentoring: MentoringStore = PostgresMentoring(self.db)
        self.circles: CircleStore = PostgresCircles(self.db)
        self.links: LinkStore = PostgresLinks(self.db)
        self.attempts: CodeAttemptStore = PostgresCodeAttempts(self.db)
        self.privacy: PrivacyStore = PostgresPrivacy(self.db)
        self.prompt_batches: PromptBatchStore = PostgresPromptBatches(self.db)
        self.coordination: CoordinationStore = PostgresCoordination(self.db)
        self.dashboard: DashboardStore = PostgresDashboard(self.db)
        self.matching: MatchingStore = PostgresMatching(self.db)
        self.training: TrainingStore = PostgresTraining(self.db)

    @property
    def path(self) -> str:
        """The database URL (without its password), as error messages name it."""
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


__all__ = ["PostgresStorage"]
