"""The privacy area of the storage interface: export, erasure, retention and key rotation.

Export and erasure walk one registry of every table that holds personal data
(:mod:`storage.sqlite.privacy_rules`), so a table cannot be exported without being erased or
the other way round; ``tests/test_privacy_tables.py`` fails when a table is added without
being classified there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from storage.crypto import TextCipher

ExportedRows = dict[str, list[dict[str, Any]]]
"""Table name -> the person's rows as column -> value, free text decrypted."""


@dataclass(frozen=True, slots=True)
class LedgerKinds:
    """Which due-queue and delivery-ledger kinds name a person, an alert or a pairing as their
    subject (the handlers know them; storage only matches on them).

    Their rows go with the person (or the person's alerts and pairings): SQLite reuses the
    highest id once its row is deleted, and a leftover "sent" row would then silence the same
    send for whoever gets that id next.
    """

    person: tuple[str, ...] = ()
    alert: tuple[str, ...] = ()
    pairing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Erasure:
    """The tombstone: a random id (also the audit-log pseudonym) and when."""

    id: str
    erased_at: datetime
    requested_by: str
    """``"self"`` (/deleteme) or ``"coordinator"`` (``peerbot erase``)."""


@dataclass(frozen=True, slots=True)
class PurgeCutoffs:
    """Rows older than these go; ``None`` keeps that kind of row for ever."""

    checkins: datetime | None
    alerts: datetime | None
    audit: datetime | None
    pre_consent: datetime
    """Sign-up conversations of people who never consented, untouched since then."""
    now: datetime


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    checkins: int = 0
    deliveries: int = 0
    conversations: int = 0
    alerts: int = 0
    audit: int = 0
    link_codes: int = 0

    @property
    def total(self) -> int:
        return (
            self.checkins
            + self.deliveries
            + self.conversations
            + self.alerts
            + self.audit
            + self.link_codes
        )


class PrivacyStore(Protocol):
    @property
    def encrypts_text(self) -> bool:
        """Whether free text is encrypted at rest (a key was given)."""
        ...

    async def export_person(self, person_id: int, kinds: LedgerKinds) -> ExportedRows:
        """Every row about the person in every table that holds personal data (an empty list
        for a table with none), free text decrypted."""
        ...

    async def erase_person(self, person_id: int, erasure: Erasure, kinds: LedgerKinds) -> bool:
        """Erase the person from every table in one transaction, leave ``erasure`` as the
        tombstone, pseudonymise the audit rows, then checkpoint the WAL so no old copy of the
        rows stays in it. False (and nothing written) if there is no such person."""
        ...

    async def erasures(self) -> list[Erasure]: ...

    async def purge_expired(self, cutoffs: PurgeCutoffs, kinds: LedgerKinds) -> PurgeCounts:
        """Delete what the retention settings no longer allow, in one transaction."""
        ...

    async def rotate_cipher(self, new: TextCipher, old: TextCipher | None) -> int:
        """Re-encrypt every stored free-text value with ``new`` (decrypting with ``new`` or
        ``old``; plain legacy values are encrypted), and store ``new``'s key check, in one
        transaction; the store uses ``new`` from then on. Returns how many values were
        written. Raises ``storage.crypto.CipherError`` (and changes nothing) if a value, or
        the key check, decrypts with neither.
        """
        ...
