"""The real python-telegram-bot against the Telegram emulator (tests/telegram_emulator).

Needs node and `npm ci --prefix tests/telegram_emulator`.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseHandler,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.support.emulator import EmulatorHandle

pytestmark = pytest.mark.e2e  # the Node Telegram emulator

USER = 4242
CHAT = USER  # a private chat
WAIT = 5.0


def png(width: int, height: int) -> bytes:
    """A real (tiny, red) PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
async def tg_emu(emulator_process: EmulatorHandle) -> EmulatorHandle:
    await emulator_process.reset()
    return emulator_process


@contextlib.asynccontextmanager
async def running_app(
    emu: EmulatorHandle,
    *handlers: BaseHandler[Any, Any, Any],
    rate_limiter: BaseRateLimiter[Any] | None = None,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """A real PTB Application polling the emulator, driven by hand; handler errors fail."""
    builder = Application.builder().token(emu.token).base_url(emu.base_url)
    builder = builder.base_file_url(emu.base_file_url)
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    app = builder.build()
    for handler in handlers:
        app.add_handler(handler)
    errors: list[object] = []

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)

    app.add_error_handler(on_error)
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    if errors:
        raise AssertionError(f"handler errors: {errors!r}")


async def next_event(queue: asyncio.Queue[Any]) -> Any:
    return await asyncio.wait_for(queue.get(), WAIT)


@pytest.mark.asyncio
async def test_initialize_reads_get_me(tg_emu: EmulatorHandle) -> None:
    async with running_app(tg_emu) as app:
        assert app.bot.id == tg_emu.bot_id == 123456
        assert app.bot.username == "TestNameBot"
        assert app.bot.bot.is_bot is True
        assert app.bot.can_join_groups is True
        assert await app.bot.delete_webhook() is True
        assert await app.bot.set_my_commands([("start", "Begin"), ("help", "Help")]) is True
        commands = await app.bot.get_my_commands()
        assert [c.command for c in commands] == ["start", "help"]
        assert await app.bot.send_chat_action(CHAT, "typing") is True


@pytest.mark.asyncio
async def test_message_and_command_reach_handlers(tg_emu: EmulatorHandle) -> None:
    events: asyncio.Queue[tuple[str, str, list[str], datetime]] = asyncio.Queue()

    async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await events.put(("command", update.message.text, context.args or [], update.message.date))
        await update.message.reply_text("welcome")

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await events.put(("text", update.message.text, [], update.message.date))

    async with running_app(
        tg_emu,
        CommandHandler("start", on_start),
        MessageHandler(filters.TEXT & ~filters.COMMAND, on_text),
    ):
        await tg_emu.send_command(CHAT, USER, "start", "invite-7")
        kind, text, args, date = await next_event(events)
        assert (kind, text, args) == ("command", "/start invite-7", ["invite-7"])
        assert abs((datetime.now(UTC) - date).total_seconds()) < 60  # seconds, not ms

        await tg_emu.send_message(CHAT, USER, "hello there")
        kind, text, _, _ = await next_event(events)
        assert (kind, text) == ("text", "hello there")

        reply = await tg_emu.wait_for_bot_message(CHAT, lambda m: m.get("text") == "welcome")
        assert reply["chat"]["id"] == CHAT
        assert reply["from"]["is_bot"] is True


@pytest.mark.asyncio
async def test_inline_keyboard_button_answer_and_edits(tg_emu: EmulatorHandle) -> None:
    events: asyncio.Queue[tuple[str | None, bool, Message | bool, Message | bool]] = asyncio.Queue()

    async def on_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        keyboard = [
            [
                InlineKeyboardButton("Yes", callback_data="yes"),
                InlineKeyboardButton("No", callback_data="no"),
            ]
        ]
        await update.message.reply_text("Pick one", reply_markup=InlineKeyboardMarkup(keyboard))

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.chat_instance
        answered = await query.answer("Noted")
        only_undo = InlineKeyboardMarkup([[InlineKeyboardButton("Undo", callback_data="undo")]])
        markup_edit = await query.edit_message_reply_markup(only_undo)
        text_edit = await query.edit_message_text(
            f"You picked {query.data}", reply_markup=only_undo
        )
        await events.put((query.data, answered, markup_edit, text_edit))

    async with running_app(
        tg_emu, CommandHandler("menu", on_menu), CallbackQueryHandler(on_button)
    ):
        await tg_emu.send_command(CHAT, USER, "/menu")
        menu = await tg_emu.wait_for_bot_message(CHAT, lambda m: m.get("text") == "Pick one")
        buttons = menu["reply_markup"]["inline_keyboard"]
        assert [[b["callback_data"] for b in row] for row in buttons] == [["yes", "no"]]

        query_id = await tg_emu.press_button(CHAT, USER, menu["message_id"], "yes")
        data, answered, markup_edit, text_edit = await next_event(events)
        assert (data, answered) == ("yes", True)
        assert isinstance(markup_edit, Message) and isinstance(text_edit, Message)
        assert text_edit.text == "You picked yes"
        assert text_edit.message_id == menu["message_id"]
        assert await tg_emu.callback_answer(query_id) == {
            "text": "Noted",
            "show_alert": False,
        }

        edited = await tg_emu.wait_for_bot_message(CHAT, lambda m: "edit_date" in m)
        assert edited["text"] == "You picked yes"
        assert edited["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "undo"
        assert len(await tg_emu.bot_messages(CHAT)) == 1


@pytest.mark.asyncio
async def test_send_photo_upload_is_visible_to_user(tg_emu: EmulatorHandle) -> None:
    image = png(4, 3)
    async with running_app(tg_emu) as app:
        sent = await app.bot.send_photo(CHAT, photo=image, caption="your week")
        assert sent.caption == "your week"
        assert (sent.photo[-1].width, sent.photo[-1].height) == (4, 3)

        seen = await tg_emu.wait_for_bot_message(CHAT, lambda m: "photo" in m)
        assert seen["caption"] == "your week"
        assert seen["photo"][-1]["file_id"] == sent.photo[-1].file_id

        tg_file = await app.bot.get_file(sent.photo[-1].file_id)
        assert bytes(await tg_file.download_as_bytearray()) == image


@pytest.mark.asyncio
# PTB's own AIORateLimiter reads RetryAfter.retry_after, which warns about its future type.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
async def test_retry_after_is_honoured_by_rate_limiter(tg_emu: EmulatorHandle) -> None:
    async with running_app(tg_emu, rate_limiter=AIORateLimiter(max_retries=2)) as app:
        await tg_emu.fail_next("sendMessage", 429, retry_after=1)
        started = time.monotonic()
        sent = await app.bot.send_message(CHAT, "after the flood wait")
        assert time.monotonic() - started >= 1.0
        assert sent.text == "after the flood wait"
        statuses = [c["status"] for c in await tg_emu.calls("sendMessage")]
        assert statuses == [429, 200]


@pytest.mark.asyncio
async def test_errors_are_telegram_shaped(tg_emu: EmulatorHandle) -> None:
    async with running_app(tg_emu) as app:
        with pytest.raises(BadRequest, match="not implemented by the telegram emulator"):
            await app.bot.do_api_request("definitelyNotAMethod")
        await tg_emu.fail_next("sendMessage", 502)
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await app.bot.send_message(CHAT, "x")
        await tg_emu.fail_next("sendMessage", disconnect=True)
        with pytest.raises(NetworkError):
            await app.bot.send_message(CHAT, "x")
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await app.bot.send_message(CHAT, "<b>unclosed", parse_mode="HTML")
        assert (await app.bot.send_message(CHAT, "still fine")).text == "still fine"


@pytest.mark.asyncio
async def test_long_polling_does_not_spin(tg_emu: EmulatorHandle) -> None:
    async with running_app(tg_emu):
        before = len(await tg_emu.calls("getUpdates"))
        await asyncio.sleep(2)
        polls = await tg_emu.calls("getUpdates")
        assert 1 <= len(polls) - before < 10, polls
        assert polls[-1]["params"].get("timeout") in ("1", 1)
