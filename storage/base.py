"""The storage interface: domain methods, not generic CRUD, cut by area.

Each area's Protocol lives beside its row types, one module per area: :mod:`storage.people`,
:mod:`storage.conversations`, :mod:`storage.due_queue`, :mod:`storage.checkins`,
:mod:`storage.deliveries`, :mod:`storage.goals`, :mod:`storage.reporting`,
:mod:`storage.mentoring`, :mod:`storage.circles`, :mod:`storage.links`, :mod:`storage.attempts`,
:mod:`storage.privacy`, :mod:`storage.prompt_batches`, :mod:`storage.coordination`,
:mod:`storage.matching` and :mod:`storage.training`. :class:`Storage` is all of them together:
what the core types against, one object with every area's methods.

Every backend (SQLite through aiosqlite now, PostgreSQL for scale-out) implements it and passes
the same contract suite (``tests/support/storage_contract/``). ``now`` is always passed in by the
caller, so tests run on a fake clock; every datetime in and out is aware UTC.
"""

from __future__ import annotations

from typing import Protocol

from storage.attempts import CodeAttemptStore
from storage.checkins import CheckinStore
from storage.circles import CircleStore
from storage.conversations import ConversationStore
from storage.coordination import CoordinationStore
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
from storage.training import TrainingStore


class Storage(
    PeopleStore,
    ConversationStore,
    DueQueueStore,
    CheckinStore,
    DeliveryStore,
    GoalStore,
    ReportStore,
    MentoringStore,
    CircleStore,
    LinkStore,
    CodeAttemptStore,
    PrivacyStore,
    PromptBatchStore,
    CoordinationStore,
    DashboardStore,
    MatchingStore,
    TrainingStore,
    Protocol,
):
    """What the core may ask of a database: every area's protocol together."""

    async def open(self) -> None:
        """Connect and apply pending migrations."""
        ...

    async def close(self) -> None: ...
