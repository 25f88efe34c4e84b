"""Honest replies (issue 16 item 7): the bot says what actually happened, never who it did not
tell. /newmentor with no coordinator, or none reachable; the crisis reply with no mentor, and
in a group where the team was told privately."""

from __future__ import annotations

from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.messaging import ChatKind, DeliveryError, DeliveryFailure
from storage.people import Role
from tests.support import Chat, RecordingMessenger, onboard
from tests.support.mentoring import mentee_of, pings, staff, team


async def test_newmentor_with_no_coordinator_does_not_claim_one_was_told(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger
) -> None:
    mentor, _ = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    mentee, mentee_id = await mentee_of(ctx, dispatcher, mentor, "u1", "Sam")
    messenger.clear()
    [reply] = await mentee.command("newmentor")
    assert "no coordinator yet, so nobody has seen it" in reply.text
    assert "passed it on" not in reply.text
    assert messenger.sent == []  # nobody was sent anything, the mentor least of all
    pairing = await ctx.storage.pairing_of(mentee_id)
    assert pairing is not None and pairing.change_requested_at is not None  # kept, as said


async def test_newmentor_unpaired_with_no_coordinator_says_nobody_could_be_told(
    chat: Chat, messenger: RecordingMessenger
) -> None:
    await onboard(chat)
    [reply] = await chat.command("newmentor")
    assert "no coordinator yet, so there is nobody I can tell" in reply.text
    assert "I've let" not in reply.text


async def test_newmentor_unpaired_with_an_unreachable_coordinator_says_so(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger
) -> None:
    await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
    mentee = Chat(dispatcher, user_id="u1")
    await onboard(mentee)
    messenger.failures.append(DeliveryError(DeliveryFailure.BLOCKED, permanent=True))
    [reply] = await mentee.command("newmentor")
    assert "couldn't reach the program coordinator" in reply.text


async def test_newmentor_unpaired_with_a_coordinator_tells_them(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger
) -> None:
    await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
    mentee = Chat(dispatcher, user_id="u1")
    await onboard(mentee)
    [reply] = await mentee.command("newmentor")
    assert "I've let the program coordinator know" in reply.text
    assert "would like a mentor" in messenger.last("c1").text


async def test_crisis_reply_without_a_mentor_promises_none(chat: Chat) -> None:
    await onboard(chat)
    [reply] = await chat.say("i want to end my life")
    assert "988" in reply.text
    assert "mentor" not in reply.text.lower()
    assert "nobody on the team has been alerted" in reply.text


async def test_group_crisis_does_not_say_nobody_was_told_when_the_mentor_was(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger
) -> None:
    await team(ctx, dispatcher)
    group = Chat(dispatcher, user_id="u1", chat_kind=ChatKind.GROUP)
    [public] = await group.say("i dont want to be alive anymore")
    assert "nobody on the team" not in public.text
    assert "not an emergency service" in public.text and "private message" in public.text
    assert "let your mentor know" in messenger.last("u1").text
    assert len(pings(messenger, "m1")) == 1
