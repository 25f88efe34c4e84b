"""People for the mentoring, escalation and safety-plan tests, made the way people make them:
staff join with invite codes, mentees with their mentor's ``/invite`` code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from handlers.account.onboarding import CONSENT_YES, ConsentYesPress
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.mentoring.escalation import ACK, AckPress
from handlers.messaging import OutgoingMessage
from handlers.profile import ZoneYesPress, profile_routes
from storage.people import AccountAddress, InviteCode, Role
from tests.support.chat import Chat, answer_since
from tests.support.messenger import RecordingMessenger

ACK_PREFIX = ACK.encode(AckPress(0)).removesuffix("0")
"""What every Acknowledge button's payload starts with."""


async def join_with_code(chat: Chat, code: str | None, name: str) -> list[OutgoingMessage]:
    """Onboard through ``/start CODE``; returns what the consent press answered."""
    await (chat.command("start", code) if code else chat.command("start"))
    consented = await chat.press(CONSENT_YES.encode(ConsentYesPress()))
    await chat.say(name)
    await chat.say("Denver")
    await chat.press(profile_routes("ob").zone_yes.encode(ZoneYesPress()))
    time_route = profile_routes("ob").time
    if any(  # mentees choose a check-in time; staff are not asked (check-ins are off for them)
        time_route.decode(b.payload.partition(":")[2]) is not None for b in chat.last.buttons
    ):
        await chat.say("8pm")
    await answer_since(chat, None)
    return consented


async def person_id(ctx: Context, chat: Chat) -> int:
    person = await ctx.storage.person_for_account(AccountAddress(chat.platform, chat.user_id))
    assert person is not None
    return person.id


async def staff(
    ctx: Context,
    dispatcher: Dispatcher,
    role: Role,
    user_id: str,
    name: str,
    platform: str = "test",
) -> tuple[Chat, int]:
    code = f"{role.value.upper()}{user_id}"
    now = ctx.clock()
    await ctx.storage.create_invite(InviteCode(code, role, 1, now, now + timedelta(days=1)))
    chat = Chat(dispatcher, user_id=user_id, platform=platform)
    await join_with_code(chat, code, name)
    return chat, await person_id(ctx, chat)


def invite_code(reply: OutgoingMessage) -> str:
    found = re.search(r"\*([A-Z0-9]{8})\*", reply.text)
    assert found, reply.text
    return found[1]


async def mentee_of(
    ctx: Context,
    dispatcher: Dispatcher,
    mentor: Chat,
    user_id: str,
    name: str,
    *,
    platform: str = "test",
) -> tuple[Chat, int]:
    code = invite_code((await mentor.command("invite"))[0])
    chat = Chat(dispatcher, user_id=user_id, platform=platform)
    await join_with_code(chat, code, name)
    return chat, await person_id(ctx, chat)


def pings(messenger: RecordingMessenger, chat_id: str | None = None) -> list[OutgoingMessage]:
    """Alert pings (messages with an Acknowledge button), oldest first."""
    sent = messenger.to(chat_id) if chat_id is not None else [m for _, m in messenger.sent]
    return [m for m in sent if any(b.payload.startswith(ACK_PREFIX) for b in m.buttons)]


@dataclass
class Team:
    """A mentee (Sam) with a mentor (Mo), a backup (Bea) and a coordinator on duty (Cy)."""

    mentee: Chat
    mentor: Chat
    backup: Chat
    coordinator: Chat
    mentee_id: int
    mentor_id: int
    backup_id: int
    coordinator_id: int


async def team(ctx: Context, dispatcher: Dispatcher) -> Team:
    mentor, mentor_id = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    backup, backup_id = await staff(ctx, dispatcher, Role.MENTOR, "b1", "Bea")
    coordinator, coordinator_id = await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
    await ctx.storage.set_on_duty(coordinator_id, ctx.clock())
    mentee, mentee_id = await mentee_of(ctx, dispatcher, mentor, "u1", "Sam")
    await ctx.storage.set_backup(mentee_id, backup_id)
    return Team(
        mentee, mentor, backup, coordinator, mentee_id, mentor_id, backup_id, coordinator_id
    )
