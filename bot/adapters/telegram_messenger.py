"""Rendering the core's messages on Telegram: HTML for ``*bold*``, texts split at Telegram's
limits, buttons as inline keyboards, images as photos, documents as files, and Bot API
errors as the core's :class:`~handlers.messaging.DeliveryError` (whose reasons never quote
what was sent)."""

from __future__ import annotations

import functools
import html
import warnings
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from handlers import markup
from handlers.messaging import (
    Button,
    Capabilities,
    ConversationRef,
    DeliveryError,
    OutgoingMessage,
    SentRef,
)
from handlers.messaging import (
    DeliveryFailure as F,
)
from handlers.numbers import read_id
from storage.circles import VenueKind

PLATFORM = "telegram"
MAX_TEXT = 4096  # Telegram's limits, in characters after entity parsing
MAX_CAPTION = 1024


def render_html(text: str) -> str:
    """The core's tiny markup as Telegram HTML: ``*bold*`` -> ``<b>``, the rest escaped."""
    return "".join(
        f"<b>{html.escape(span.text, quote=False)}</b>"
        if span.bold
        else html.escape(span.text, quote=False)
        for span in markup.parse(text)
    )


def _length(text: str) -> int:
    """An upper bound of the characters Telegram counts: UTF-16 units, markup included."""
    return len(text.encode("utf-16-le")) // 2


def _prefix(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` Telegram characters."""
    cut = min(len(text), limit)
    while _length(text[:cut]) > limit:
        cut -= max(1, (_length(text[:cut]) - limit) // 2)
    return cut


def _fit(text: str, limit: int) -> str:
    """``text``, cut with an ellipsis if longer than ``limit``."""
    return text if _length(text) <= limit else text[: _prefix(text, limit - 1)] + "…"


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at line ends where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while _length(line) > limit:  # one huge line: cut it hard
            if current:
                pieces.append(current)
                current = ""
            cut = _prefix(line, limit)
            pieces.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if current and _length(candidate) > limit:
            pieces.append(current)
            candidate = line
        current = candidate
    pieces.append(current)
    return [piece for piece in pieces if piece.strip()] or [text]


def _keyboard(message: OutgoingMessage) -> InlineKeyboardMarkup | None:
    if not message.rows:
        return None
    return _markup(message.rows)


@functools.lru_cache(maxsize=512)
def _markup(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup:
    """Built once per distinct layout: the same question's buttons come back all day, and
    python-telegram-bot's objects are immutable once built, so one can be sent many times."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.payload) for b in row] for row in rows]
    )


def _chat_id(chat_id: str) -> int | str:
    """Telegram ids are integers (negative for groups, which have a budget of their own)."""
    number = read_id(chat_id.removeprefix("-"))
    if number is None:
        return chat_id
    return -number if chat_id.startswith("-") else number


def _retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB warns that the property's type will change
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def delivery_error(exc: TelegramError) -> DeliveryError:
    """The core's view of a failed Bot API call (reasons never quote what was sent)."""
    name = type(exc).__name__
    if isinstance(exc, RetryAfter):
        return DeliveryError(
            F.RATE_LIMITED, "telegram flood control", retry_after=_retry_after_seconds(exc)
        )
    if isinstance(exc, Forbidden):
        return DeliveryError(
            F.BLOCKED, "telegram: bot blocked or removed from the chat", permanent=True
        )
    if isinstance(exc, BadRequest):
        if "chat not found" in exc.message.lower():
            return DeliveryError(F.CHAT_GONE, "telegram: chat not found", permanent=True)
        return DeliveryError(F.REJECTED, f"telegram {name}")
    if isinstance(exc, NetworkError):  # TimedOut is one too
        failure = F.TIMEOUT if isinstance(exc, TimedOut) else F.NETWORK
        return DeliveryError(failure, f"telegram {name} (transient)")
    return DeliveryError(F.UNEXPECTED, f"telegram {name}")


class TelegramMessenger:
    """Renders :class:`OutgoingMessage` natively through a python-telegram-bot ``Bot``."""

    platform = PLATFORM
    capabilities = Capabilities(
        buttons=True, images=True, edits=True, venue_kinds=(VenueKind.GROUP,)
    )  # a circle meets in a group chat (or one of its topics)

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, ref: ConversationRef, message: OutgoingMessage) -> SentRef:
        try:
            sent = await self._send(ref, message)
        except TelegramError as exc:
            raise delivery_error(exc) from exc
        return SentRef(ref=ref, message_id=str(sent.message_id))

    async def _send(self, ref: ConversationRef, message: OutgoingMessage) -> Message:
        chat_id = _chat_id(ref.chat_id)
        thread = read_id(ref.thread_id) if ref.thread_id else None
        keyboard = _keyboard(message)
        text = message.text
        if message.image is not None:
            image = message.image
            if not text.strip():
                caption, alone = html.escape(_fit(image.alt_text, MAX_CAPTION), quote=False), True
            elif _length(f"{text}\n\n{image.alt_text}") <= MAX_CAPTION:
                caption = f"{render_html(text)}\n\n{html.escape(image.alt_text, quote=False)}"
                alone = True
            else:  # the alt text on the photo, the message after it
                caption, alone = html.escape(_fit(image.alt_text, MAX_CAPTION), quote=False), False
            photo = await self.bot.send_photo(
                chat_id,
                photo=image.png,
                filename=image.filename,
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard if alone else None,
                message_thread_id=thread,
            )
            if alone:
                return photo
        last: Message | None = None
        pieces = split_text(text)
        for n, piece in enumerate(pieces, start=1):
            last = await self.bot.send_message(
                chat_id,
                render_html(piece),
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard if n == len(pieces) else None,
                message_thread_id=thread,
            )
        if message.document is not None:  # after the text, which says what the file is
            last = await self.bot.send_document(
                chat_id,
                document=message.document.data,
                filename=message.document.filename,
                message_thread_id=thread,
            )
        assert last is not None
        return last
