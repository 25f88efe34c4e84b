"""/mydata and /deleteme in conversation, encryption at rest, and the retention purge."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.messaging import ChatKind
from handlers.privacy import texts
from handlers.privacy.commands import ERASE, KEEP, ErasePress, KeepPress
from handlers.privacy.data import purge_expired
from handlers.texts import common
from scheduling.housekeeping import housekeeping
from scheduling.scheduler import build_scheduler
from storage.base import Storage
from storage.crypto import CipherError, TextCipher
from storage.opening import OpenProblem, StorageOpenError
from storage.people import AccountAddress, Role
from storage.sqlite import SqliteStorage
from tests.support import Chat, FakeClock, RecordingMessenger, onboard
from tests.support.mentoring import mentee_of, staff
from tests.support.privacy import FREE_TEXT, NAME, NOTE, build_world, raw_bytes

pytestmark = pytest.mark.backends("sqlite", "postgres")


async def test_mydata_sends_the_json_file_and_a_readable_summary(
    tmp_path: Path, clock: FakeClock
) -> None:
    storage = SqliteStorage(tmp_path / "mine.db")
    await storage.open()
    try:
        world = await build_world(storage, clock)
        (reply,) = await world.subject.command("mydata")
        assert reply.document is not None
        assert reply.document.filename.endswith(".json") and reply.document.filename in reply.text
        data = json.loads(reply.document.data)
        assert data["format"] == "peerbot-export/1" and data["person_id"] == world.subject_id
        notes = [a["value_text"] for a in data["tables"]["checkin_answers"]]
        assert NOTE in notes
        assert data["tables"]["people"][0]["display_name"] == NAME
        assert "1 of them with a note" in reply.text and "a safety plan: yes" in reply.text
        assert "without encryption" in reply.text
        assert "/deleteme" in reply.text  # says what to do next
        # Both platforms give the same record.
        clock.advance(days=1)  # a day after the link, Discord needs no older account's yes
        (on_discord,) = await world.on_discord.command("mydata")
        assert on_discord.document is not None
        assert json.loads(on_discord.document.data)["tables"] == data["tables"]
    finally:
        await storage.close()


async def test_mydata_and_deleteme_typed_in_a_group_are_answered_only_privately(
    dispatcher: Dispatcher, storage: Storage, messenger: RecordingMessenger
) -> None:
    dm = Chat(dispatcher, user_id="u1")
    await onboard(dm)
    group = Chat(dispatcher, user_id="u1", chat_kind=ChatKind.GROUP)
    for command in ("mydata", "deleteme"):
        (reply,) = await group.command(command)
        assert reply.text == common.SENT_PRIVATELY
        assert reply.document is None and not reply.buttons
    private = messenger.to("u1")
    assert private[0].document is not None  # the export, in the person's own chat
    assert private[1].buttons  # the erasure asks there, and nothing is erased yet
    assert await storage.person_for_account(AccountAddress("test", "u1")) is not None


async def test_deleteme_erases_only_on_a_fresh_confirmation(
    dispatcher: Dispatcher, storage: Storage
) -> None:
    chat = Chat(dispatcher, user_id="u1")
    await onboard(chat)
    address = AccountAddress("test", "u1")

    (stale,) = await chat.press(ERASE.encode(ErasePress("deadbeef")))  # a forged or old payload
    assert "older message" in stale.text
    (first,) = await chat.command("deleteme")
    old_token = first.buttons[0].payload
    (kept,) = await chat.press(KEEP.encode(KeepPress()))
    assert kept.text == texts.KEPT
    (stale,) = await chat.press(old_token)  # the confirmation was answered: it is spent
    assert "older message" in stale.text

    await chat.command("deleteme")
    (typed,) = await chat.say("hmm, actually wait")
    assert typed.text == texts.KEPT_TYPED
    assert await storage.person_for_account(address) is not None

    (again,) = await chat.command("deleteme")
    (done,) = await chat.press(again.buttons[0].payload)
    assert done.text == texts.ERASED
    assert await storage.person_for_account(address) is None
    assert await storage.load_conversation(address) is None
    assert len(await storage.erasures()) == 1


async def test_deleteme_before_consent_forgets_the_sign_up(
    dispatcher: Dispatcher, storage: Storage
) -> None:
    stranger = Chat(dispatcher, user_id="u9")
    await stranger.command("start")
    assert await storage.load_conversation(AccountAddress("test", "u9")) is not None
    (reply,) = await stranger.command("deleteme")
    assert reply.text == texts.NOTHING_TO_ERASE
    assert await storage.load_conversation(AccountAddress("test", "u9")) is None
    (mine,) = await stranger.command("mydata")
    assert mine.text == texts.NOTHING_STORED and mine.document is None


async def test_a_mentor_who_leaves_is_announced_to_their_mentees(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger, storage: Storage
) -> None:
    mentor, _ = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    _, mentee_id = await mentee_of(ctx, dispatcher, mentor, "u1", "Sam")
    messenger.clear()
    (confirm,) = await mentor.command("deleteme")
    await mentor.press(confirm.buttons[0].payload)
    (told,) = messenger.to("u1")
    assert told.text == texts.MENTOR_LEFT.format(name="Mo")
    assert await storage.pairing_of(mentee_id) is None


async def test_free_text_is_never_in_the_file_when_a_key_is_set(
    tmp_path: Path, clock: FakeClock
) -> None:
    cipher = TextCipher(TextCipher.generate_key())
    storage = SqliteStorage(tmp_path / "sealed.db", cipher=cipher)
    await storage.open()
    try:
        world = await build_world(storage, clock)
        raw = raw_bytes(storage.path)
        assert NAME.encode() in raw  # the scan reads the real bytes: names are not encrypted
        assert [t for t in FREE_TEXT if t.encode() in raw] == []
        assert b"fernet:" in raw
        # Everyone who may read it still reads the words.
        (mentees,) = await world.mentor.command("mentees")
        assert NOTE in mentees.text
        (mine,) = await world.subject.command("mydata")
        assert mine.document is not None and NOTE in mine.document.data.decode()
        assert "stored encrypted" in mine.text
    finally:
        await storage.close()

    # Without the key the database does not open; and were it opened without the check, its
    # text still could not be read (nothing pretends it can).
    with pytest.raises(StorageOpenError) as refused:
        await SqliteStorage(tmp_path / "sealed.db").open()
    assert refused.value.problem is OpenProblem.KEY_MISSING
    keyless = SqliteStorage(tmp_path / "sealed.db", check_key=False)
    await keyless.open()
    try:
        plan = keyless.get_safety_plan(world.subject_id)
        with pytest.raises(CipherError):
            await plan
    finally:
        await keyless.close()


async def test_legacy_plain_rows_read_with_a_key_and_rotation_encrypts_them(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "legacy.db"
    plain = SqliteStorage(path)
    await plain.open()
    world = await build_world(plain, clock)
    await plain.close()
    first, second = TextCipher.generate_key(), TextCipher.generate_key()
    # A key over plain text is refused until rotation (which opens without the check).
    with pytest.raises(StorageOpenError) as refused:
        await SqliteStorage(path, cipher=TextCipher(first)).open()
    assert refused.value.problem is OpenProblem.NOT_ENCRYPTED
    store = SqliteStorage(path, cipher=TextCipher(first), check_key=False)
    await store.open()
    try:
        plan = await store.get_safety_plan(world.subject_id)
        assert plan is not None and plan.warning_signs.startswith("PLAN-warning")
        assert await store.rotate_cipher(TextCipher(first), None) > len(FREE_TEXT)
        raw = raw_bytes(path)
        assert [t for t in FREE_TEXT if t.encode() in raw] == []
        # A second rotation needs the old key; without it nothing changes.
        with pytest.raises(CipherError):
            await store.rotate_cipher(TextCipher(second), None)
        assert await store.rotate_cipher(TextCipher(second), TextCipher(first)) > 0
        plan = await store.get_safety_plan(world.subject_id)
        assert plan is not None and plan.warning_signs.startswith("PLAN-warning")
    finally:
        await store.close()
    with pytest.raises(StorageOpenError) as refused:
        await SqliteStorage(path, cipher=TextCipher(first)).open()
    assert refused.value.problem is OpenProblem.KEY_WRONG
    stale = SqliteStorage(path, cipher=TextCipher(first), check_key=False)
    await stale.open()
    try:
        with pytest.raises(CipherError):
            await stale.get_safety_plan(world.subject_id)
    finally:
        await stale.close()


async def test_retention_purge_keeps_what_the_settings_allow(
    tmp_path: Path, clock: FakeClock
) -> None:
    storage = SqliteStorage(tmp_path / "purge.db")
    await storage.open()
    try:
        world = await build_world(storage, clock)
        sid = world.subject_id
        nothing = await purge_expired(world.ctx)
        assert (nothing.checkins, nothing.alerts, nothing.audit) == (0, 0, 0)
        assert nothing.link_codes == 1  # only the link code that had expired

        clock.advance(days=400)  # past a year: check-ins and alerts go, the audit log stays
        counts = await housekeeping(world.ctx)
        assert counts is not None
        # The subject's check-in (staff, whose check-ins are off, were never prompted).
        assert counts.checkins >= 1 and counts.alerts >= 2 and counts.audit == 0
        assert await storage.latest_checkin(sid) is None
        assert await storage.open_alerts([sid]) == []
        assert await storage.audit_log(subject_id=sid)
        assert await storage.get_safety_plan(sid) is not None  # kept until /deleteme

        clock.advance(days=2190)
        assert (await purge_expired(world.ctx)).audit > 0
        assert await storage.audit_log(subject_id=sid) == []
    finally:
        await storage.close()


async def test_a_sign_up_nobody_consented_to_is_forgotten_after_a_week(
    dispatcher: Dispatcher, storage: Storage, clock: FakeClock, ctx: Context
) -> None:
    await Chat(dispatcher, user_id="u9").command("start")
    clock.advance(days=8)
    assert (await purge_expired(ctx)).conversations == 1
    assert await storage.load_conversation(AccountAddress("test", "u9")) is None


def test_the_scheduler_runs_the_purge_daily_as_a_static_job() -> None:
    async def nothing() -> None:
        return None

    scheduler = build_scheduler(nothing, 20, housekeeping=nothing)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"due-work-tick", "housekeeping"}
    assert jobs["housekeeping"].trigger.interval == timedelta(days=1)


async def test_a_failing_purge_is_logged_by_type_only(
    ctx: Context, storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    await storage.close()  # every query now fails
    assert await housekeeping(ctx) is None
    assert "retention purge failed: RuntimeError" in caplog.text
    await storage.open()
