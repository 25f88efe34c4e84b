"""The mentor's side of goals and resources: seeing goals within consent, cheering a mentee on,
and sending a directory entry to a mentee (once, through the ledger)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from handlers.app import build_dispatcher
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.mentoring.goals import (
    CANCEL,
    CHEER,
    GOAL_COMMENT,
    LIST,
    MAX_CHEER_CHARS,
    CancelPress,
    CheerPress,
    ListPress,
    may_see_goals,
)
from handlers.mentoring.pairing import SCOPE, ScopePress
from handlers.resources.directory import parse_directory
from handlers.resources.offer import PICK, SEND_TO, PickPress, SendToPress, resource_key
from handlers.resources.sending import RESOURCE
from storage.deliveries import DeliveryStatus
from storage.goals import Goal
from storage.people import Role
from storage.sqlite import SqliteStorage
from tests.support import RecordingMessenger
from tests.support.mentoring import Team, staff, team

DIRECTORY = """
[[resource]]
name = "Harbor House"
category = "housing"
description = "Emergency and transitional housing."
phone = "555-0134"
hours = "Mon-Fri 9-5"

[[resource]]
name = "Second Chance Jobs"
category = "employment"
description = "Job coaching for people in recovery."
url = "https://jobs.example.org"
"""


async def _goal_with_steps(t: Team, storage: SqliteStorage) -> Goal:
    await t.mentee.command("goal", "add", "Walk", "every", "day")
    await t.mentee.say("short")
    await t.mentee.say("no date")
    await t.mentee.say("Buy walking shoes")
    await t.mentee.say("Walk on Monday")
    await t.mentee.say("done")
    await t.mentee.press_label("Buy walking shoes")  # one of two steps ticked
    [goal] = await storage.goals_of(t.mentee_id)
    return goal


async def test_goals_stay_private_until_the_mentee_shares_them(
    ctx: Context, dispatcher: Dispatcher, storage: SqliteStorage
) -> None:
    t = await team(ctx, dispatcher)
    goal = await _goal_with_steps(t, storage)
    assert not (await storage.get_sharing(t.mentee_id)).goals  # off by default
    assert not await may_see_goals(ctx, t.mentor_id, t.mentee_id)

    [listing] = await t.mentor.command("mentees")
    assert "Goals: kept private" in listing.text and not listing.buttons
    [refusal] = await t.mentor.press(LIST.encode(ListPress(t.mentee_id)))  # e.g. an older message
    assert "Sam keeps their goals private" in refusal.text and "/sharing" in refusal.text
    assert goal.title not in refusal.text and not refusal.buttons
    [refusal] = await t.mentor.press(CHEER.encode(CheerPress(goal.id)))
    assert "keeps their goals private" in refusal.text
    assert not [e for e in await storage.audit_log(actor_id=t.mentor_id) if "goal" in e.action]
    assert await storage.comments_of(goal.id) == []

    menu = (await t.mentee.command("sharing"))[0]
    assert "✗ your goals and your progress on them (private)" in menu.text
    assert "note of encouragement" in menu.text
    [shared] = await t.mentee.press(SCOPE.encode(ScopePress("goals", 1)))
    assert "✓ your goals and your progress on them" in shared.text
    assert "Hide goals" in [b.label for b in shared.buttons]
    assert (await storage.get_sharing(t.mentee_id)).goals
    assert (await storage.get_sharing(t.mentee_id)).numbers  # the other choices are kept


async def test_consent_on_the_mentor_sees_goals_after_an_audit_row(
    ctx: Context, dispatcher: Dispatcher, storage: SqliteStorage
) -> None:
    t = await team(ctx, dispatcher)
    goal = await _goal_with_steps(t, storage)
    await t.mentee.press(SCOPE.encode(ScopePress("goals", 1)))
    assert await may_see_goals(ctx, t.mentor_id, t.mentee_id)
    assert await may_see_goals(ctx, t.backup_id, t.mentee_id)  # the backup mentor too
    assert not await may_see_goals(ctx, t.coordinator_id, t.mentee_id)

    [listing] = await t.mentor.command("mentees")
    assert "Goals: shared" in listing.text
    assert [(b.label, b.payload) for b in listing.buttons] == [
        ("Goals: Sam", f"mg:list:{t.mentee_id}")
    ]
    before = len(await storage.audit_log(actor_id=t.mentor_id))
    [view] = await t.mentor.press_label("Goals: Sam")
    assert "*Sam*'s goals:" in view.text and "*Walk every day* · Short-term" in view.text
    assert "▓░ 1/2" in view.text
    assert "✅ Buy walking shoes" in view.text and "⬜ Walk on Monday" in view.text
    assert [b.label for b in view.buttons] == ["Cheer: Walk every day"]
    assert all(len(b.payload.encode()) <= 64 for b in view.buttons)
    entries = await storage.audit_log(actor_id=t.mentor_id)
    assert len(entries) == before + 1
    assert entries[0].action == "view_goals" and entries[0].subject_id == t.mentee_id
    assert entries[0].at == ctx.clock() and entries[0].actor_label == "Mo"
    assert goal.id == int(view.buttons[0].payload.rsplit(":", 1)[1])

    [backup_view] = await t.backup.press(LIST.encode(ListPress(t.mentee_id)))
    assert "*Walk every day*" in backup_view.text


async def test_no_audit_row_no_goals(
    ctx: Context, dispatcher: Dispatcher, storage: SqliteStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = await team(ctx, dispatcher)
    await _goal_with_steps(t, storage)
    await t.mentee.press(SCOPE.encode(ScopePress("goals", 1)))

    async def broken(entries: object) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(storage, "write_audit", broken)
    [reply] = await t.mentor.press(LIST.encode(ListPress(t.mentee_id)))
    assert "Walk every day" not in reply.text  # a view that cannot be recorded is not shown


async def test_a_cheer_reaches_the_mentee_and_shows_on_their_goal_card(
    ctx: Context, dispatcher: Dispatcher, storage: SqliteStorage, messenger: RecordingMessenger
) -> None:
    t = await team(ctx, dispatcher)
    goal = await _goal_with_steps(t, storage)
    await t.mentee.press(SCOPE.encode(ScopePress("goals", 1)))
    await t.mentor.press(LIST.encode(ListPress(t.mentee_id)))
    [ask] = await t.mentor.press_label("Cheer: Walk every day")
    assert "What would you like to tell Sam about “Walk every day”?" in ask.text
    assert f"{MAX_CHEER_CHARS} characters" in ask.text and ask.buttons[0].label == "Never mind"

    [too_long] = await t.mentor.say("x" * (MAX_CHEER_CHARS + 1))
    assert "a bit long" in too_long.text and await storage.comments_of(goal.id) == []
    [sent] = await t.mentor.say("  Proud of you for   getting the shoes!  ")
    assert "Sent. Sam will see your note on “Walk every day”" in sent.text

    [comment] = await storage.comments_of(goal.id)
    assert comment.author_id == t.mentor_id
    assert comment.text == "Proud of you for getting the shoes!"
    told = [m for m in messenger.to("u1") if "cheered you on" in m.text]
    assert len(told) == 1
    assert "Mo cheered you on for your goal “Walk every day”" in told[0].text
    assert "“Proud of you for getting the shoes!”" in told[0].text
    status = await storage.delivery_status(GOAL_COMMENT, str(goal.id), str(comment.id))
    assert status is DeliveryStatus.SENT
    cheers = [e for e in await storage.audit_log(actor_id=t.mentor_id) if e.action == "cheer_goal"]
    assert len(cheers) == 1 and cheers[0].detail == f"goal {goal.id}"

    card = (await t.mentee.press(told[0].buttons[0].payload))[-1]  # "See the goal"
    assert "*Walk every day*" in card.text
    assert "💬 Mo: “Proud of you for getting the shoes!”" in card.text

    # A typed message after the cheer is not another cheer: the flow has ended.
    assert "cheered" not in " ".join(m.text for m in await t.mentor.say("thanks"))
    assert len(await storage.comments_of(goal.id)) == 1


async def test_cheer_after_consent_is_withdrawn_is_refused(
    ctx: Context, dispatcher: Dispatcher, storage: SqliteStorage, messenger: RecordingMessenger
) -> None:
    t = await team(ctx, dispatcher)
    goal = await _goal_with_steps(t, storage)
    await t.mentee.press(SCOPE.encode(ScopePress("goals", 1)))
    await t.mentor.press(CHEER.encode(CheerPress(goal.id)))
    await t.mentee.press(SCOPE.encode(ScopePress("goals", 0)))  # changed their mind meanwhile
    [refusal] = await t.mentor.say("Keep going!")
    assert "keeps their goals private" in refusal.text
    assert await storage.comments_of(goal.id) == []
    assert not [m for m in messenger.to("u1") if "cheered" in m.text]
    [cancelled] = await t.mentor.press(CANCEL.encode(CancelPress()))
    assert "nothing sent" in cancelled.text


async def test_an_unpaired_mentor_is_refused(
    ctx: Context, dispatcher: Dispatcher, storage: SqliteStorage, messenger: RecordingMessenger
) -> None:
    t = await team(ctx, dispatcher)
    goal = await _goal_with_steps(t, storage)
    await t.mentee.press(
        SCOPE.encode(ScopePress("goals", 1))
    )  # consent is for their own mentor, not anyone
    stranger, stranger_id = await staff(ctx, dispatcher, Role.MENTOR, "m2", "Max")
    assert not await may_see_goals(ctx, stranger_id, t.mentee_id)
    for payload in (f"mg:list:{t.mentee_id}", f"mg:cheer:{goal.id}"):
        [refusal] = await stranger.press(payload)
        assert "isn't one of your mentees" in refusal.text and "/mentees" in refusal.text
        assert "Sam" not in refusal.text and "Walk" not in refusal.text
    assert await storage.audit_log(actor_id=stranger_id) == []
    assert await storage.comments_of(goal.id) == []
    assert not [m for m in messenger.to("u1") if "cheered" in m.text]


@pytest.fixture
def directory_ctx(ctx: Context) -> Context:
    return replace(ctx, program=replace(ctx.program, resources=parse_directory(DIRECTORY, "r")))


async def test_a_mentor_sends_a_resource_to_a_mentee_exactly_once(
    directory_ctx: Context, storage: SqliteStorage, messenger: RecordingMessenger
) -> None:
    ctx = directory_ctx
    dispatcher = build_dispatcher(ctx)
    t = await team(ctx, dispatcher)
    housing = await t.mentor.command("resources", "housing")
    assert "*Harbor House*" in housing[0].text
    offer = housing[-1]
    assert [b.label for b in offer.buttons] == ["Send to a mentee: Harbor House"]
    assert not [b for m in await t.mentee.command("resources", "housing") for b in m.buttons]

    [pick] = await t.mentor.press_label("Send to a mentee: Harbor House")
    assert "Who would you like to send *Harbor House* to?" in pick.text
    assert [b.label for b in pick.buttons] == ["Sam"]
    payload = pick.buttons[0].payload
    assert len(payload.encode()) <= 64
    [done] = await t.mentor.press(payload)
    assert done.text == "Sent *Harbor House* to Sam."
    [again] = await t.mentor.press(payload)  # a double tap
    assert "already sent *Harbor House* to Sam today" in again.text

    received = [m for m in messenger.to("u1") if "Harbor House" in m.text]
    assert len(received) == 1
    assert "Mo thought this might help you" in received[0].text
    assert "📞 555-0134" in received[0].text and "Hours: Mon-Fri 9-5" in received[0].text
    key = resource_key(ctx.program.resources.resources[0])
    occurrence = f"{key}:2026-11-27"  # Sam's local date in Denver
    assert await storage.delivery_status(RESOURCE, str(t.mentee_id), occurrence) == (
        DeliveryStatus.SENT
    )

    stranger, _ = await staff(ctx, dispatcher, Role.MENTOR, "m2", "Max")
    [refusal] = await stranger.press(SEND_TO.encode(SendToPress(key, t.mentee_id)))
    assert "isn't one of your mentees" in refusal.text
    [alone] = await stranger.press(PICK.encode(PickPress(key)))
    assert "no mentees" in alone.text
    [not_mentor] = await t.mentee.press(SEND_TO.encode(SendToPress(key, t.mentee_id)))
    assert "Only mentors" in not_mentor.text
    assert len([m for m in messenger.to("u1") if "Harbor House" in m.text]) == 1
