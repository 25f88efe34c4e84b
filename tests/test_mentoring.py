"""Pairing, sharing consent, /mentees, /alerts, the audit log and the coordinator's CLI."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.mentoring.escalation import ACK, AckPress
from handlers.mentoring.pairing import (
    SCOPE,
    SHARING_DONE,
    ScopePress,
    SharingDonePress,
    pair_notice_work,
)
from handlers.messaging import Messengers
from handlers.program import MentoringSettings, ProgramSettings
from scheduling.due import DueWorker
from storage.mentoring import PairingSource
from storage.people import Account, AccountAddress, Role
from storage.sqlite import SqliteStorage
from tests.support import Chat, FakeClock, RecordingMessenger
from tests.support.mentoring import (
    invite_code,
    join_with_code,
    mentee_of,
    person_id,
    pings,
    staff,
    team,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


async def test_invite_pairs_and_the_mentee_chooses_what_to_share(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger, storage: SqliteStorage
) -> None:
    mentor, mentor_id = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    [made] = await mentor.command("invite")
    code = invite_code(made)
    assert f"/start {code}" in made.text and "7 days" in made.text
    mentee = Chat(dispatcher, user_id="u1")
    consented = await join_with_code(mentee, code, "Sam")
    menu = next(m for m in consented if "paired with a mentor: *Mo*" in m.text)
    assert "✓ your check-in numbers" in menu.text and "✓ your streak" in menu.text
    assert "✗ your check-in notes (private)" in menu.text
    mentee_id = await person_id(ctx, mentee)
    pairing = await storage.pairing_of(mentee_id)
    assert pairing is not None and pairing.mentor_id == mentor_id
    assert pairing.source is PairingSource.INVITE
    await DueWorker(ctx).tick()
    assert "paired with a new mentee: *Sam*" in messenger.last("m1").text
    assert "Good news" not in "".join(m.text for m in messenger.to("u1"))  # told in the chat

    [changed] = await mentee.press(SCOPE.encode(ScopePress("notes", 1)))
    assert "✓ your check-in notes" in changed.text
    [done] = await mentee.press(SHARING_DONE.encode(SharingDonePress()))
    assert "Saved" in done.text and "notes" in done.text and "/sharing" in done.text
    assert (await storage.get_sharing(mentee_id)).notes
    [again] = await mentee.command("sharing")
    assert [b.label for b in again.buttons][:3] == ["Hide numbers", "Hide streak", "Hide notes"]


async def test_mentor_capacity(
    storage: SqliteStorage, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    program = ProgramSettings(mentoring=MentoringSettings(max_mentees=1))
    ctx = assemble(Context(storage, program, Messengers({"test": messenger}), clock))
    dispatcher = build_dispatcher(ctx)
    mentor, mentor_id = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    early_code = invite_code((await mentor.command("invite"))[0])
    await mentee_of(ctx, dispatcher, mentor, "u1", "Sam")
    [full] = await mentor.command("invite")
    assert "limit of 1" in full.text and "coordinator" in full.text
    late = Chat(dispatcher, user_id="u2")
    consented = await join_with_code(late, early_code, "Lee")
    assert any("list is full" in m.text for m in consented)
    assert await storage.pairing_of(await person_id(ctx, late)) is None
    await storage.set_mentor_capacity(mentor_id, 2)
    assert "invite code" in (await mentor.command("invite"))[0].text


async def test_mentees_is_consent_scoped_and_audited(
    ctx: Context, dispatcher: Dispatcher, clock: FakeClock, storage: SqliteStorage
) -> None:
    t = await team(ctx, dispatcher)
    for mood in ("2", "4"):
        await t.mentee.command("checkin")
        await t.mentee.say(mood)
        await t.mentee.say("3")
        await t.mentee.say("no")
        await t.mentee.say("went to a meeting, talked to my sister")
        clock.advance(days=1)
    [listing] = await t.mentor.command("mentees")
    assert "*Sam*" in listing.text and "Last check-in:" in listing.text
    assert (
        "Mood 4/5 ↑, craving 3/10" in listing.text and "Streak: 3 days" in listing.text
    )  # counted to today
    assert "sister" not in listing.text  # notes stay private unless opted in
    [entry] = await storage.audit_log(actor_id=t.mentor_id)
    assert entry.subject_id == t.mentee_id and entry.action == "view_mentees"
    assert entry.actor_label == "Mo" and entry.at == clock()

    await t.mentee.press(SCOPE.encode(ScopePress("notes", 1)))
    await t.mentee.press(SCOPE.encode(ScopePress("numbers", 0)))
    [listing] = await t.mentor.command("mentees")
    assert "Latest note: “went to a meeting, talked to my sister”" in listing.text
    assert "Numbers: kept private" in listing.text and "Mood" not in listing.text
    [backup_view] = await t.backup.command("mentees")
    assert "(you're their backup mentor)" in backup_view.text
    assert len(await storage.audit_log(subject_id=t.mentee_id)) == 3


async def test_alerts_lists_open_ones_and_audits_each_view(
    ctx: Context, dispatcher: Dispatcher, storage: SqliteStorage
) -> None:
    t = await team(ctx, dispatcher)
    other, _ = await staff(ctx, dispatcher, Role.MENTOR, "m2", "Ola")
    assert "No open alerts" in (await t.mentor.command("alerts"))[0].text
    await t.mentee.command("sos")
    [listing] = await t.mentor.command("alerts")
    assert "Open alerts (1)" in listing.text and "*Sam* asked for help with /sos" in listing.text
    assert "Told: mentor at" in listing.text
    [alert] = await storage.open_alerts(None)
    [entry] = await storage.audit_log(actor_id=t.mentor_id)
    assert entry.action == "view_alerts" and entry.detail == f"alert {alert.id}"
    assert "Open alerts (1)" in (await t.coordinator.command("alerts"))[0].text
    assert "No open alerts" in (await other.command("alerts"))[0].text
    [refused] = await other.press(listing.buttons[0].payload)
    assert "isn't one of yours" in refused.text
    [own] = await t.mentee.press(listing.buttons[0].payload)  # not about themselves either
    assert "isn't one of yours" in own.text
    [acked] = await t.mentor.press(listing.buttons[0].payload)
    assert "Thank you" in acked.text
    assert "No open alerts" in (await t.mentor.command("alerts"))[0].text
    assert "can't find that alert" in (await t.mentor.press(ACK.encode(AckPress(999))))[0].text


async def test_role_refusals_are_clear(ctx: Context, dispatcher: Dispatcher) -> None:
    t = await team(ctx, dispatcher)
    for command in ("mentees", "alerts", "invite"):
        [refusal] = await t.mentee.command(command)
        assert f"/{command} is for" in refusal.text and "/help" in refusal.text
    for command in ("sharing", "newmentor"):
        [refusal] = await t.mentor.command(command)
        assert "is for mentees" in refusal.text
    help_text = (await t.mentee.command("help"))[0].text
    assert "/sos" in help_text and "/sharing" in help_text and "/mentees" not in help_text
    stranger = Chat(dispatcher, user_id="x1")
    assert "set up first" in (await stranger.command("mentees"))[0].text


async def test_newmentor_tells_the_coordinator_not_the_mentor(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger, storage: SqliteStorage
) -> None:
    t = await team(ctx, dispatcher)
    messenger.clear()
    [reply] = await t.mentee.command("newmentor")
    assert "coordinator" in reply.text and "your mentor isn't told" in reply.text
    assert "asked for a different mentor" in messenger.last("c1").text
    assert messenger.to("m1") == [] and messenger.to("b1") == []
    pairing = await storage.pairing_of(t.mentee_id)
    assert pairing is not None and pairing.change_requested_at is not None


def test_cli_pair_roster_oncall_and_audit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{tmp_path / "cli.db"}"\n', encoding="utf-8")

    async def people() -> dict[str, int]:
        storage = SqliteStorage(tmp_path / "cli.db")
        await storage.open()
        ids = {}
        for n, (name, role) in enumerate(
            [
                ("Mo", Role.MENTOR),
                ("Bea", Role.MENTOR),
                ("Sam", Role.MENTEE),
                ("Cy", Role.COORDINATOR),
            ]
        ):
            account = Account(AccountAddress("test", f"p{n}"), person_id=0, chat_id=f"p{n}")
            person = await storage.create_person(
                account, role=role, consented_at=NOW, display_name=name
            )
            ids[name] = person.id
        await storage.close()
        return ids

    ids = asyncio.run(people())
    run = ["--config", str(config)]
    assert main(["pair", str(ids["Sam"]), str(ids["Mo"]), "--backup", str(ids["Bea"]), *run]) == 0
    assert capsys.readouterr().out == (
        f"paired #{ids['Sam']} Sam with mentor #{ids['Mo']} Mo, backup #{ids['Bea']} Bea."
        " The running bot tells them both.\n"
    )
    assert main(["pair", str(ids["Sam"]), str(ids["Cy"]), *run]) == 1
    assert "is not a mentor" in capsys.readouterr().err
    assert main(["oncall", str(ids["Sam"]), *run]) == 1
    assert main(["oncall", str(ids["Cy"]), *run]) == 0
    assert "Cy" in capsys.readouterr().out
    assert main(["capacity", str(ids["Mo"]), "1", *run]) == 0
    assert main(["roster", *run]) == 0
    roster = capsys.readouterr().out
    assert "1/1" in roster and f"#{ids['Mo']} Mo" in roster and "Coordinator on duty" in roster
    assert main(["audit", "--person", str(ids["Sam"]), *run]) == 0
    audit = capsys.readouterr().out
    assert "command line" in audit and "roster" in audit
    assert main(["unpair", str(ids["Sam"]), *run]) == 0
    assert capsys.readouterr().out == (
        f"#{ids['Sam']} Sam is no longer paired with #{ids['Mo']} Mo."
        " Pair them again with `peerbot pair`.\n"
    )
    assert main(["unpair", str(ids["Sam"]), *run]) == 1
    assert capsys.readouterr().err == f"person {ids['Sam']} has no mentor\n"

    async def notices() -> list[str]:
        storage = SqliteStorage(tmp_path / "cli.db")
        await storage.open()
        messenger = RecordingMessenger("test")
        ctx = assemble(Context(storage, ProgramSettings(), Messengers({"test": messenger})))
        await DueWorker(ctx).tick()  # the pairing was ended: nobody is told any more
        await storage.close()
        return [m.text for _, m in messenger.sent]

    assert asyncio.run(notices()) == []


async def test_coordinator_pairing_is_announced_to_both(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger, storage: SqliteStorage
) -> None:
    _, mentor_id = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    mentee = Chat(dispatcher, user_id="u1")
    await join_with_code(mentee, None, "Sam")
    mentee_id = await person_id(ctx, mentee)
    pairing = await storage.pair(mentee_id, mentor_id, ctx.clock(), default_capacity=5)
    await storage.set_due(pair_notice_work(pairing, ctx.clock()))
    worker = DueWorker(ctx)
    await worker.tick()
    await worker.tick()
    [to_mentee] = [m for m in messenger.to("u1") if "Good news" in m.text]
    assert "*Mo*" in to_mentee.text and "/sharing" in to_mentee.text and to_mentee.buttons
    assert sum("new mentee: *Sam*" in m.text for m in messenger.to("m1")) == 1
    assert pings(messenger) == []


async def test_mentor_sees_when_prompts_cannot_reach_a_mentee(
    ctx: Context, dispatcher: Dispatcher, storage: SqliteStorage
) -> None:
    t = await team(ctx, dispatcher)
    [listing] = await t.mentor.command("mentees")
    assert "can't reach them" not in listing.text
    # What the prompt sender records when Discord refuses a DM and no thread channel is set.
    await storage.update_settings(t.mentee_id, paused_reason="dms_closed")
    [listing] = await t.mentor.command("mentees")
    assert "Discord DMs are closed" in listing.text
    await storage.update_settings(t.mentee_id, paused_reason="telegram: chat not found")
    [listing] = await t.mentor.command("mentees")
    assert "can't reach them right now" in listing.text
