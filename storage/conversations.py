"""Conversation state: which step of a multi-step flow an address is on.

It lives in storage, not in memory, so a restart mid-conversation resumes where the person was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from storage.people import AccountAddress, Person, Role


@dataclass(frozen=True, slots=True)
class ConversationState:
    """Where an account is in a multi-step flow; lives in storage so restarts resume."""

    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


class ConversationStore(Protocol):
    """Saving, loading and ending an address's conversation state."""

    async def load_conversation(self, address: AccountAddress) -> ConversationState | None: ...

    async def turn_facts(
        self, address: AccountAddress
    ) -> tuple[Person | None, frozenset[Role], ConversationState | None]:
        """What every incoming event needs, read at once: the address's person (None if
        unknown), their roles (empty without a person) and the conversation state (which an
        address may have before it has a person). The same as
        :meth:`~storage.people.PeopleStore.person_for_account`,
        :meth:`~storage.people.PeopleStore.roles_of` and :meth:`load_conversation` together."""
        ...

    async def save_conversation(
        self, address: AccountAddress, state: ConversationState, now: datetime
    ) -> None: ...

    async def clear_conversation(self, address: AccountAddress) -> None: ...
