"""Working a claimed batch of scheduled check-in prompts in a handful of round trips.

The due worker claims up to a batch of ``checkin`` rows at once. Instead of a dozen reads and
writes per prompt, the core reads everything it needs about the whole batch in one query
(:meth:`PromptBatchStore.prompt_batch_facts`), decides per row in Python, writes the ledger
rows and opens the check-ins for the whole batch in one transaction *before* anything is sent
(:meth:`PromptBatchStore.prepare_prompts`), and records what happened after the sends in shared
transactions (:meth:`PromptBatchStore.finish_due_batch`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from storage.deliveries import DeliveryStatus
from storage.due_queue import DueWork
from storage.people import Account, AccountAddress, Person, Settings


@dataclass(frozen=True, slots=True)
class PromptKey:
    """One claimed prompt to look up: whose, under which ledger subject, for which local day."""

    person_id: int
    subject: str
    day: date
    """The local date the prompt counts for; its ledger occurrence is ``day.isoformat()``."""


@dataclass(frozen=True, slots=True)
class PromptFacts:
    """Everything the core needs to decide what to do with one claimed prompt."""

    person: Person
    settings: Settings
    """The stored settings, or the defaults if the person has no settings row."""
    accounts: tuple[Account, ...]
    """Ordered as :meth:`~storage.people.PeopleStore.accounts_of` orders them (oldest first)."""
    status: DeliveryStatus | None
    """The ledger row of the prompt itself, (kind, subject, day), if there is one."""
    completed: bool
    """A check-in counting for ``day`` was completed (on demand or scheduled)."""
    miss_status: DeliveryStatus | None
    """The miss ledger row for ``day``, if there is one."""
    previous_day: date | None = None
    """The day of the latest *scheduled* check-in before ``day``, if any."""
    previous_completed: bool = False
    """A check-in counting for ``previous_day`` was completed."""
    previous_miss_status: DeliveryStatus | None = None
    """The miss ledger row for ``previous_day``, if there is one."""


@dataclass(frozen=True, slots=True)
class LedgerMark:
    """A status to write into the delivery ledger for (kind, subject, occurrence)."""

    kind: str
    subject: str
    occurrence: str
    person_id: int | None
    status: DeliveryStatus
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class MissToCount:
    """An unanswered or too-late day that counts once towards the person's consecutive misses."""

    person_id: int
    subject: str
    day: date


@dataclass(frozen=True, slots=True)
class PromptToOpen:
    """A prompt about to be sent: open its check-in and put the account in the flow."""

    claimed: DueWork
    """The claimed row; nothing is prepared unless it is still leased to its owner."""
    address: AccountAddress
    """The account the prompt goes to, whose conversation state is set."""
    day: date


@dataclass(frozen=True, slots=True)
class PreparedPrompts:
    """What :meth:`PromptBatchStore.prepare_prompts` wrote."""

    checkin_ids: Mapping[str, int]
    """Subject -> id of the check-in just opened, for the prompts that may be sent now: their
    ledger row is ``pending``. A prompt missing here must not be sent (its row is settled
    already, or no longer leased to this owner)."""
    newly_counted: Sequence[MissToCount]
    """The misses counted by this call (each miss is counted at most once, ever)."""
    miss_counts: Mapping[int, int]
    """Person id -> consecutive misses after this call, for every person in ``misses``."""


@dataclass(frozen=True, slots=True)
class DueOutcome:
    """How one claimed row's work ended, written by :meth:`PromptBatchStore.finish_due_batch`."""

    claimed: DueWork
    next_work: DueWork | None
    """Replaces the claimed row if it is still leased to its owner (None deletes it)."""
    advance: bool = True
    """False: leave the row leased, to be claimed again when the lease runs out."""
    marks: tuple[LedgerMark, ...] = ()
    reminder: DueWork | None = None
    """A row to insert or move (as :meth:`~storage.due_queue.DueQueueStore.set_due`)."""
    paused_until: datetime | None = None
    """Set: pause the person until then with ``paused_reason``, and delete the claimed row's
    (kind, subject) from the queue whoever holds it."""
    paused_reason: str | None = None


class PromptBatchStore(Protocol):
    """The batch path of the scheduled check-in prompts."""

    async def prompt_batch_facts(
        self, keys: Sequence[PromptKey], *, kind: str, miss_kind: str, source: str
    ) -> dict[str, PromptFacts]:
        """One read for a whole batch, keyed by subject; people who no longer exist are absent.

        ``kind`` is the prompts' ledger kind, ``miss_kind`` the ledger kind that counts a missed
        day once, ``source`` the check-in source of scheduled check-ins.
        """
        ...

    async def prepare_prompts(
        self,
        *,
        kind: str,
        miss_kind: str,
        marks: Sequence[LedgerMark],
        misses: Sequence[MissToCount],
        prompts: Sequence[PromptToOpen],
        source: str,
        flow: str,
        step: str,
        now: datetime,
    ) -> PreparedPrompts:
        """One transaction, before anything of the batch is sent.

        * ``marks`` are written only where the ledger row is missing or still ``pending`` (a
          final status is never overwritten);
        * each of ``misses`` whose ``miss_kind`` ledger row does not exist yet gets one
          (``pending``) and adds one to the person's consecutive misses;
        * for each of ``prompts`` still leased to ``claimed.lease_owner``: the ``kind`` ledger
          row is written (``pending``, or one more attempt on an existing row); where it is
          ``pending``, every open check-in of the person is closed, a check-in for ``day`` is
          opened with ``source``, and the account's conversation state is set to ``flow`` /
          ``step`` with data ``{"checkin_id": <the new id>}``.
        """
        ...

    async def finish_due_batch(self, outcomes: Sequence[DueOutcome], now: datetime) -> None:
        """One transaction: the outcomes' ledger marks (as
        :meth:`~storage.deliveries.DeliveryStore.finish_delivery`), reminders, pauses, and the
        claimed rows advanced (as :meth:`~storage.due_queue.DueQueueStore.advance_due`)."""
        ...
