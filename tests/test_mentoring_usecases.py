"""The coordinator's use cases in the core (pair, unpair, capacity, roster, on duty, the audit
log), which the chat and ``peerbot`` both call: on a real SQLite file, on the fake clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers import audit
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.mentoring import pairing, roster
from handlers.profile import PersonLabel
from scheduling.due import DueWorker
from storage.mentoring import PairingError, PairingProblem, PairingSource
from storage.people import Account, AccountAddress, Role
from storage.sqlite import SqliteStorage
from tests.support import FakeClock, RecordingMessenger
from tests.support.mentoring import staff


async def person(ctx: Context, name: str, role: Role, chat_id: str) -> int:
    account = Account(AccountAddress("test", chat_id), person_id=0, chat_id=chat_id)
    made = await ctx.storage.create_person(
        account, role=role, consented_at=ctx.clock(), display_name=name
    )
    return made.id


async def test_pair_queues_the_notice_that_tells_both(
    ctx: Context, messenger: RecordingMessenger, storage: SqliteStorage
) -> None:
    mo = await person(ctx, "Mo", Role.MENTOR, "m1")
    bea = await person(ctx, "Bea", Role.MENTOR, "b1")
    sam = await person(ctx, "Sam", Role.MENTEE, "u1")
    outcome = await pairing.pair(ctx, sam, mo, backup_id=bea)
    assert outcome.mentee == PersonLabel(sam, "Sam")
    assert outcome.mentor == PersonLabel(mo, "Mo")
    assert outcome.backup == PersonLabel(bea, "Bea")
    assert outcome.pairing.source is PairingSource.COORDINATOR
    assert outcome.pairing.started_at == ctx.clock()
    assert await storage.pairing_of(sam) == outcome.pairing
    worker = DueWorker(ctx)
    await worker.tick()
    await worker.tick()
    assert [m.text for m in messenger.to("u1") if "Good news" in m.text]
    assert sum("new mentee: *Sam*" in m.text for m in messenger.to("m1")) == 1
    assert messenger.to("b1") == []


async def test_pair_by_invite_tells_only_the_mentor(
    ctx: Context, messenger: RecordingMessenger
) -> None:
    mo = await person(ctx, "Mo", Role.MENTOR, "m1")
    sam = await person(ctx, "Sam", Role.MENTEE, "u1")
    outcome = await pairing.pair(ctx, sam, mo, by=PairingSource.INVITE)
    assert outcome.pairing.source is PairingSource.INVITE and outcome.backup is None
    await DueWorker(ctx).tick()
    assert messenger.to("u1") == []  # the joining mentee saw the sharing menu in their reply
    assert len(messenger.to("m1")) == 1


async def test_pair_respects_capacity_unless_told_otherwise(ctx: Context) -> None:
    mo = await person(ctx, "Mo", Role.MENTOR, "m1")
    sam = await person(ctx, "Sam", Role.MENTEE, "u1")
    ann = await person(ctx, "Ann", Role.MENTEE, "u2")
    load = await pairing.set_capacity(ctx, mo, 1)
    assert (load.load, load.limit, load.full) == (0, 1, False)
    await pairing.pair(ctx, sam, mo)
    with pytest.raises(PairingError) as refused:
        await pairing.pair(ctx, ann, mo)
    assert refused.value.problem is PairingProblem.FULL
    assert await ctx.storage.pairing_of(ann) is None
    await pairing.pair(ctx, ann, mo, over_capacity=True)
    load = await pairing.mentor_load(ctx, mo)
    assert (load.load, load.limit, load.full) == (2, 1, True)
    load = await pairing.set_capacity(ctx, mo, None)  # back to [mentoring] max_mentees
    assert load.limit == ctx.program.mentoring.max_mentees


@pytest.mark.parametrize(
    ("who", "problem"),
    [
        ("self", PairingProblem.SAME_PERSON),
        ("stranger", PairingProblem.UNKNOWN_PERSON),
        ("not-a-mentor", PairingProblem.NOT_A_MENTOR),
    ],
)
async def test_pair_refuses_with_the_problem_and_queues_nothing(
    ctx: Context, storage: SqliteStorage, who: str, problem: PairingProblem
) -> None:
    mo = await person(ctx, "Mo", Role.MENTOR, "m1")
    sam = await person(ctx, "Sam", Role.MENTEE, "u1")
    mentee, mentor = {"self": (mo, mo), "stranger": (999, mo), "not-a-mentor": (mo, sam)}[who]
    with pytest.raises(PairingError) as refused:
        await pairing.pair(ctx, mentee, mentor)
    assert refused.value.problem is problem
    assert await storage.get_due(pairing.PAIRING, "1") is None


async def test_unpair_ends_the_pairing_and_a_queued_notice_tells_nobody(
    ctx: Context, messenger: RecordingMessenger
) -> None:
    mo = await person(ctx, "Mo", Role.MENTOR, "m1")
    sam = await person(ctx, "Sam", Role.MENTEE, "u1")
    await pairing.pair(ctx, sam, mo)
    ended = await pairing.unpair(ctx, sam)
    assert ended is not None
    assert (ended.mentee, ended.mentor) == (PersonLabel(sam, "Sam"), PersonLabel(mo, "Mo"))
    assert ended.pairing.ended_at == ctx.clock()
    assert await pairing.unpair(ctx, sam) is None
    await DueWorker(ctx).tick()
    assert messenger.sent == []


async def test_set_capacity_only_for_mentors(ctx: Context) -> None:
    sam = await person(ctx, "Sam", Role.MENTEE, "u1")
    with pytest.raises(PairingError) as refused:
        await pairing.set_capacity(ctx, sam, 3)
    assert refused.value.problem is PairingProblem.NOT_A_MENTOR


async def test_a_coordinator_pairing_counts_against_the_mentors_invite(
    ctx: Context, dispatcher: Dispatcher
) -> None:
    """The chat's /invite and the coordinator's pairing share one idea of a mentor's load."""
    mentor, mo = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    sam = await person(ctx, "Sam", Role.MENTEE, "u1")
    await pairing.set_capacity(ctx, mo, 1)
    await pairing.pair(ctx, sam, mo)
    [reply] = await mentor.command("invite")
    assert "your limit of 1" in reply.text


async def test_roster_lists_the_team_and_writes_the_audit_log_first(
    ctx: Context, clock: FakeClock, storage: SqliteStorage
) -> None:
    mo = await person(ctx, "Mo", Role.MENTOR, "m1")
    bea = await person(ctx, "Bea", Role.MENTOR, "b1")
    sam = await person(ctx, "Sam", Role.MENTEE, "u1")
    ann = await person(ctx, "", Role.MENTEE, "u2")
    cy = await person(ctx, "Cy", Role.COORDINATOR, "c1")
    await pairing.pair(ctx, sam, mo, backup_id=bea)
    await storage.request_new_mentor(sam, clock())
    await roster.set_on_duty(ctx, cy)

    team = await roster.roster(ctx)

    assert [(r.capacity.mentor, r.capacity.load, r.backing) for r in team.mentors] == [
        (PersonLabel(mo, "Mo"), 1, 0),
        (PersonLabel(bea, "Bea"), 0, 1),
    ]
    assert team.mentees == (
        roster.MenteeRow(
            PersonLabel(sam, "Sam"), PersonLabel(mo, "Mo"), PersonLabel(bea, "Bea"), clock(), True
        ),
        roster.MenteeRow(PersonLabel(ann, ""), None, None, None, False),
    )
    assert team.on_duty == PersonLabel(cy, "Cy")
    logged = await storage.audit_log(limit=10)
    assert sorted(e.subject_id for e in logged if e.subject_id) == sorted([mo, bea, sam, ann])
    assert {(e.actor_id, e.actor_label, e.action) for e in logged} == {
        (None, audit.COMMAND_LINE, audit.ROSTER)
    }


async def test_roster_by_a_person_is_logged_as_them(ctx: Context, storage: SqliteStorage) -> None:
    cy = await person(ctx, "Cy", Role.COORDINATOR, "c1")
    sam = await person(ctx, "Sam", Role.MENTEE, "u1")
    viewer = await storage.get_person(cy)
    assert viewer is not None
    await roster.roster(ctx, viewer=viewer)
    [entry] = await storage.audit_log()
    assert (entry.actor_id, entry.actor_label, entry.subject_id) == (cy, "Cy", sam)


async def test_on_duty_only_a_coordinator(ctx: Context) -> None:
    cy = await person(ctx, "Cy", Role.COORDINATOR, "c1")
    mo = await person(ctx, "Mo", Role.MENTOR, "m1")
    assert await roster.on_duty(ctx) is None
    assert await roster.set_on_duty(ctx, cy) == PersonLabel(cy, "Cy")
    with pytest.raises(ValueError):
        await roster.set_on_duty(ctx, mo)
    assert await roster.on_duty(ctx) == PersonLabel(cy, "Cy")
    assert await roster.set_on_duty(ctx, None) is None


async def test_read_log_by_window_and_subject(
    ctx: Context, clock: FakeClock, storage: SqliteStorage
) -> None:
    sam = await person(ctx, "Sam", Role.MENTEE, "u1")
    ann = await person(ctx, "Ann", Role.MENTEE, "u2")
    await audit.record_views(ctx, None, [sam, ann], audit.ROSTER)
    clock.advance(days=2)
    await audit.record_views(ctx, None, [sam], audit.ROSTER, "again")
    [recent] = await audit.read_log(ctx, subject_id=None, window=timedelta(days=1), limit=10)
    assert recent.subject == PersonLabel(sam, "Sam") and recent.entry.detail == "again"
    lines = await audit.read_log(ctx, subject_id=ann, window=timedelta(days=30), limit=10)
    assert [line.subject for line in lines] == [PersonLabel(ann, "Ann")]
    assert len(await audit.read_log(ctx, subject_id=None, window=timedelta(days=30), limit=2)) == 2


async def test_coordinators_invite_for_a_role_in_the_chat(
    dispatcher: Dispatcher, storage: SqliteStorage, clock: FakeClock
) -> None:
    from tests.support import Chat, onboard

    cora = Chat(dispatcher, user_id="5001")
    await onboard(cora, name="Cora")
    found = await storage.person_for_account(AccountAddress("test", "5001"))
    assert found is not None
    await storage.grant_role(found.id, Role.COORDINATOR, clock())
    said = await cora.command("invite")
    assert "Which role is the invite for?" in said[0].text
    said = await cora.command("invite", "Mentor")
    assert "Here's a mentor invite code:" in said[0].text and "for 7 days" in said[0].text
    code = said[0].text.split("*")[1]
    invite = await storage.check_invite(code, clock())
    assert invite.role is Role.MENTOR and invite.created_by is None  # pairs nobody

    riley = Chat(dispatcher, user_id="5002")
    await onboard(riley, name="Riley")
    said = await riley.command("join", code)
    assert "mentor" in said[0].text
    said = await riley.command("invite", "coordinator")  # a mentor invites mentees only
    assert said[0].text.startswith("Only coordinators can invite for a role.")
    said = await riley.command("invite")
    assert "Here's your invite code" in said[0].text
    sam = Chat(dispatcher, user_id="5003")
    await onboard(sam, name="Sam")
    said = await sam.command("invite", "mentor")
    assert said[0].text.startswith("/invite is for coordinators or mentors")  # not mentees
