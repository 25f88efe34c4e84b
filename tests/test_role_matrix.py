"""Roles: every registered command for every role (and for someone not onboarded), one table.

``EXPECTED`` is written out by hand (in the order of ``handlers.app.CAPABILITIES``, which is
the order of /help), not read from the commands' specs, so a command whose roles
change (or a new command) fails here until someone decides who may use it. An allowed cell
must get a real answer (not a refusal); a refused cell must get exactly the clear refusal.
Below it: a mentor sees only their own mentees, within what each chose to share, and a
facilitator only their own circles.
"""

from __future__ import annotations

from handlers.circles import texts as circle_texts
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.mentoring import texts as mentoring_texts
from handlers.texts import common
from storage.mentoring import Sharing
from storage.people import AccountAddress, Role
from storage.sqlite import SqliteStorage
from tests.support import Chat, FakeClock, RecordingMessenger, onboard
from tests.support.circles import ROOM, create_circle, member
from tests.support.mentoring import ACK_PREFIX, mentee_of, pings, staff

STRANGER = "not onboarded"
MENTEE, MENTOR, FACILITATOR, COORDINATOR = "mentee", "mentor", "facilitator", "coordinator"
ONBOARDED = frozenset({MENTEE, MENTOR, FACILITATOR, COORDINATOR})
ANYONE = ONBOARDED | {STRANGER}
LEADERS = frozenset({FACILITATOR, COORDINATOR})

EXPECTED: dict[str, frozenset[str]] = {
    "start": ANYONE,
    "join": ANYONE,
    "settings": ONBOARDED,
    "pause": ONBOARDED,
    "resume": ONBOARDED,
    "stop": ONBOARDED,
    "link": ANYONE,
    "help": ANYONE,
    "checkin": ONBOARDED,
    "days": ONBOARDED,
    "reset": ONBOARDED,
    "progress": ONBOARDED,
    "sos": ANYONE,
    "invite": frozenset({MENTOR, COORDINATOR}),
    "sharing": frozenset({MENTEE}),
    "mentees": frozenset({MENTOR}),
    "alerts": frozenset({MENTOR, COORDINATOR}),
    "profile": frozenset({MENTEE, MENTOR}),
    "match": frozenset({COORDINATOR}),
    "newmentor": frozenset({MENTEE}),
    "training": frozenset({MENTOR}),
    "supervision": frozenset({MENTOR}),
    "safetyplan": ONBOARDED,
    "goals": ONBOARDED,
    "goal": ONBOARDED,
    "resources": ANYONE,
    "circles": ONBOARDED,
    "circle": LEADERS,
    "next": LEADERS,
    "dashboard": frozenset({COORDINATOR}),
    "mydata": ANYONE,
    "deleteme": ANYONE,
}


async def people_by_role(ctx: Context, dispatcher: Dispatcher) -> dict[str, Chat]:
    """One person per role, holding exactly that role, and one who never started."""
    mentee = Chat(dispatcher, user_id="r-mentee")
    await onboard(mentee)
    chats = {STRANGER: Chat(dispatcher, user_id="r-stranger"), MENTEE: mentee}
    for role in (Role.MENTOR, Role.FACILITATOR, Role.COORDINATOR):
        chats[role.value], _ = await staff(ctx, dispatcher, role, f"r-{role.value}", role.value)
    for who, chat in chats.items():
        person = await ctx.storage.person_for_account(AccountAddress(chat.platform, chat.user_id))
        if who == STRANGER:
            assert person is None
        else:
            assert person is not None and person.onboarded
            assert await ctx.storage.roles_of(person.id) == {Role(who)}
    return chats


async def test_role_by_command_matrix(ctx: Context, dispatcher: Dispatcher) -> None:
    assert list(dispatcher.commands) == list(EXPECTED), "a command was added or removed"
    chats = await people_by_role(ctx, dispatcher)
    wrong: list[str] = []
    for name, spec in dispatcher.commands.items():
        for who, chat in chats.items():
            said = [reply.text for reply in await chat.command(name)]
            if spec.roles is None:
                refusal = ""
            elif who == STRANGER:
                refusal = common.NEED_ONBOARDING
            else:
                roles = " or ".join(sorted(f"{role.value}s" for role in spec.roles))
                refusal = common.NOT_FOR_YOUR_ROLE.format(name=name, roles=roles)
            if who in EXPECTED[name]:
                refused = any(
                    text in (common.NEED_ONBOARDING, common.UNKNOWN_COMMAND.format(name=name))
                    or text.startswith(f"/{name} is for ")
                    or text == common.SOMETHING_WENT_WRONG
                    for text in said
                )
                if not said or refused:
                    wrong.append(f"/{name} for {who} should be allowed: {said}")
            elif said != [refusal]:
                wrong.append(f"/{name} for {who} should be refused clearly: {said}")
    assert wrong == []
    assert len(EXPECTED) * len(chats) == 32 * 5  # every cell was checked


async def test_a_mentor_sees_only_their_own_mentees_within_consent(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger, storage: SqliteStorage
) -> None:
    mo, _ = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    bea, _ = await staff(ctx, dispatcher, Role.MENTOR, "m2", "Bea")
    sam, sam_id = await mentee_of(ctx, dispatcher, mo, "u1", "Sam")
    kit, _ = await mentee_of(ctx, dispatcher, bea, "u2", "Kit")
    for mentee in (sam, kit):
        await mentee.command("checkin")
        for answer in ("3", "9", "no", "a private line about my week"):
            await mentee.say(answer)

    (listing,) = await mo.command("mentees")
    assert "Sam" in listing.text and "Kit" not in listing.text
    assert "private line" not in listing.text  # notes are shared only by choice
    await storage.set_sharing(sam_id, Sharing(numbers=False, streak=True, notes=True), ctx.clock())
    (listing,) = await mo.command("mentees")
    assert mentoring_texts.NUMBERS_PRIVATE in listing.text and "private line" in listing.text
    (alerts,) = await mo.command("alerts")
    assert "Sam" in alerts.text and "Kit" not in alerts.text

    # Bea cannot acknowledge (and so see the details of) an alert about Mo's mentee.
    ping = pings(messenger, "m1")[0]
    ack = next(b.payload for b in ping.buttons if b.payload.startswith(ACK_PREFIX))
    (refused,) = await bea.press(ack)
    assert refused.text == mentoring_texts.ACK_NOT_YOURS
    assert await storage.audit_log(actor_id=None, subject_id=sam_id)  # Mo's views are logged


async def test_a_facilitator_leads_only_their_own_circles(
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: SqliteStorage,
) -> None:
    robin = await member(dispatcher, storage, clock, "2001", "Robin", role=Role.FACILITATOR)
    sky = await member(dispatcher, storage, clock, "2002", "Sky", role=Role.FACILITATOR)
    circle, _ = await create_circle(robin, messenger, storage)
    for action in ("edit", "cancel", "start"):
        (reply,) = await sky.dm.command("circle", action, f"#{circle.id}")
        assert reply.text == circle_texts.NOT_YOUR_CIRCLE, action
    clock.set(min(o.starts_at for o in await storage.occurrences_of(circle.id, after=clock())))
    await robin.room.command("circle", "start")
    # Sky is in the group but not in the session: no closing it (and no summary of who came).
    (reply,) = await sky.room.command("circle", "end")
    assert reply.text == circle_texts.NOT_YOUR_CIRCLE
    session = await storage.open_session(circle.id)
    assert session is not None and session.ended_at is None
    assert messenger.to(ROOM)  # the session goes on in the room
