"""No silent dead ends: a crisis or /sos from someone with no mentor and nobody on duty reaches
every coordinator, and the person is told exactly who knows: never a mentor unless one was."""

from __future__ import annotations

from handlers.context import Context
from handlers.dispatcher import Dispatcher
from storage.mentoring import ChainRole
from storage.people import Role
from tests.support import Chat, RecordingMessenger
from tests.support.mentoring import join_with_code, mentee_of, pings, staff

CRISIS_TEXT = "honestly i want to kill myself"


async def test_a_crisis_with_no_mentor_and_nobody_on_duty_pings_every_coordinator(
    ctx: Context, dispatcher: Dispatcher, chat: Chat, messenger: RecordingMessenger
) -> None:
    await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
    await staff(ctx, dispatcher, Role.COORDINATOR, "c2", "Cas")
    await join_with_code(chat, None, "Sam")
    [reply] = await chat.say(CRISIS_TEXT)
    assert "988" in reply.text
    assert "coordinator know" in reply.text and "mentor" not in reply.text
    assert len(pings(messenger, "c1")) == 1 and len(pings(messenger, "c2")) == 1
    [alert] = await ctx.storage.open_alerts(None)
    steps = await ctx.storage.steps_of(alert.id)
    assert [s.role for s in steps] == [ChainRole.COORDINATOR, ChainRole.COORDINATOR]
    for step in steps:  # through the delivery ledger, like every ping
        assert await ctx.storage.delivery_status("ping", str(alert.id), str(step.step))


async def test_sos_with_no_mentor_and_nobody_on_duty_pings_every_coordinator(
    ctx: Context, dispatcher: Dispatcher, chat: Chat, messenger: RecordingMessenger
) -> None:
    await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
    await staff(ctx, dispatcher, Role.COORDINATOR, "c2", "Cas")
    await join_with_code(chat, None, "Sam")
    [reply] = await chat.command("sos")
    assert "coordinator know" in reply.text and "mentor" not in reply.text
    assert len(pings(messenger, "c1")) == 1 and len(pings(messenger, "c2")) == 1


async def test_with_nobody_on_the_team_the_person_is_told_so(
    chat: Chat, messenger: RecordingMessenger
) -> None:
    await join_with_code(chat, None, "Sam")
    [reply] = await chat.say(CRISIS_TEXT)
    assert "988" in reply.text and "nobody on the team has been alerted" in reply.text
    assert "mentor know" not in reply.text and pings(messenger) == []
    [sos] = await chat.command("sos")
    assert "nobody on the team has been alerted" in sos.text


async def test_a_mentor_who_cannot_be_reached_is_never_claimed(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger
) -> None:
    mentor, _ = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
    mentee, _ = await mentee_of(ctx, dispatcher, mentor, "u1", "Sam")
    await mentor.command("stop")  # the mentor sent /stop: nobody pings them
    messenger.clear()
    [reply] = await mentee.say(CRISIS_TEXT)
    assert "mentor know" not in reply.text and "coordinator know" in reply.text
    assert pings(messenger, "m1") == [] and len(pings(messenger, "c1")) == 1
