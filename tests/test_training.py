"""Mentors' training and supervision: where a mentor stands (pure), logging in the chat, the
reminders 30 and 7 days before an expiry on a fake clock (once each, kept across a restart),
``[training]`` in the config, holding a lapsed mentor back, and erasure."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import ConfigError, load_config
from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.matching import suggest
from handlers.messaging import Messengers
from handlers.privacy.data import SELF, erase_person
from handlers.program import ProgramSettings, TrainingSettings
from handlers.texts import common
from handlers.training import reminders
from handlers.training import texts as training_texts
from handlers.training.status import Standing, training_status
from scheduling.due import DueWorker
from storage.base import Storage
from storage.deliveries import DeliveryStatus
from storage.matching import MatchProfile
from storage.people import Role
from storage.sqlite import SqliteStorage
from storage.training import Supervision, Training
from tests.support import FakeClock, RecordingMessenger, onboard
from tests.support.chat import Chat
from tests.support.mentoring import staff

TODAY = date(2026, 11, 27)
RULES = TrainingSettings(
    required=("Ethics", "Naloxone"), hours_per_year=10, supervision_per_month=1
)


def training(course: str, done: date, hours: float = 4, expires: date | None = None) -> Training:
    return Training(1, 1, course, "Academy", done, hours, expires, datetime(2026, 1, 1, tzinfo=UTC))


def session(held: date) -> Supervision:
    return Supervision(1, 1, held, "Rae", 60, datetime(2026, 1, 1, tzinfo=UTC))


def test_standing_against_the_requirements() -> None:
    nothing = training_status([], [], RULES, TODAY)
    assert nothing.standing is Standing.DUE and nothing.missing == ("Ethics", "Naloxone")
    good = [
        training("ethics", date(2026, 6, 1), 6),  # compared without regard to case
        training("Naloxone", date(2026, 5, 1), 4, expires=date(2027, 5, 1)),
    ]
    ok = training_status(good, [session(date(2026, 11, 20))], RULES, TODAY)
    assert ok.standing is Standing.OK and ok.hours == 10 and ok.supervision == 1
    soon = [good[0], training("Naloxone", date(2024, 12, 1), 4, expires=date(2026, 12, 20))]
    due = training_status(soon, [session(date(2026, 11, 20))], RULES, TODAY)
    assert due.standing is Standing.DUE and due.expiring == (("Naloxone", date(2026, 12, 20)),)
    assert due.hours_short  # the 2024 course is outside the last 365 days
    old = [good[0], training("Naloxone", date(2024, 1, 1), 4, expires=date(2026, 1, 1))]
    lapsed = training_status(old, [], RULES, TODAY)
    assert lapsed.standing is Standing.LAPSED and lapsed.lapsed == ("Naloxone",)
    assert lapsed.supervision_short
    renewed = [*old, training("NALOXONE", date(2026, 11, 1), 4, expires=date(2028, 11, 1))]
    assert training_status(renewed, [session(TODAY)], RULES, TODAY).lapsed == ()
    assert training_status([], [], TrainingSettings(), TODAY).standing is Standing.OK


@pytest.fixture
def trained_ctx(ctx: Context) -> Context:
    return replace(ctx, program=replace(ctx.program, training=RULES))


async def test_a_mentor_logs_a_training_and_the_reminders_come_on_time(
    storage: Storage, clock: FakeClock, messenger: RecordingMessenger, trained_ctx: Context
) -> None:
    dispatcher = build_dispatcher(trained_ctx)
    mentor, mentor_id = await staff(trained_ctx, dispatcher, Role.MENTOR, "m1", "Mo")  # Denver
    [overview] = await mentor.command("training")
    assert "Still to do: Ethics, Naloxone." in overview.text
    [ask] = await mentor.press_label("Log a training")
    assert [b.label for b in ask.buttons] == ["Ethics", "Naloxone", "Cancel"]
    await mentor.press_label("Naloxone")
    await mentor.say("County health department")
    [future] = await mentor.say("2027-01-01")
    assert future.text == training_texts.DATE_IN_FUTURE
    await mentor.press_label("Today")
    [bad] = await mentor.say("lots")
    assert bad.text == training_texts.HOURS_NOT_UNDERSTOOD
    await mentor.say("1.5")
    [before] = await mentor.say("2026-01-01")
    assert before.text == training_texts.EXPIRY_BEFORE
    [saved] = await mentor.say("2027-01-15")
    assert "Naloxone (County health department), 1.5 h." in saved.text
    assert "30 and 7 days before it expires on 15 January 2027" in saved.text
    [entry] = await storage.trainings_of(mentor_id)
    assert entry.completed_on == date(2026, 11, 27) and entry.hours == 1.5

    # The 30-day reminder: 16 December 2026, 10:00 in Denver (17:00 UTC).
    row = await storage.get_due(reminders.TRAINING_EXPIRY, str(entry.id))
    assert row is not None and row.due_at == datetime(2026, 12, 16, 17, 0, tzinfo=UTC)
    assert reminders.TRAINING_EXPIRY in trained_ctx.capabilities.routine_kinds
    worker = DueWorker(trained_ctx)
    clock.set(row.due_at - timedelta(minutes=1))
    await worker.tick()
    assert not any("heads-up" in m.text for m in messenger.to("m1"))
    clock.set(row.due_at + timedelta(seconds=5))
    await worker.tick()
    await worker.tick()
    reminders_sent = [m.text for m in messenger.to("m1") if "heads-up" in m.text]
    assert reminders_sent == [
        training_texts.EXPIRY_REMINDER.format(
            course="Naloxone", date="15 January 2027", days="30 days"
        )
    ]
    status = await storage.delivery_status(
        reminders.TRAINING_EXPIRY, str(entry.id), "2027-01-15:30"
    )
    assert status is DeliveryStatus.SENT

    # The 7-day one, after a restart: a new storage object and worker on the same file.
    assert isinstance(storage, SqliteStorage)
    again = SqliteStorage(storage.path)
    await again.open()
    try:
        restarted = assemble(replace(trained_ctx, storage=again))
        nxt = await again.get_due(reminders.TRAINING_EXPIRY, str(entry.id))
        assert nxt is not None and nxt.due_at == datetime(2027, 1, 8, 17, 0, tzinfo=UTC)
        clock.set(nxt.due_at + timedelta(minutes=1))
        await DueWorker(restarted).tick()
        await DueWorker(restarted).tick()
        assert await again.get_due(reminders.TRAINING_EXPIRY, str(entry.id)) is None
    finally:
        await again.close()
    sent = [m.text for m in messenger.to("m1") if "heads-up" in m.text]
    assert len(sent) == 2 and "in 7 days" in sent[1]


async def test_a_renewal_silences_the_old_entrys_reminder(
    storage: Storage,
    clock: FakeClock,
    messenger: RecordingMessenger,
    ctx: Context,
    dispatcher: Dispatcher,
) -> None:
    _, mentor_id = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    old = await storage.log_training(
        mentor_id,
        course="Ethics",
        provider="A",
        completed_on=date(2025, 12, 1),
        hours=6,
        expires_on=date(2026, 12, 31),
        now=clock(),
    )
    row = await reminders.schedule(ctx, old)
    assert row is not None and row.occurrence == "2026-12-31:30"
    await storage.log_training(
        mentor_id,
        course="ethics",
        provider="A",
        completed_on=date(2026, 11, 27),
        hours=6,
        expires_on=date(2027, 12, 31),
        now=clock(),
    )
    clock.set(row.due_at + timedelta(seconds=1))
    await DueWorker(ctx).tick()
    assert not any("heads-up" in m.text for m in messenger.to("m1"))
    assert await storage.get_due(reminders.TRAINING_EXPIRY, str(old.id)) is None


async def test_a_new_zone_moves_a_waiting_reminder_and_never_skips_one(
    ctx: Context, dispatcher: Dispatcher, storage: Storage, clock: FakeClock
) -> None:
    mentor, mentor_id = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")  # Denver
    entry = await storage.log_training(
        mentor_id,
        course="Ethics",
        provider="A",
        completed_on=date(2026, 1, 1),
        hours=6,
        expires_on=date(2027, 1, 31),
        now=clock(),
    )
    row = await reminders.schedule(ctx, entry)
    assert row is not None and row.due_at == datetime(2027, 1, 1, 17, 0, tzinfo=UTC)
    await storage.update_settings(mentor_id, timezone="Asia/Tokyo")
    await ctx.capabilities.schedule_changed(ctx, mentor_id)
    moved = await storage.get_due(reminders.TRAINING_EXPIRY, str(entry.id))
    assert moved is not None and moved.due_at == datetime(2027, 1, 1, 1, 0, tzinfo=UTC)
    assert moved.occurrence == "2027-01-31:30"
    # Past its time but not yet sent (the bot was down): a change keeps the same mark, due now.
    clock.set(datetime(2027, 1, 2, tzinfo=UTC))
    await storage.update_settings(mentor_id, timezone="America/Denver")
    await ctx.capabilities.schedule_changed(ctx, mentor_id)
    kept = await storage.get_due(reminders.TRAINING_EXPIRY, str(entry.id))
    assert kept is not None and kept.occurrence == "2027-01-31:30" and kept.due_at < clock()
    assert mentor is not None


async def test_logging_late_schedules_only_the_marks_still_ahead(clock: FakeClock) -> None:
    entry = training("Ethics", TODAY, expires=TODAY + timedelta(days=20))
    work = reminders.reminder_work(entry, "Europe/Berlin", clock())
    assert work is not None and work.occurrence.endswith(":7")
    assert work.due_at == datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    too_late = training("Ethics", TODAY, expires=TODAY + timedelta(days=3))
    assert reminders.reminder_work(too_late, "Europe/Berlin", clock()) is None
    assert reminders.reminder_work(training("Ethics", TODAY), "UTC", clock()) is None


async def test_supervision_keeps_date_supervisor_and_minutes_only(
    chat: Chat, ctx: Context, dispatcher: Dispatcher, storage: Storage
) -> None:
    mentor, mentor_id = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    [ask] = await mentor.command("supervision")
    assert "never what you talked about" in ask.text
    [bad_date] = await mentor.say("the thirty-second of Smarch")
    assert bad_date.text.startswith("I couldn't read that date.")
    await mentor.say("yesterday")
    await mentor.say("Dr Rae Okafor")
    [bad] = await mentor.say("an hour")
    assert bad.text == training_texts.MINUTES_NOT_UNDERSTOOD
    [saved] = await mentor.say("50")
    assert "Dr Rae Okafor" in saved.text and "50 minutes" in saved.text
    [logged] = await storage.supervision_of(mentor_id)
    assert (logged.held_on, logged.supervisor, logged.minutes) == (
        date(2026, 11, 26),
        "Dr Rae Okafor",
        50,
    )
    # A mentee has no training log.
    await onboard(chat)
    [refused] = await chat.command("supervision")
    assert refused.text.startswith("/supervision is for ")


async def test_a_lapsed_mentor_is_held_back_only_when_the_config_says_so(
    ctx: Context, dispatcher: Dispatcher, storage: Storage, clock: FakeClock
) -> None:
    _, lapsed = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Lee")
    _, fine = await staff(ctx, dispatcher, Role.MENTOR, "m2", "Fay")
    chat = Chat(dispatcher, user_id="u1")
    await onboard(chat)
    for mentor_id, expires in ((lapsed, date(2026, 1, 1)), (fine, date(2027, 6, 1))):
        await storage.log_training(
            mentor_id,
            course="Naloxone",
            provider="A",
            completed_on=date(2025, 1, 1),
            hours=2,
            expires_on=expires,
            now=clock(),
        )
    rules = TrainingSettings(required=("Naloxone",))
    lenient = replace(ctx, program=replace(ctx.program, training=rules))
    [waiting] = await suggest.all_suggestions(lenient)
    assert {s.mentor.mentor_id for s in waiting.suggestions} == {lapsed, fine}
    held = replace(
        ctx,
        program=replace(ctx.program, training=replace(rules, hold_lapsed_from_new_pairings=True)),
    )
    [waiting] = await suggest.all_suggestions(held)
    assert [s.mentor.mentor_id for s in waiting.suggestions] == [fine]


async def test_erasure_removes_the_profile_and_the_logs(
    ctx: Context, dispatcher: Dispatcher, storage: Storage, clock: FakeClock
) -> None:
    mentor, mentor_id = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    await storage.save_match_profile(MatchProfile(mentor_id, languages=frozenset({"en"})), clock())
    entry = await storage.log_training(
        mentor_id,
        course="Ethics",
        provider="A",
        completed_on=date(2026, 1, 1),
        hours=6,
        expires_on=date(2027, 1, 1),
        now=clock(),
    )
    await reminders.schedule(ctx, entry)
    await storage.log_supervision(
        mentor_id, held_on=date(2026, 11, 1), supervisor="Rae", minutes=60, now=clock()
    )
    [summary] = await mentor.command("mydata")
    assert "a matching profile: yes; 1 training and 1 supervision session logged" in summary.text
    exported = await storage.export_person(mentor_id, ctx.capabilities.ledger_kinds)
    assert [len(exported[t]) for t in ("match_profiles", "trainings", "supervision_sessions")] == [
        1,
        1,
        1,
    ]
    assert exported["trainings"][0]["course"] == "Ethics"
    assert await erase_person(ctx, mentor_id, requested_by=SELF) is not None
    assert await storage.match_profile(mentor_id) is None
    assert await storage.trainings_of(mentor_id) == []
    assert await storage.supervision_of(mentor_id) == []
    assert await storage.get_due(reminders.TRAINING_EXPIRY, str(entry.id)) is None


def test_the_training_section_of_the_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[training]\nrequired = ["Ethics", " Naloxone "]\nhours_per_year = 12\n'
        "supervision_per_month = 1\nhold_lapsed_from_new_pairings = true\n"
    )
    settings = load_config(path, env={}).program.training
    assert settings == TrainingSettings(("Ethics", "Naloxone"), 12.0, 1, True)
    for bad, says in (
        ('required = "Ethics"', "must be a list of course names"),
        ('required = ["Ethics", "ethics"]', "names a course twice"),
        ("supervision_per_month = -1", "must be between 0 and 31"),
        ('hold_lapsed_from_new_pairings = "yes"', "must be true or false"),
    ):
        path.write_text(f"[training]\n{bad}\n")
        with pytest.raises(ConfigError) as err:
            load_config(path, env={})
        assert says in str(err.value) and "[training]" in str(err.value)
    assert ProgramSettings().training == TrainingSettings()


_STEPS = ("course", "provider", "date", "hours", "expiry")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    step=st.sampled_from(_STEPS),
    text=st.text(max_size=200) | st.sampled_from(["0", "-1", "1e9", "٣", "2026-02-30", "x" * 500]),
)
def test_any_text_at_any_step_gets_a_kind_answer(step: str, text: str) -> None:
    """Whatever a mentor types at a step of logging a training, the answer is a question or a
    kind correction (never the something-went-wrong reply), and nothing half-made is stored."""

    async def run() -> None:
        with tempfile.TemporaryDirectory() as folder:
            store = SqliteStorage(Path(folder) / "t.db")
            await store.open()
            try:
                ctx = assemble(Context(store, messengers=Messengers(), clock=FakeClock()))
                dispatcher = build_dispatcher(ctx)
                mentor, mentor_id = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
                await mentor.command("training")
                await mentor.press_label("Log a training")
                for answer in ("Ethics", "Academy", "today", "6")[: _STEPS.index(step)]:
                    await mentor.say(answer)
                replies = await mentor.say(text)
                assert replies and all(r.text != common.SOMETHING_WENT_WRONG for r in replies)
                trainings = await store.trainings_of(mentor_id)
                assert trainings == [] or (step == "expiry" and len(trainings) == 1)
            finally:
                await store.close()

    asyncio.run(run())


async def test_a_spanish_speaking_mentor_logs_in_spanish_and_is_reminded_in_spanish(
    storage: Storage, clock: FakeClock, messenger: RecordingMessenger, trained_ctx: Context
) -> None:
    """The flow's questions and buttons, a decimal comma, a date typed in Spanish and the
    reminder the due worker sends later: all in the mentor's language."""
    dispatcher = build_dispatcher(trained_ctx)
    mentor, mentor_id = await staff(trained_ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    await storage.update_settings(mentor_id, language="es")
    [overview] = await mentor.command("training")
    assert "Pendiente: Ethics, Naloxone." in overview.text
    [ask] = await mentor.press_label("Registrar una capacitación")
    assert [b.label for b in ask.buttons] == ["Ethics", "Naloxone", "Cancelar"]
    await mentor.press_label("Naloxone")
    [when] = await mentor.say("Departamento de salud del condado")
    assert when.text.startswith("¿Cuándo la completaste?")
    await mentor.press_label("Hoy")
    await mentor.say("1,5")
    [saved] = await mentor.say("15 de enero de 2027")
    assert "Naloxone (Departamento de salud del condado), 1,5 h." in saved.text
    assert "Te lo recordaré 30 y 7 días antes de que venza, el 15 de enero de 2027." in saved.text
    [entry] = await storage.trainings_of(mentor_id)
    assert entry.hours == 1.5 and entry.expires_on == date(2027, 1, 15)

    row = await storage.get_due(reminders.TRAINING_EXPIRY, str(entry.id))
    assert row is not None
    clock.set(row.due_at + timedelta(seconds=5))
    await DueWorker(trained_ctx).tick()
    [reminder] = [m.text for m in messenger.to("m1") if "capacitación *Naloxone*" in m.text]
    assert reminder.startswith("Un aviso: tu capacitación *Naloxone* vence el 15 de enero de 2027")
    assert "30 días" in reminder
