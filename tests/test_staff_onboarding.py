"""Staff are not mentees (issue 16 item 5): someone joining with a mentor's, facilitator's or
coordinator's code is welcomed for that role, has daily check-ins off until they choose a time
in /settings (and can turn them off again), and one person may hold several roles."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.account import onboarding_texts
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from storage.people import InviteCode, Role
from tests.support import Chat
from tests.support.chat import asks_since
from tests.support.mentoring import mentee_of, person_id, staff

pytestmark = pytest.mark.backends("sqlite", "postgres")


async def make_code(ctx: Context, code: str, role: Role) -> str:
    now = ctx.clock()
    await ctx.storage.create_invite(InviteCode(code, role, 1, now, now + timedelta(days=1)))
    return code


@pytest.mark.parametrize("role", [Role.MENTOR, Role.FACILITATOR, Role.COORDINATOR])
async def test_staff_are_onboarded_for_their_role_with_checkins_off(
    ctx: Context, dispatcher: Dispatcher, role: Role
) -> None:
    code = await make_code(ctx, f"{role.value.upper()}1", role)
    chat = Chat(dispatcher, user_id="s1")
    [welcome] = await chat.command("start", code)
    assert f"join as a *{role.value}*" in welcome.text
    assert onboarding_texts.ROLE_INTRO[role.value] in welcome.text
    assert "daily check-ins, your mentor" not in welcome.text  # not the mentee's text
    assert "988" in welcome.text  # the crisis line still comes first
    await chat.press_label("Yes")
    await chat.say("Alex")
    await chat.say("Denver")
    [done] = await chat.press_label("Yes")
    assert "What time of day" not in done.text and not asks_since(done)
    assert f"joined as a {role.value}" in done.text and "check-ins are off" in done.text
    pid = await person_id(ctx, chat)
    person = await ctx.storage.get_person(pid)
    assert person is not None and person.onboarded
    assert (await ctx.storage.get_settings(pid)).checkin_time is None
    assert await ctx.storage.get_due("checkin", str(pid)) is None  # no prompts
    assert await ctx.storage.roles_of(pid) == {role}


async def test_staff_turn_checkins_on_and_off_in_settings(
    ctx: Context, dispatcher: Dispatcher
) -> None:
    chat, pid = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    [menu] = await chat.command("settings")
    assert "Daily check-in: off" in menu.text
    asked = await chat.press_label("Check-in time")
    assert [b.label for b in asked[0].buttons][-1] == "No daily check-ins"
    await chat.say("7am")
    assert (await ctx.storage.get_settings(pid)).checkin_time == "07:00"
    assert await ctx.storage.get_due("checkin", str(pid)) is not None  # prompts now come
    await chat.command("settings")
    await chat.press_label("Check-in time")
    [off] = await chat.press_label("No daily check-ins")
    assert "check-ins are off" in off.text
    assert (await ctx.storage.get_settings(pid)).checkin_time is None
    assert await ctx.storage.get_due("checkin", str(pid)) is None
    # On-demand check-ins work for staff whatever the setting.
    assert "check-in" in (await chat.command("checkin"))[0].text.lower()


async def test_mentees_get_no_checkins_off_button(ctx: Context, dispatcher: Dispatcher) -> None:
    mentor, _ = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    mentee, _ = await mentee_of(ctx, dispatcher, mentor, "u1", "Sam")
    await mentee.command("settings")
    asked = await mentee.press_label("Check-in time")
    assert "No daily check-ins" not in [b.label for b in asked[0].buttons]


async def test_a_person_may_hold_several_roles(ctx: Context, dispatcher: Dispatcher) -> None:
    chat, pid = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    await make_code(ctx, "FAC1", Role.FACILITATOR)
    [joined] = await chat.command("join", "FAC1")
    assert "joined as a facilitator" in joined.text
    assert await ctx.storage.roles_of(pid) == {Role.MENTOR, Role.FACILITATOR}
    # Staff who also take part as mentees are told how to turn their check-ins on.
    await make_code(ctx, "MENTEE1", Role.MENTEE)
    [as_mentee] = await chat.command("join", "MENTEE1")
    assert "joined as a mentee" in as_mentee.text and "/settings" in as_mentee.text
    assert await ctx.storage.roles_of(pid) == {Role.MENTOR, Role.FACILITATOR, Role.MENTEE}
    help_text = (await chat.command("help"))[0].text
    assert "/mentees" in help_text and "/newmentor" in help_text


async def test_a_mentors_invite_still_onboards_a_mentee(
    ctx: Context, dispatcher: Dispatcher
) -> None:
    mentor, _ = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    mentee, mentee_id = await mentee_of(ctx, dispatcher, mentor, "u1", "Sam")
    assert (await ctx.storage.get_settings(mentee_id)).checkin_time == "20:00"
    assert await ctx.storage.roles_of(mentee_id) == {Role.MENTEE}
    assert any("daily check-ins, your mentor" in m.text for m in mentee.replies)
