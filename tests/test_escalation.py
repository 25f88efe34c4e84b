"""Alerts and the escalation chain, on a fake clock: triggers, pings, acknowledgements."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.account.onboarding import CONSENT_YES, ConsentYesPress
from handlers.app import assemble, build_dispatcher
from handlers.checkins import alerts as checkin_alerts
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.messaging import ChatKind, DeliveryError, DeliveryFailure, Messengers
from handlers.program import EscalationSettings, ProgramSettings
from scheduling.due import DueWorker
from storage.base import Storage
from storage.mentoring import ChainRole, Severity, Trigger
from storage.people import AccountAddress, Role
from tests.support import Chat, FakeClock, RecordingMessenger
from tests.support.mentoring import ACK_PREFIX, join_with_code, pings, staff, team

pytestmark = pytest.mark.backends("sqlite", "postgres")

CRISIS_TEXT = "honestly i want to kill myself"


async def test_chain_climbs_on_the_fake_clock_until_acknowledged(
    ctx: Context,
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: Storage,
) -> None:
    """Mentor at once; backup after urgent_ack_minutes; then the coordinator on duty; an
    acknowledgement stops the climb and is logged with who and when."""
    t = await team(ctx, dispatcher)
    worker = DueWorker(ctx)
    await worker.tick()  # pairing notices
    messenger.clear()
    start = clock()
    [reply] = await t.mentee.command("sos")
    assert reply.text.index("988") < reply.text.index("let your mentor know")
    [ping] = pings(messenger, "m1")
    assert "*Sam*" in ping.text and "Urgent" in ping.text and "/sos" in ping.text
    [alert] = await storage.open_alerts([t.mentee_id])
    assert alert.severity is Severity.URGENT and alert.trigger is Trigger.SOS
    assert ping.buttons[0].payload == f"{ACK_PREFIX}{alert.id}"

    clock.set(start + timedelta(minutes=9, seconds=59))
    await worker.tick()
    assert pings(messenger, "b1") == []
    clock.set(start + timedelta(minutes=10))
    await worker.tick()
    [backup_ping] = pings(messenger, "b1")
    assert "backup mentor" in backup_ping.text
    assert pings(messenger, "c1") == []
    clock.set(start + timedelta(minutes=20))
    await worker.tick()
    [coordinator_ping] = pings(messenger, "c1")
    assert "coordinator on duty" in coordinator_ping.text
    steps = await storage.steps_of(alert.id)
    assert [(s.role, s.notified_at - start) for s in steps] == [
        (ChainRole.MENTOR, timedelta(0)),
        (ChainRole.BACKUP, timedelta(minutes=10)),
        (ChainRole.COORDINATOR, timedelta(minutes=20)),
    ]

    clock.set(start + timedelta(minutes=23))
    [acked] = await t.coordinator.press(coordinator_ping.buttons[0].payload)
    assert "acknowledged the alert for *Sam*" in acked.text
    stored = await storage.get_alert(alert.id)
    assert stored is not None
    assert stored.acked_by == t.coordinator_id and stored.acked_at == start + timedelta(minutes=23)
    assert "acknowledged by Cy" in messenger.last("m1").text  # the others hear it is in hand
    assert "acknowledged by Cy" in messenger.last("b1").text
    assert await storage.get_due("escalation", str(alert.id)) is None
    before = len(pings(messenger))
    clock.set(start + timedelta(hours=2))
    await worker.tick()
    assert len(pings(messenger)) == before  # nothing climbs any more
    late = await t.mentor.press(ping.buttons[0].payload)
    assert "already acknowledged by Cy" in late[0].text


async def test_normal_alert_waits_normal_ack_hours_and_ack_stops_it(
    ctx: Context,
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: Storage,
) -> None:
    t = await team(ctx, dispatcher)
    worker = DueWorker(ctx)
    start = clock()
    await t.mentee.command("checkin")
    await t.mentee.say("3")
    await t.mentee.say("9")  # craving >= 8
    await t.mentee.say("no")
    closing = await t.mentee.press_label("Skip")
    assert "let your mentor know" in closing[-1].text
    [ping] = pings(messenger, "m1")
    assert "Heads-up" in ping.text and "strong craving" in ping.text and "9" not in ping.text
    clock.set(start + timedelta(hours=11, minutes=59))
    await worker.tick()
    assert pings(messenger, "b1") == []
    clock.set(start + timedelta(hours=12))
    await worker.tick()
    assert len(pings(messenger, "b1")) == 1
    [acked] = await t.backup.press(ping.buttons[0].payload)  # the backup may acknowledge it
    assert "Thank you" in acked.text
    clock.set(start + timedelta(hours=30))
    await worker.tick()
    assert pings(messenger, "c1") == []


async def test_mentor_ack_before_the_wait_means_no_backup_ping(
    ctx: Context, dispatcher: Dispatcher, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    t = await team(ctx, dispatcher)
    await t.mentee.say(CRISIS_TEXT)
    [ping] = pings(messenger, "m1")
    clock.advance(minutes=4)
    await t.mentor.press(ping.buttons[0].payload)
    clock.advance(minutes=30)
    await DueWorker(ctx).tick()
    assert pings(messenger, "b1") == [] and pings(messenger, "c1") == []


async def test_crisis_mid_checkin_pings_without_the_message_text(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger, storage: Storage
) -> None:
    t = await team(ctx, dispatcher)
    await t.mentee.command("checkin")
    [reply] = await t.mentee.say(CRISIS_TEXT)
    assert "988" in reply.text and "let your mentor know" in reply.text
    [ping] = pings(messenger, "m1")
    assert "kill" not in ping.text and "honestly" not in ping.text
    assert "may mean they're in crisis" in ping.text
    state = await storage.load_conversation(AccountAddress("test", "u1"))
    assert state is not None and state.flow == "ck"  # the check-in is still open


async def test_crisis_during_onboarding_pings_the_inviting_mentor(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger
) -> None:
    mentor, _ = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    code = (await mentor.command("invite"))[0].text.split("*")[1]
    newcomer = Chat(dispatcher, user_id="u9")
    await newcomer.command("start", code)
    await newcomer.press(CONSENT_YES.encode(ConsentYesPress()))  # paired now; asked for a name next
    [reply] = await newcomer.say("i dont want to be alive anymore")
    assert "988" in reply.text and "let your mentor know" in reply.text
    [ping] = pings(messenger, "m1")
    assert "*a new mentee*" in ping.text  # no name chosen yet, and none made up


async def test_crisis_before_consent_gets_resources_and_no_mentor_line(
    chat: Chat, messenger: RecordingMessenger, storage: Storage
) -> None:
    await chat.command("start")
    [reply] = await chat.say(CRISIS_TEXT)
    assert "988" in reply.text and "741741" in reply.text
    assert "not an emergency service" in reply.text and "mentor know" not in reply.text
    assert await storage.open_alerts(None) == []
    assert pings(messenger) == []


async def test_without_a_mentor_the_coordinator_on_duty_is_pinged(
    ctx: Context, dispatcher: Dispatcher, chat: Chat, messenger: RecordingMessenger
) -> None:
    _, coordinator_id = await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
    await ctx.storage.set_on_duty(coordinator_id, ctx.clock())
    await join_with_code(chat, None, "Sam")
    [reply] = await chat.say(CRISIS_TEXT)
    assert "988" in reply.text and "not an emergency service" in reply.text  # no mentor yet
    [ping] = pings(messenger, "c1")
    assert "coordinator on duty" in ping.text and "*Sam*" in ping.text


async def test_crisis_in_a_group_goes_private_and_pings(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger, storage: Storage
) -> None:
    t = await team(ctx, dispatcher)
    await t.mentee.command("safetyplan")
    await t.mentee.say("staying up all night")
    group = Chat(dispatcher, user_id="u1", chat_kind=ChatKind.GROUP)
    [public] = await group.say("i dont want to be alive anymore")
    assert "988" in public.text and "private message" in public.text
    assert "safety plan" not in public.text and "staying up" not in public.text
    private = messenger.last("u1")  # chat id = user id: their DM
    assert "988" in private.text and "staying up all night" in private.text
    assert "let your mentor know" in private.text
    assert len(pings(messenger, "m1")) == 1


async def test_group_crisis_when_the_dm_fails_still_answers_in_the_group(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger
) -> None:
    t = await team(ctx, dispatcher)
    await t.mentee.command("safetyplan")
    await t.mentee.say("staying up all night")
    messenger.failures.append(DeliveryError(DeliveryFailure.BLOCKED, permanent=True))
    group = Chat(dispatcher, user_id="u1", chat_kind=ChatKind.GROUP)
    [public] = await group.say("i dont want to be alive anymore")
    assert "988" in public.text and "staying up" not in public.text


async def test_an_unknown_person_in_a_group_gets_resources(dispatcher: Dispatcher) -> None:
    stranger = Chat(dispatcher, user_id="x1", chat_kind=ChatKind.GROUP)
    [reply] = await stranger.say("i want to end my life")
    assert "988" in reply.text


async def test_cross_platform_ping_acknowledged_by_button(
    storage: Storage, clock: FakeClock
) -> None:
    """A Telegram mentee's /sos reaches their Discord mentor, who acknowledges it there."""
    telegram, discord = RecordingMessenger("telegram"), RecordingMessenger("discord")
    messengers = Messengers({"telegram": telegram, "discord": discord})
    ctx = assemble(Context(storage, ProgramSettings(), messengers, clock))
    dispatcher = build_dispatcher(ctx)
    mentor, mentor_id = await staff(ctx, dispatcher, Role.MENTOR, "700", "Mo", platform="discord")
    code = (await mentor.command("invite"))[0].text.split("*")[1]
    mentee = Chat(dispatcher, user_id="42", platform="telegram")
    await join_with_code(mentee, code, "Sam")
    [reply] = await mentee.command("sos")
    assert "988" in reply.text and "let your mentor know" in reply.text
    assert pings(telegram) == []
    [ping] = pings(discord, "700")
    [acked] = await mentor.press(ping.buttons[0].payload)
    assert "acknowledged the alert for *Sam*" in acked.text
    [alert] = await storage.audit_log(actor_id=mentor_id)
    stored = await storage.get_alert(int(ping.buttons[0].payload.removeprefix(ACK_PREFIX)))
    assert stored is not None and stored.acked_by == mentor_id and stored.acked_at == clock()
    assert alert.action == "ack_alert"


async def test_one_urgent_alert_per_half_hour_but_always_the_resources(
    ctx: Context,
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: Storage,
) -> None:
    t = await team(ctx, dispatcher)
    for _ in range(3):
        [reply] = await t.mentee.say(CRISIS_TEXT)
        assert "988" in reply.text and "let your mentor know" in reply.text
        clock.advance(minutes=5)
    [reply] = await t.mentee.command("sos")
    assert "988" in reply.text
    assert len(await storage.open_alerts([t.mentee_id])) == 1
    assert len(pings(messenger, "m1")) == 1
    clock.advance(minutes=30)
    await t.mentee.say(CRISIS_TEXT)
    assert len(await storage.open_alerts([t.mentee_id])) == 2


async def test_checkin_triggers_use_and_low_mood_run(
    ctx: Context, dispatcher: Dispatcher, clock: FakeClock, storage: Storage
) -> None:
    t = await team(ctx, dispatcher)

    async def checkin(mood: str, used: str = "no") -> str:
        await t.mentee.command("checkin")
        await t.mentee.say(mood)
        await t.mentee.say("2")
        await t.mentee.say(used)
        return (await t.mentee.press_label("Skip"))[-1].text

    closing = await checkin("4", used="yes")
    assert "let your mentor know" in closing
    assert [a.trigger for a in await storage.open_alerts([t.mentee_id])] == [Trigger.USE]
    for _ in range(4):
        clock.advance(days=1)
        await checkin("2")
    triggers = [a.trigger for a in await storage.open_alerts([t.mentee_id])]
    assert triggers == [Trigger.USE, Trigger.LOW_MOOD]  # once, at the third low mood


async def checkin_reporting_use(mentee: Chat) -> tuple[int, str]:
    """A whole check-in answering "yes" to use; returns its id and the closing reply."""
    [first_question] = await mentee.command("checkin")
    checkin_id = int(first_question.buttons[0].payload.split(":")[1])
    for answer in ("4", "2", "yes"):
        await mentee.say(answer)
    return checkin_id, (await mentee.press_label("Skip"))[-1].text


async def test_a_failed_alert_check_after_a_checkin_is_done_by_the_due_queue(
    ctx: Context,
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: Storage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The completion and the alert check are queued in one transaction: if the check fails
    (here the alert store; a crash would do the same) the check-in is still complete, and
    the due queue raises the alert a couple of minutes later."""
    t = await team(ctx, dispatcher)
    worker = DueWorker(ctx)
    await worker.tick()  # pairing notices
    messenger.clear()
    real_create_alert = storage.create_alert

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(storage, "create_alert", broken)
    checkin_id, closing = await checkin_reporting_use(t.mentee)
    assert "Thank you" in closing and "let your mentor know" not in closing
    assert await storage.open_alerts([t.mentee_id]) == []
    checkin = await storage.get_checkin(checkin_id)
    assert checkin is not None and checkin.completed_at is not None
    assert await storage.get_due(checkin_alerts.CHECKIN_ALERT, str(checkin_id)) is not None

    monkeypatch.setattr(storage, "create_alert", real_create_alert)
    clock.advance(minutes=1)
    await worker.tick()
    assert await storage.open_alerts([t.mentee_id]) == []  # the turn still has its grace
    clock.advance(minutes=1, seconds=1)
    await worker.tick()
    [alert] = await storage.open_alerts([t.mentee_id])
    assert alert.trigger is Trigger.USE
    assert len(pings(messenger, "m1")) == 1
    assert await storage.get_due(checkin_alerts.CHECKIN_ALERT, str(checkin_id)) is None


async def test_a_checkin_checked_at_once_leaves_nothing_for_the_due_queue(
    ctx: Context,
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: Storage,
) -> None:
    t = await team(ctx, dispatcher)
    worker = DueWorker(ctx)
    await worker.tick()
    messenger.clear()
    checkin_id, closing = await checkin_reporting_use(t.mentee)
    assert "let your mentor know" in closing
    assert await storage.get_due(checkin_alerts.CHECKIN_ALERT, str(checkin_id)) is None
    clock.advance(minutes=5)
    await worker.tick()
    assert len(await storage.open_alerts([t.mentee_id])) == 1
    assert len(pings(messenger, "m1")) == 1  # pinged once, by the turn itself


async def test_missed_checkins_raise_a_normal_alert(
    ctx: Context,
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: Storage,
) -> None:
    t = await team(ctx, dispatcher)
    worker = DueWorker(ctx)
    first_due = await storage.get_due("checkin", str(t.mentee_id))
    assert first_due is not None
    for day in range(4):
        clock.set(first_due.due_at + timedelta(days=day, seconds=1))
        await worker.tick()
    [alert] = await storage.open_alerts([t.mentee_id])
    assert alert.trigger is Trigger.MISSED and alert.severity is Severity.NORMAL
    assert any("missed 3 check-ins" in m.text for m in pings(messenger, "m1"))


async def test_a_transient_failure_is_retried_at_the_same_step(
    ctx: Context,
    dispatcher: Dispatcher,
    clock: FakeClock,
    messenger: RecordingMessenger,
    storage: Storage,
) -> None:
    t = await team(ctx, dispatcher)

    async def no_sleep(seconds: float) -> None:
        return None

    flaky = assemble(Context(storage, ctx.program, ctx.messengers, clock, no_sleep))
    flaky_dispatcher = build_dispatcher(flaky)
    mentee = Chat(flaky_dispatcher, user_id="u1")
    messenger.failures.extend([DeliveryError(DeliveryFailure.TIMEOUT)] * 4)
    [reply] = await mentee.command("sos")
    assert "988" in reply.text and "let your mentor know" in reply.text
    assert pings(messenger, "m1") == []
    [alert] = await storage.open_alerts([t.mentee_id])
    row = await storage.get_due("escalation", str(alert.id))
    assert row is not None and row.occurrence == "1"
    clock.advance(minutes=1)
    await DueWorker(flaky).tick()
    assert len(pings(messenger, "m1")) == 1 and pings(messenger, "b1") == []


async def test_a_broken_alert_store_never_stops_the_crisis_reply(
    ctx: Context, dispatcher: Dispatcher, storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = await team(ctx, dispatcher)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(storage, "create_alert", broken)
    [reply] = await t.mentee.say(CRISIS_TEXT)
    assert "988" in reply.text and "not an emergency service" in reply.text
    [reply] = await t.mentee.command("sos")
    assert "988" in reply.text


async def test_urgent_wait_comes_from_config(
    storage: Storage, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    program = ProgramSettings(escalation=EscalationSettings(urgent_ack_minutes=3))
    ctx = assemble(Context(storage, program, Messengers({"test": messenger}), clock))
    dispatcher = build_dispatcher(ctx)
    t = await team(ctx, dispatcher)
    await t.mentee.command("sos")
    clock.advance(minutes=3)
    await DueWorker(ctx).tick()
    assert len(pings(messenger, "b1")) == 1
