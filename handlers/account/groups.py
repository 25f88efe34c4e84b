"""Who may bring the bot into a group chat.

In a group the bot answers commands, screens messages for a crisis and posts circle
announcements, so a group it sits in is part of the program. Only the program's staff may
add it: anyone else gets a kind word in the group, and the adapter leaves.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.context import Context
from handlers.messaging import OutgoingMessage
from handlers.texts import common as texts
from storage.people import AccountAddress, Role

GROUP_HOSTS = frozenset({Role.FACILITATOR, Role.COORDINATOR, Role.MENTOR})
"""Roles that may add the bot to a group (circles live in groups; mentors run some)."""


@dataclass(frozen=True, slots=True)
class GroupInvite:
    """The core's answer to being added to a group: stay or leave, and what to say first."""

    stay: bool
    message: OutgoingMessage


async def invited_to_group(ctx: Context, by: AccountAddress) -> GroupInvite:
    """Whether the account that added the bot to a group may do so."""
    person, roles, _ = await ctx.storage.turn_facts(by)
    if person is not None and person.onboarded and person.stopped_at is None:
        if roles & GROUP_HOSTS:
            return GroupInvite(stay=True, message=OutgoingMessage(texts.GROUP_WELCOME))
    return GroupInvite(stay=False, message=OutgoingMessage(texts.GROUP_STAFF_ONLY))
