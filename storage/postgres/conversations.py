"""Conversation state: where an address is in a multi-step flow."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from storage.conversations import ConversationState
from storage.people import AccountAddress, Person, Role
from storage.postgres.connection import Repository
from storage.postgres.people import _person
from storage.timestamps import to_db


class PostgresConversations(Repository):
    async def load_conversation(self, address: AccountAddress) -> ConversationState | None:
        row = await self._db.fetchone(
            "SELECT flow, step, data FROM conversation_state"
            " WHERE platform = ? AND platform_user_id = ?",
            (address.platform, address.platform_user_id),
        )
        if row is None:
            return None
        data = json.loads(self._db.unseal(row["data"]))
        return ConversationState(flow=row["flow"], step=row["step"], data=data)

    async def turn_facts(
        self, address: AccountAddress
    ) -> tuple[Person | None, frozenset[Role], ConversationState | None]:
        # One query, one hand-off: the address drives two LEFT JOINs (a conversation may
        # exist before its person does), the roles come back as one comma-joined column.
        row = await self._db.fetchone(
            "SELECT p.id, p.display_name, p.created_at, p.onboarded_at, p.stopped_at,"
            " p.journey_start, p.streak_start,"
            " (SELECT string_agg(r.role, ',') FROM roles r WHERE r.person_id = p.id) AS role_list,"
            " c.flow AS state_flow, c.step AS state_step, c.data AS state_data"
            " FROM (SELECT ?::text AS platform, ?::text AS platform_user_id) k"
            " LEFT JOIN accounts a"
            " ON a.platform = k.platform AND a.platform_user_id = k.platform_user_id"
            " LEFT JOIN people p ON p.id = a.person_id"
            " LEFT JOIN conversation_state c"
            " ON c.platform = k.platform AND c.platform_user_id = k.platform_user_id",
            (address.platform, address.platform_user_id),
        )
        if row is None:  # the one-row source always yields a row; defensive only
            return None, frozenset(), None
        person = _person(row) if row["id"] is not None else None
        role_list = row["role_list"] if person is not None else None
        roles = frozenset(Role(r) for r in role_list.split(",")) if role_list else frozenset()
        state = None
        if row["state_flow"] is not None:
            data = json.loads(self._db.unseal(row["state_data"]))
            state = ConversationState(flow=row["state_flow"], step=row["state_step"], data=data)
        return person, roles, state

    async def save_conversation(
        self, address: AccountAddress, state: ConversationState, now: datetime
    ) -> None:
        await self._db.write_one(*conversation_upsert(self._db.seal, address, state, now))

    async def clear_conversation(self, address: AccountAddress) -> None:
        await self._db.write_one(
            "DELETE FROM conversation_state WHERE platform = ? AND platform_user_id = ?",
            (address.platform, address.platform_user_id),
        )


def conversation_upsert(
    seal: Callable[[str], str], address: AccountAddress, state: ConversationState, now: datetime
) -> tuple[str, tuple[Any, ...]]:
    """The statement saving a conversation state, for use inside other writes too."""
    return _SAVE_CONVERSATION, (
        address.platform,
        address.platform_user_id,
        state.flow,
        state.step,
        seal(json.dumps(state.data)),
        to_db(now),
    )


_SAVE_CONVERSATION = (
    "INSERT INTO conversation_state (platform, platform_user_id, flow, step, data,"
    " updated_at) VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (platform, platform_user_id) DO UPDATE SET flow = excluded.flow,"
    " step = excluded.step, data = excluded.data, updated_at = excluded.updated_at"
)
