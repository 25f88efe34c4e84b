"""The Telegram adapter end to end: the real python-telegram-bot, the Telegram emulator
(tests/telegram_emulator) and the real core on SQLite. Needs node and
`npm ci --prefix tests/telegram_emulator`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import struct
import time
import zlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from telegram import Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from bot.adapters.telegram import TelegramAdapter, TelegramSettings
from bot.adapters.telegram_messenger import delivery_error, render_html, split_text
from handlers.account import onboarding_texts as ob_texts
from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.messaging import (
    Button,
    ConversationRef,
    DeliveryError,
    DeliveryFailure,
    Document,
    Image,
    IncomingEvent,
    OutgoingMessage,
)
from handlers.texts import common
from handlers.texts import profile as profile_texts
from scheduling.due import DueWorker
from storage.people import AccountAddress, InviteCode, Role
from storage.sqlite import SqliteStorage
from tests.support import FakeClock
from tests.support.emulator import EmulatorHandle

USER = 5151
MENTOR = 6161
GROUP = -4242
WAIT = 5.0
Msg = dict[str, Any]


def png(width: int, height: int) -> bytes:
    """A real (tiny, red) PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def says(part: str) -> Callable[[Msg], bool]:
    return lambda m: part.lower() in (m.get("text") or m.get("caption") or "").lower()


class Person:
    """The user side of one chat: what they send, press and see."""

    def __init__(self, emu: EmulatorHandle, user_id: int = USER, chat_id: int | None = None):
        self.emu = emu
        self.user_id = user_id
        self.chat_id = user_id if chat_id is None else chat_id
        self.seen = 0  # the newest bot message already looked at
        self.queries: list[str] = []

    async def say(self, text: str | None, **extra: Any) -> None:
        await self.emu.send_message(self.chat_id, self.user_id, text, first_name="Sam", **extra)

    async def expect(self, predicate: Callable[[Msg], bool] | None = None) -> Msg:
        """The next bot message (after those seen) matching ``predicate``."""
        found = await self.emu.wait_for_bot_message(
            self.chat_id,
            lambda m: m["message_id"] > self.seen and (predicate is None or predicate(m)),
            within=WAIT,
        )
        self.seen = found["message_id"]
        return found

    async def press(self, message: Msg, label: str) -> None:
        rows = message["reply_markup"]["inline_keyboard"]
        data = next(b["callback_data"] for row in rows for b in row if label in b["text"])
        self.queries.append(
            await self.emu.press_button(self.chat_id, self.user_id, message["message_id"], data)
        )

    async def all_answered(self) -> bool:
        return all([await self.emu.callback_answer(q) is not None for q in self.queries])


async def onboard(person: Person, start: str = "/start", since: str | None = None) -> Msg:
    """/start, consent, name, Denver, yes, 8pm, the recovery date (``since``, or Skip);
    returns the welcome message."""
    await person.say(start)
    welcome = await person.expect(lambda m: "reply_markup" in m)
    await person.press(welcome, ob_texts.CONSENT_YES)
    await person.expect(says("What name"))
    await person.say("Sam")
    await person.expect(says("Which city"))
    await person.say("Denver")
    await person.press(await person.expect(says("Is that right")), profile_texts.ZONE_YES)
    nextq = await person.expect(lambda m: says("What time of day")(m) or says("all set")(m))
    if "all set" in nextq["text"]:
        return welcome  # staff: no check-in time or recovery date asked
    await person.say("8pm")
    asked = await person.expect(says("date you count your recovery from"))
    if since is None:
        await person.press(asked, ob_texts.SKIP_SINCE)
    else:
        await person.say(since)
    await person.expect(says("You're all set"))
    return welcome


@pytest.fixture
async def adapter(
    emu: EmulatorHandle, tg_ctx: Context, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[TelegramAdapter]:
    dispatcher = build_dispatcher(tg_ctx)
    adapter = TelegramAdapter(
        emu.token,
        dispatcher,
        TelegramSettings(api_base_url=emu.base_url, poll_timeout=1),
        command_listing=lambda: [
            (spec.name, spec.description) for spec in dispatcher.commands_for(frozenset(), False)
        ],
    )
    tg_ctx.messengers.add(adapter.messenger)
    await adapter.start()
    try:
        yield adapter
    finally:
        await adapter.stop()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
    assert not await emu.unsupported_calls()


@pytest.fixture
def person(emu: EmulatorHandle) -> Person:
    return Person(emu)


async def person_id(storage: SqliteStorage) -> int:
    found = await storage.person_for_account(AccountAddress("telegram", str(USER)))
    assert found is not None
    return found.id


@pytest.mark.e2e
async def test_onboarding(
    adapter: TelegramAdapter, person: Person, emu: EmulatorHandle, storage: SqliteStorage
) -> None:
    welcome = await onboard(person)
    assert "I'm not a crisis" in welcome["text"]  # "*not*" arrives as bold, not asterisks
    assert {"type": "bold", "offset": welcome["text"].index("not a"), "length": 3} in [
        {k: e[k] for k in ("type", "offset", "length")} for e in welcome["entities"]
    ]
    labels = [b["text"] for row in welcome["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == [ob_texts.CONSENT_YES, ob_texts.CONSENT_NO, "Español"]  # + each language
    assert len(person.queries) == 3 and await person.all_answered()  # consent, zone, Skip

    pid = await person_id(storage)
    settings = await storage.get_settings(pid)
    assert (settings.timezone, settings.checkin_time) == ("America/Denver", "20:00")
    published = [c["params"] for c in await emu.calls("setMyCommands")]
    assert published and '"start"' in str(published[0]["commands"])


@pytest.mark.e2e
async def test_onboarding_asks_for_a_recovery_date_with_a_native_skip_button(
    adapter: TelegramAdapter, person: Person, emu: EmulatorHandle, storage: SqliteStorage
) -> None:
    await person.say("/start")
    await person.press(await person.expect(lambda m: "reply_markup" in m), ob_texts.CONSENT_YES)
    await person.expect(says("What name"))
    await person.say("Sam")
    await person.expect(says("Which city"))
    await person.say("Denver")
    await person.press(await person.expect(says("Is that right")), profile_texts.ZONE_YES)
    await person.expect(says("What time of day"))
    await person.say("8pm")
    asked = await person.expect(says("date you count your recovery from"))
    labels = [b["text"] for row in asked["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == [ob_texts.SKIP_SINCE]  # an inline keyboard button, not typed text
    await person.say("10/1/2025")  # ambiguous: asked again, with the button still there
    again = await person.expect(says("month's name"))
    assert "reply_markup" in again
    await person.say("October 1 2025")
    done = await person.expect(says("You're all set"))
    assert "1 October 2025" in done["text"] and "of your recovery" in done["text"]
    person_row = await storage.get_person(await person_id(storage))
    assert person_row is not None and person_row.onboarded
    assert person_row.streak_start == person_row.journey_start == date(2025, 10, 1)


@pytest.mark.e2e
async def test_checkin_with_buttons(
    adapter: TelegramAdapter, person: Person, storage: SqliteStorage
) -> None:
    await onboard(person)
    await person.say("/checkin")
    await person.press(await person.expect(lambda m: "reply_markup" in m), "4")
    await person.press(await person.expect(lambda m: "reply_markup" in m), "7")
    await person.press(await person.expect(lambda m: "reply_markup" in m), "No")
    await person.press(await person.expect(lambda m: "reply_markup" in m), "Skip")
    await person.expect(says("Thanks for checking in"))
    assert await person.all_answered()

    checkin = await storage.latest_checkin(await person_id(storage))
    assert checkin is not None and checkin.completed_at is not None
    answers = await storage.answers_of(checkin.id)
    assert (answers["mood"].number, answers["craving"].number) == (4, 7)
    assert answers["used"].text == "no" and answers["note"].skipped


@pytest.mark.e2e
async def test_image_and_long_text(
    adapter: TelegramAdapter, person: Person, emu: EmulatorHandle
) -> None:
    ref = ConversationRef("telegram", str(USER), str(USER))
    image = Image(png(4, 3), "Mood rose from 2 to 4 this week <3")
    sent = await adapter.messenger.send(ref, OutgoingMessage("*Your* week", image=image))
    photo = await person.expect(lambda m: "photo" in m)
    assert str(photo["message_id"]) == sent.message_id
    assert photo["caption"] == "Your week\n\nMood rose from 2 to 4 this week <3"
    assert (photo["photo"][-1]["width"], photo["photo"][-1]["height"]) == (4, 3)
    assert photo["caption_entities"][0]["type"] == "bold"

    # Too long for a caption: the alt text on the photo, then the text with the buttons.
    long_text = "\n".join(["a line of a long summary"] * 60)
    yes = OutgoingMessage(long_text, rows=((Button("OK", "x:ok"),),), image=image)
    await adapter.messenger.send(ref, yes)
    photo = await person.expect(lambda m: "photo" in m)
    assert photo["caption"] == image.alt_text and "reply_markup" not in photo
    text = await person.expect(lambda m: "reply_markup" in m)
    assert text["text"] == long_text

    # Longer than one message: split at line ends, buttons on the last piece.
    two = OutgoingMessage("x" * 3000 + "\n" + "y" * 3000, rows=((Button("OK", "x:ok"),),))
    await adapter.messenger.send(ref, two)
    first, second = await emu.wait_for_bot_messages(
        USER, 2, predicate=lambda m: m["message_id"] > person.seen
    )
    assert (first["text"], "reply_markup" in first) == ("x" * 3000, False)
    assert (second["text"], "reply_markup" in second) == ("y" * 3000, True)
    assert split_text("a\n" * 3, limit=3) == ["a\na", "a\n"]
    assert render_html("*hi* <you> & *me*") == "<b>hi</b> &lt;you&gt; &amp; <b>me</b>"


@pytest.mark.e2e
async def test_stale_button_gets_a_clear_answer(adapter: TelegramAdapter, person: Person) -> None:
    welcome = await onboard(person)
    await person.press(welcome, ob_texts.CONSENT_YES)
    stale = await person.expect()
    assert "older message" in stale["text"] and "already set up" in stale["text"]
    assert await person.all_answered()


@pytest.mark.e2e
async def test_scheduled_prompt_arrives(
    adapter: TelegramAdapter,
    person: Person,
    tg_ctx: Context,
    storage: SqliteStorage,
    clock: FakeClock,
) -> None:
    await onboard(person)
    due = await storage.get_due("checkin", str(await person_id(storage)))
    assert due is not None
    clock.set(due.due_at + timedelta(minutes=1))
    assert await DueWorker(tg_ctx).tick() == 1
    prompt = await person.expect(says("time for your daily check-in"))
    await person.press(prompt, "3")
    await person.expect(lambda m: "reply_markup" in m)  # the next question
    assert await person.all_answered()


# PTB's AIORateLimiter reads RetryAfter.retry_after, which warns about its future type.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
@pytest.mark.e2e
async def test_flood_wait_is_retried(
    adapter: TelegramAdapter, person: Person, emu: EmulatorHandle
) -> None:
    await emu.fail_next("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    await person.say("/start")
    await person.expect(lambda m: "reply_markup" in m)
    assert time.monotonic() - started >= 1.0
    assert [c["status"] for c in await emu.calls("sendMessage")] == [429, 200]


@pytest.mark.e2e
async def test_unsupported_edited_and_group_messages(
    adapter: TelegramAdapter, person: Person, emu: EmulatorHandle
) -> None:
    sticker = {"file_id": "stk", "file_unique_id": "stk-u", "type": "regular", "width": 512,
               "height": 512, "is_animated": False, "is_video": False}  # fmt: skip
    await person.say(None, sticker=sticker)
    assert (await person.expect())["text"] == common.UNSUPPORTED_MESSAGE
    await person.say(None, voice={"file_id": "v", "file_unique_id": "v-u", "duration": 2})
    assert (await person.expect())["text"] == common.UNSUPPORTED_MESSAGE

    # A caption is text: the crisis screen reads it like any message.
    await emu.send_photo(USER, USER, png(2, 2), caption="I want to kill myself tonight")
    assert "988" in (await person.expect())["text"]

    # Telegram sends edits as `edited_message`; the emulator has none, so feed PTB one.
    edited = {
        "message_id": 77,
        "date": 0,
        "edit_date": 1,
        "chat": {"id": USER, "type": "private"},
        "from": {"id": USER, "is_bot": False, "first_name": "Sam"},
        "text": "/start",
    }
    await adapter.app.update_queue.put(
        Update.de_json({"update_id": 10**6, "edited_message": edited}, adapter.app.bot)
    )
    await asyncio.wait_for(adapter.app.update_queue.join(), WAIT)
    # ...but an edit that turns into a crisis message is screened like any other.
    crisis_edit = {**edited, "message_id": 78, "text": "actually i want to end my life"}
    await adapter.app.update_queue.put(
        Update.de_json({"update_id": 10**6 + 1, "edited_message": crisis_edit}, adapter.app.bot)
    )
    assert "988" in (await person.expect())["text"]

    group = Person(emu, USER, chat_id=GROUP)
    await group.say(None, sticker=sticker)  # not in a DM: no answer
    await group.say("just chatting")  # group chatter is for people
    await group.say("/help@SomeOtherBot")
    await group.say("/help@TestNameBot")
    await group.expect(says("what you can do"))
    assert len(await emu.bot_messages(GROUP)) == 1
    assert len(await emu.bot_messages(USER)) == 4  # the crisis edit only


@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
@pytest.mark.e2e
async def test_delivery_errors_are_mapped(adapter: TelegramAdapter, emu: EmulatorHandle) -> None:
    ref = ConversationRef("telegram", str(USER), str(USER))
    await emu.fail_next("sendMessage", 403)
    with pytest.raises(DeliveryError) as blocked:
        await adapter.messenger.send(ref, OutgoingMessage("a private sentence"))
    assert blocked.value.permanent and "private" not in str(blocked.value)
    assert blocked.value.failure is DeliveryFailure.BLOCKED
    await emu.fail_next("sendMessage", 400, description="Bad Request: chat not found")
    with pytest.raises(DeliveryError) as gone:
        await adapter.messenger.send(ref, OutgoingMessage("hi"))
    assert gone.value.permanent and gone.value.failure is DeliveryFailure.CHAT_GONE
    await emu.fail_next("sendMessage", disconnect=True)
    with pytest.raises(DeliveryError) as dropped:
        await adapter.messenger.send(ref, OutgoingMessage("hi"))
    assert not dropped.value.permanent and dropped.value.retry_after is None

    flood = delivery_error(RetryAfter(7))
    assert (flood.permanent, flood.retry_after) == (False, 7.0)
    assert not delivery_error(TimedOut()).permanent
    assert delivery_error(TimedOut()).failure is DeliveryFailure.TIMEOUT
    assert not delivery_error(BadRequest("Bad Request: message is too long")).permanent
    assert delivery_error(Forbidden("Forbidden: bot was kicked from the group chat")).permanent


@pytest.mark.e2e
async def test_polling_survives_an_outage(
    adapter: TelegramAdapter, person: Person, emu: EmulatorHandle
) -> None:
    await emu.fail_next("getUpdates", 502)
    await emu.fail_next("getUpdates", disconnect=True)

    for _ in range(int(WAIT / 0.05)):  # until a poll has failed
        if 502 in [c["status"] for c in await emu.calls("getUpdates")]:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("getUpdates never failed")
    await person.say("/start")  # sent while the bot cannot reach Telegram
    await person.expect(lambda m: "reply_markup" in m)
    statuses = [c["status"] for c in await emu.calls("getUpdates")]
    assert statuses.index(502) < statuses.index("disconnect") < len(statuses) - 1


@pytest.mark.e2e
async def test_stop_finishes_updates_in_flight(
    adapter: TelegramAdapter, person: Person, emu: EmulatorHandle
) -> None:
    entered, release = asyncio.Event(), asyncio.Event()
    real = adapter.dispatcher

    class Slow:
        async def handle(self, event: IncomingEvent) -> list[OutgoingMessage]:
            entered.set()
            await release.wait()
            return await real.handle(event)

    adapter.dispatcher = Slow()  # type: ignore[assignment]
    await person.say("/start")
    await asyncio.wait_for(entered.wait(), WAIT)
    stopping = asyncio.create_task(adapter.stop())
    await asyncio.sleep(0.2)
    assert not stopping.done()
    release.set()
    await asyncio.wait_for(stopping, WAIT)
    assert (await emu.bot_messages(USER))[-1]["reply_markup"]  # the welcome went out
    last_poll = (await emu.calls("getUpdates"))[-1]["params"]
    assert int(last_poll["offset"]) > (await emu.history())[0]["updateId"]  # confirmed


@pytest.mark.e2e
async def test_webhook_mode(
    emu: EmulatorHandle, tg_ctx: Context, person: Person, unused_tcp_port: int
) -> None:
    pytest.importorskip("tornado", reason="webhooks need python-telegram-bot[webhooks]")
    url = f"http://127.0.0.1:{unused_tcp_port}/telegram/hook"
    settings = TelegramSettings(
        api_base_url=emu.base_url, webhook_url=url, webhook_listen=f"127.0.0.1:{unused_tcp_port}"
    )
    adapter = TelegramAdapter(
        emu.token, build_dispatcher(tg_ctx), settings, webhook_secret="not-guessable_42"
    )
    await adapter.start()
    try:
        await person.say("/start")
        await person.expect(lambda m: "reply_markup" in m)
    finally:
        await adapter.stop()
    hook = (await emu.calls("setWebhook"))[-1]["params"]
    assert (hook["url"], hook["secret_token"]) == (url, "not-guessable_42")


def test_webhook_without_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PEERBOT_TELEGRAM_WEBHOOK_SECRET", raising=False)
    settings = TelegramSettings(webhook_url="https://bot.example.org/hook")
    with pytest.raises(ValueError, match="PEERBOT_TELEGRAM_WEBHOOK_SECRET"):
        TelegramAdapter("123:abc", build_dispatcher(assemble(Context(storage=None))), settings)  # type: ignore[arg-type]


@pytest.mark.e2e
async def test_document_follows_the_text(
    adapter: TelegramAdapter, person: Person, emu: EmulatorHandle
) -> None:
    """/mydata's export: the summary, then the JSON file as a document."""
    ref = ConversationRef("telegram", str(USER), str(USER))
    data = b'{"format": "peerbot-export/1"}'
    message = OutgoingMessage("Here is a copy of your data.", document=Document(data, "my.json"))
    sent = await adapter.messenger.send(ref, message)
    text = await person.expect(lambda m: "Here is a copy" in (m.get("text") or ""))
    document = await person.expect(lambda m: "document" in m)
    assert str(document["message_id"]) == sent.message_id
    assert document["message_id"] > text["message_id"]
    assert document["document"]["file_name"] == "my.json"


def _added_to_group(update_id: int, by: int, chat_type: str = "group") -> dict[str, Any]:
    """The ``my_chat_member`` update Telegram sends when someone adds the bot to a group (the
    emulator has none, so PTB is fed it directly, as for edits)."""
    bot = {"id": 999, "is_bot": True, "first_name": "Test", "username": "TestNameBot"}
    return {
        "update_id": update_id,
        "my_chat_member": {
            "chat": {"id": GROUP, "type": chat_type, "title": "Some group"},
            "from": {"id": by, "is_bot": False, "first_name": "Who"},
            "date": int(time.time()),
            "old_chat_member": {"user": bot, "status": "left"},
            "new_chat_member": {"user": bot, "status": "member"},
        },
    }


async def _feed(adapter: TelegramAdapter, data: dict[str, Any]) -> None:
    await adapter.app.update_queue.put(Update.de_json(data, adapter.app.bot))
    await asyncio.wait_for(adapter.app.update_queue.join(), WAIT)


@pytest.mark.e2e
async def test_added_to_a_group_by_a_stranger_it_says_why_and_leaves(
    adapter: TelegramAdapter, person: Person, emu: EmulatorHandle, storage: SqliteStorage
) -> None:
    await _feed(adapter, _added_to_group(10**6, by=777))  # nobody the program knows
    [said] = await emu.wait_for_bot_messages(GROUP, 1, within=WAIT)
    assert said["text"] == common.GROUP_STAFF_ONLY
    [left] = await emu.calls("leaveChat")
    assert int(left["params"]["chat_id"]) == GROUP

    await onboard(person)  # a mentee is not staff either
    await _feed(adapter, _added_to_group(10**6 + 1, by=USER))
    assert len(await emu.calls("leaveChat")) == 2

    # A channel post is not for the bot: no answer.
    post = {"message_id": 5, "date": int(time.time()), "text": "/help",
            "chat": {"id": -100777, "type": "channel", "title": "News"}}  # fmt: skip
    await _feed(adapter, {"update_id": 10**6 + 2, "channel_post": post})
    assert await emu.bot_messages(-100777) == []


@pytest.mark.e2e
async def test_added_to_a_group_by_a_facilitator_it_stays(
    adapter: TelegramAdapter, person: Person, emu: EmulatorHandle, storage: SqliteStorage,
    clock: FakeClock,
) -> None:  # fmt: skip
    await onboard(person)
    await storage.grant_role(await person_id(storage), Role.FACILITATOR, clock())
    await _feed(adapter, _added_to_group(10**6, by=USER, chat_type="supergroup"))
    [said] = await emu.wait_for_bot_messages(GROUP, 1, within=WAIT)
    assert said["text"] == common.GROUP_WELCOME
    assert await emu.calls("leaveChat") == []


@pytest.mark.e2e
async def test_personal_commands_typed_in_a_group_are_answered_privately(
    adapter: TelegramAdapter, person: Person, emu: EmulatorHandle, storage: SqliteStorage
) -> None:
    """The audit's case: a mentor types /mentees and a mentee /safetyplan and /link in a
    group; the answers reach each one's private chat and the group sees only that they did."""
    now = datetime.now(UTC)
    await storage.create_invite(InviteCode("MENTOR01", Role.MENTOR, 1, now, now + timedelta(1)))
    mentor = Person(emu, MENTOR)
    await onboard(mentor, "/start MENTOR01")
    await mentor.say("/invite")
    code = re.search(r"\b([A-Z0-9]{8})\b", (await mentor.expect(says("code")))["text"])
    assert code is not None
    await onboard(person, f"/start {code[1]}")  # Sam, paired with the mentor

    in_group, mentor_in_group = Person(emu, USER, chat_id=GROUP), Person(emu, MENTOR, GROUP)
    await mentor_in_group.say("/mentees")
    await mentor.expect(says("Sam"))  # the list, in the mentor's own chat
    await in_group.say("/safetyplan")
    await person.expect(says("safety plan"))
    await in_group.say("/link")
    await person.expect(lambda m: re.search(r"[A-Z0-9]{8}", m.get("text") or "") is not None)
    public = [m["text"] for m in await emu.bot_messages(GROUP)]
    assert public == [common.SENT_PRIVATELY] * 3
