"""Every flow answers a damaged or forged button press with the stale-button reply.

A payload that does not parse (a superscript digit, an id beyond what storage holds, a
missing or extra segment, an unknown action) is what an old client, a bug or someone poking
at the bot sends. It must get the one clear "that button is from an older message" answer,
never "something went wrong", whoever presses it and whatever flow they are in.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.app import REGISTRY
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.routes import MAX_ID, Route
from handlers.texts import common
from storage.people import Role
from tests.support import Chat, onboard
from tests.support.mentoring import staff, team

NASTY = (
    "",
    ":",
    ":::",
    "²",
    "¹:²:³",
    "٣",  # an Arabic-Indic digit: str.isdigit() is true, int() takes it, ids must not
    "-1",
    "1.5",
    "0x10",
    "9" * 25,
    str(MAX_ID + 1),
    f"{MAX_ID + 1}:a:b",
    f"1:{MAX_ID + 1}",
    f"{MAX_ID + 1}:ext:{MAX_ID + 1}",
    "1:nope:nope:nope:nope",
    "x:y:z",
    "0:0:0:0",
    "\x00",
    "1:\u202e",
)


MID_FLOW = (
    "settings",
    "goals",
    "goal add",
    "goal review",
    "safetyplan",
    "resources",
    "deleteme",
    "link",
    "sharing",
)
"""Commands that leave a person part-way through a flow, each held by one person below."""


async def people(ctx: Context, dispatcher: Dispatcher) -> list[Chat]:
    """A stranger, someone mid-onboarding, a mentee mid-check-in, their mentor, backup and
    coordinator, a facilitator part-way through creating a circle, and one person part-way
    through each flow in :data:`MID_FLOW`."""
    stranger = Chat(dispatcher, user_id="stranger")
    starting = Chat(dispatcher, user_id="starting")
    await starting.command("start")
    crew = await team(ctx, dispatcher)
    await crew.mentee.command("checkin")
    facilitator, _ = await staff(ctx, dispatcher, Role.FACILITATOR, "f1", "Fay")
    await facilitator.command("circle", "create")
    chats = [stranger, starting, crew.mentee, crew.mentor, crew.backup, crew.coordinator]
    chats.append(facilitator)
    for n, command in enumerate(MID_FLOW):
        chat = Chat(dispatcher, user_id=f"mid-{n}")
        await onboard(chat)
        await chat.command(*command.split())
        chats.append(chat)
    return chats


async def test_every_flow_answers_a_damaged_press_as_stale(
    ctx: Context, dispatcher: Dispatcher
) -> None:
    chats = await people(ctx, dispatcher)
    broken: list[str] = []
    for flow in REGISTRY.flows:
        for suffix in NASTY:
            for chat in chats:
                replies = await chat.press(f"{flow}:{suffix}")
                if any(r.text == common.SOMETHING_WENT_WRONG for r in replies):
                    broken.append(f"{chat.user_id} {flow}:{suffix!r}")
    assert broken == []


async def test_an_unknown_flow_is_stale(ctx: Context, dispatcher: Dispatcher) -> None:
    chat = Chat(dispatcher, user_id="someone")
    [reply] = await chat.press("nosuchflow:1:2")
    assert reply.text.startswith(common.STALE_BUTTON.split("{")[0])


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80))
def test_routes_decode_anything_without_raising(payload: str) -> None:
    from handlers.checkins.flow import ANSWER

    press = ANSWER.decode(payload)
    if press is not None:
        assert 0 <= press.checkin <= MAX_ID
        assert ANSWER.decode(ANSWER.encode(press).partition(":")[2]) == press


def test_a_route_refuses_a_payload_over_64_bytes() -> None:
    from handlers.checkins.flow import ANSWER, AnswerPress
    from handlers.routes import PayloadTooLong

    assert ANSWER.encode(AnswerPress(12, "used", "yes")) == "ck:12:used:yes"
    assert ANSWER.decode("12:used:yes") == AnswerPress(12, "used", "yes")
    assert ANSWER.decode("12:note:08:30") == AnswerPress(12, "note", "08:30")  # the rest
    with pytest.raises(PayloadTooLong):
        ANSWER.encode(AnswerPress(MAX_ID, "k" * 30, "v" * 30))


def test_a_route_must_name_each_field() -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Two:
        a: int
        b: str

    with pytest.raises(TypeError):
        Route("zz", "{a}", Two)
    assert Route("zz", "{a}:x:{b}", Two).decode("7:x:y") == Two(7, "y")
    assert Route("zz", "{a}:x:{b}", Two).decode("7:q:y") is None


def test_payloads_stay_byte_identical() -> None:
    """Buttons already sitting in people's chats keep working: each route writes exactly the
    payload the flow wrote before it had routes."""
    pairs = payload_pairs()
    assert [new for new, _ in pairs] == [old for _, old in pairs]


def payload_pairs() -> list[tuple[str, str]]:
    """(what a route writes, what the flow wrote before routes) for one press of each kind."""
    from handlers.account.linking import PROMPTS, PromptsPress
    from handlers.account.onboarding import (
        CONSENT_NO,
        CONSENT_YES,
        ConsentNoPress,
        ConsentYesPress,
    )
    from handlers.account.settings import MENU, MenuPress
    from handlers.profile import NamePress, TimePress, ZoneNoPress, ZoneYesPress, profile_routes

    ob, st_ = profile_routes("ob"), profile_routes("st")
    pairs = [
        (CONSENT_YES.encode(ConsentYesPress()), "ob:consent:yes"),
        (CONSENT_NO.encode(ConsentNoPress()), "ob:consent:no"),
        (ob.name.encode(NamePress("Calm River")), "ob:name:Calm River"),
        (ob.zone_yes.encode(ZoneYesPress()), "ob:zone:yes"),
        (ob.zone_no.encode(ZoneNoPress()), "ob:zone:no"),
        (ob.time.encode(TimePress("08:00")), "ob:time:08:00"),
        (st_.time.encode(TimePress("20:00")), "st:time:20:00"),
        (MENU.encode(MenuPress("quiet")), "st:menu:quiet"),
        (PROMPTS.encode(PromptsPress("discord")), "lk:prompts:discord"),
    ]
    from handlers.goals import cards as gl

    pairs += [
        (gl.SHOW.encode(gl.ShowPress(7)), "gl:show:7"),
        (gl.TICK.encode(gl.TickPress(7, 31)), "gl:tick:7:31"),
        (gl.DONE.encode(gl.DonePress(7)), "gl:done:7"),
        (gl.DROP.encode(gl.DropPress(7)), "gl:drop:7"),
        (gl.DROP_OK.encode(gl.DropOkPress(7)), "gl:dropok:7"),
        (gl.REVIEW_DAY.encode(gl.ReviewDayPress("3")), "gl:rday:3"),
        (gl.REVIEW_DAY.encode(gl.ReviewDayPress("off")), "gl:rday:off"),
        (gl.CANCEL.encode(gl.CancelPress()), "gl:cancel:"),
        (gl.TERM.encode(gl.TermPress("long")), "gl:term:long"),
        (gl.NO_DATE.encode(gl.NoDatePress()), "gl:date:"),
        (gl.STEPS_DONE.encode(gl.StepsDonePress()), "gl:steps:"),
    ]
    from handlers.mentoring import escalation, pairing
    from handlers.mentoring import goals as mg

    pairs += [
        (escalation.ACK.encode(escalation.AckPress(12)), "al:ack:12"),
        (pairing.SCOPE.encode(pairing.ScopePress("notes", 1)), "sh:notes:1"),
        (pairing.SHARING_DONE.encode(pairing.SharingDonePress()), "sh:done:"),
        (mg.LIST.encode(mg.ListPress(5)), "mg:list:5"),
        (mg.CHEER.encode(mg.CheerPress(9)), "mg:cheer:9"),
        (mg.CANCEL.encode(mg.CancelPress()), "mg:cancel:"),
    ]
    from handlers.resources import browse, offer

    pairs += [
        (browse.CATEGORY.encode(browse.CategoryPress("housing")), "rs:cat:housing"),
        (offer.PICK.encode(offer.PickPress("0123456789")), "rm:pick:0123456789"),
        (offer.SEND_TO.encode(offer.SendToPress("0123456789", 4)), "rm:to:0123456789:4"),
    ]
    from handlers.crisis import safety_plan as sp
    from handlers.privacy import commands as pv

    pairs += [
        (pv.ERASE.encode(pv.ErasePress("deadbeef")), "pv:erase:deadbeef"),
        (pv.KEEP.encode(pv.KeepPress()), "pv:keep"),
        (sp.EDIT.encode(sp.EditPress("what_helps")), "sp:edit:what_helps"),
        (sp.SKIP.encode(sp.SkipPress("professionals")), "sp:skip:professionals"),
        (sp.DONE.encode(sp.DonePress()), "sp:done:"),
    ]
    assert [new for new, _ in pairs] == [old for _, old in pairs]
    return pairs


JUNK_STATES: tuple[tuple[str, dict[str, object]], ...] = (
    ("", {}),
    ("menu", {"zone": 3}),
    ("zone_confirm", {"zone": ["Denver"], "code": 4}),
    ("consent", {"code": {"a": 1}}),
    ("steps", {"title": 5, "steps": "x", "term": "forever", "target": "notadate"}),
    ("steps", {"title": "Walk", "steps": [1, 2], "target": 20260101}),
    ("cheer", {"goal_id": "7"}),
    ("confirm", {"token": 7}),
    ("build:nope", {}),
    ("edit:", {}),
)
"""Saved states of shapes this version does not write: an older version's, or damaged."""


async def test_a_state_of_an_unknown_shape_is_stale_not_an_error(
    ctx: Context, dispatcher: Dispatcher
) -> None:
    from storage.conversations import ConversationState
    from storage.people import AccountAddress

    payloads = [old for _, old in payload_pairs()]
    chat = Chat(dispatcher, user_id="old-state")
    await onboard(chat)
    address = AccountAddress(chat.platform, chat.user_id)
    broken: list[str] = []
    for flow in sorted({p.partition(":")[0] for p in payloads}):
        for step, data in JUNK_STATES:
            for action in (*(p for p in payloads if p.startswith(f"{flow}:")), "hello"):
                state = ConversationState(flow=flow, step=step, data=dict(data))
                await ctx.storage.save_conversation(address, state, ctx.clock())
                say = action == "hello"
                replies = await (chat.say(action) if say else chat.press(action))
                if any(r.text == common.SOMETHING_WENT_WRONG for r in replies):
                    broken.append(f"{flow}/{step}/{data} {action}")
    assert broken == []


def test_check_in_answer_buttons_decode_as_their_route() -> None:
    """The check-in builds its answer buttons from the route's prefix (a hot path): each
    must read back as the press it stands for."""
    from handlers.checkins.flow import ANSWER, question_message
    from handlers.program import DEFAULT_QUESTIONS

    for question in DEFAULT_QUESTIONS:
        for button in question_message(question, 4321).buttons:
            press = ANSWER.decode(button.payload.removeprefix(f"{ANSWER.flow}:"))
            assert press is not None and (press.checkin, press.key) == (4321, question.key)
