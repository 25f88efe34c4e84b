"""The Telegram adapter: python-telegram-bot updates in, the core's messages out.

A thin translator: one handler turns every update into an ``IncomingEvent`` (text, command or
button press) for the dispatcher, and the messenger (:mod:`bot.adapters.telegram_messenger`)
renders the replies natively (inline keyboards, ``sendPhoto``, HTML for ``*bold*``). Nothing a
person wrote, and never the token, reaches an exception or a log line: updates are logged by
id, errors by type.

Updates run concurrently across people but in order for each person, under the person's turn
of the core's reply path (:mod:`handlers.replies`), which also dispatches and delivers the
replies with retries; :meth:`TelegramAdapter.stop` lets every fetched update finish, replies
included.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    Chat,
    ChatMember,
    ChatMemberUpdated,
    Message,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import Application, BaseUpdateProcessor, ContextTypes, TypeHandler

from bot.adapters.settings import TelegramSettings as TelegramSettings  # its old home
from bot.adapters.telegram_menus import PersonalMenus
from bot.adapters.telegram_messenger import PLATFORM, TelegramMessenger
from bot.adapters.telegram_pacing import PacedRateLimiter
from handlers.account.groups import invited_to_group
from handlers.dispatcher import Dispatcher
from handlers.i18n import LANGUAGES, SOURCE_LANGUAGE, speaking
from handlers.logsafe import describe_exception
from handlers.messaging import (
    ButtonPress,
    ChatKind,
    Command,
    ConversationRef,
    IncomingEvent,
    OutgoingMessage,
    Text,
)
from handlers.profile import language_of_sender
from handlers.replies import ReplyPath
from handlers.texts import common as common_texts
from storage.people import AccountAddress

log = logging.getLogger(__name__)

WEBHOOK_SECRET_ENV = "PEERBOT_TELEGRAM_WEBHOOK_SECRET"
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
MAX_CONCURRENT_UPDATES = 16

_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@(\w+))?")
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")

Unsupported = Literal["unsupported"]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
CommandListing = Callable[[], Sequence[tuple[str, str]]]


# ---- translating updates -----------------------------------------------------------------


def translate(update: Update, bot_username: str | None) -> IncomingEvent | Unsupported | None:
    """The core's event for an update; ``"unsupported"`` for media in a DM; None to ignore."""
    query = update.callback_query
    edited = update.edited_message
    message = query.message if query is not None else (update.message or edited)
    user = update.effective_user
    if message is None or user is None or user.is_bot or message.chat.type == Chat.CHANNEL:
        return None  # channel posts, inline queries, ...
    chat = message.chat
    kind: Text | Command | ButtonPress
    if query is not None:
        if query.data is None:
            return None
        kind = ButtonPress(query.data)
    else:
        assert isinstance(message, Message)
        found = _message_kind(message, bot_username)
        if found is None or isinstance(found, str):
            return None if edited is not None else found
        kind = found
    topic = getattr(message, "message_thread_id", None)
    if not getattr(message, "is_topic_message", False):
        topic = None  # a reply thread outside forum topics is not a place to write into
    return IncomingEvent(
        ref=ConversationRef(PLATFORM, str(chat.id), str(user.id), str(topic) if topic else None),
        kind=kind,
        display_name=user.first_name,
        chat_kind=ChatKind.DIRECT if chat.type == Chat.PRIVATE else ChatKind.GROUP,
        event_id=str(update.update_id),
        edited=edited is not None,
        language_hint=user.language_code,
        raw=update,
    )


def _message_kind(
    message: Message, bot_username: str | None
) -> Text | Command | Unsupported | None:
    text = message.text if message.text is not None else message.caption
    if text is None:
        if message.effective_attachment is not None and message.chat.type == Chat.PRIVATE:
            return "unsupported"
        return None  # service messages (members joined, pins, ...)
    match = _COMMAND.match(text) if message.text is not None else None
    if match is None or (match.end() < len(text) and not text[match.end()].isspace()):
        return Text(text)  # a caption is text too: the crisis screen must read it
    addressee = match.group(2)
    if addressee and bot_username and addressee.lower() != bot_username.lower():
        return None  # "/start@OtherBot" in a group
    return Command(match.group(1).lower(), tuple(text[match.end() :].split()))


class _InOrderPerPerson(BaseUpdateProcessor):
    """Concurrent across people, one at a time (in arrival order) for each person: each
    update runs inside its person's turn of the reply path, taken before anything awaits.

    Keyed by user, not chat: the core keeps conversation state per account, and a person
    writing in a group and in their DM at once must not race with themselves.
    """

    def __init__(self, max_concurrent_updates: int, replies: ReplyPath) -> None:
        super().__init__(max_concurrent_updates)
        self.replies = replies

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = f"update-{id(update)}"
        if isinstance(update, Update):
            chat, user = update.effective_chat, update.effective_user
            key = str(user.id) if user else str(chat.id) if chat else f"update-{update.update_id}"
        async with self.replies.turn(PLATFORM, key):
            await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class TelegramAdapter:
    """Runs python-telegram-bot's ``Application`` by hand (``start``/``stop``)."""

    def __init__(
        self,
        token: str,
        dispatcher: Dispatcher,
        settings: TelegramSettings,
        *,
        command_listing: CommandListing | None = None,
        webhook_secret: str | None = None,
        menus: PersonalMenus | None = None,
    ) -> None:
        self.menus = menus
        self.settings = settings
        self.replies = ReplyPath(dispatcher)  # its messenger is set once the bot exists
        self.command_listing = command_listing
        self.webhook_secret = webhook_secret or os.environ.get(WEBHOOK_SECRET_ENV) or None
        if settings.webhook_url and not self.webhook_secret:
            # Without it anyone who finds the URL can post updates as any user.
            raise ValueError(f"a Telegram webhook needs {WEBHOOK_SECRET_ENV} to be set")
        base_url = settings.api_base_url
        builder = Application.builder().token(token).base_url(base_url)
        if base_url.endswith("/bot"):
            builder = builder.base_file_url(base_url[: -len("/bot")] + "/file/bot")
        self.rate_limiter = PacedRateLimiter(settings.limits)
        self.rate_limiter.on_retried_429 = lambda: self.dispatcher.ctx.telemetry.rate_limited(
            PLATFORM
        )
        self.app: AnyApplication = (
            builder.rate_limiter(self.rate_limiter)
            .concurrent_updates(_InOrderPerPerson(MAX_CONCURRENT_UPDATES, self.replies))
            .build()
        )
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.app.add_error_handler(self._on_error)
        self.messenger = TelegramMessenger(self.app.bot)
        self.replies.messenger = self.messenger
        # httpx logs every request URL at INFO, and Bot API URLs contain the token.
        httpx_log = logging.getLogger("httpx")
        if httpx_log.getEffectiveLevel() < logging.WARNING:
            httpx_log.setLevel(logging.WARNING)

    @property
    def dispatcher(self) -> Dispatcher:
        return self.replies.dispatcher

    @dispatcher.setter
    def dispatcher(self, dispatcher: Dispatcher) -> None:
        self.replies.dispatcher = dispatcher

    async def start(self) -> None:
        """Connect (``getMe``), publish the command list, then poll or listen for a webhook.

        Raises (after cleaning up) if Telegram cannot be reached or the webhook not set.
        """
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        app = self.app
        await app.initialize()
        await self._publish_commands()
        assert app.updater is not None
        if self.settings.webhook_url:
            host, _, port = self.settings.webhook_listen.rpartition(":")
            await app.updater.start_webhook(
                listen=host or "127.0.0.1",
                port=int(port),
                url_path=urlsplit(self.settings.webhook_url).path.lstrip("/"),
                webhook_url=self.settings.webhook_url,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=False,
                secret_token=self.webhook_secret,
            )
        else:
            await app.updater.start_polling(
                timeout=self.settings.poll_timeout,
                drop_pending_updates=False,
                allowed_updates=list(ALLOWED_UPDATES),
                error_callback=_polling_error,
            )
        await app.start()
        log.info("telegram adapter started as @%s", app.bot.username)

    def connected(self) -> bool:
        """Whether updates are being fetched (polling or the webhook) and the app runs:
        ``/healthz``'s adapter check."""
        updater = self.app.updater
        return self.app.running and updater is not None and updater.running

    async def stop(self) -> None:
        """Stop fetching, let every fetched update finish (replies sent), then disconnect."""
        app = self.app
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()  # waits for the update queue and in-flight handler tasks
        await app.shutdown()

    async def _publish_commands(self) -> None:
        """The command menu in English for everyone, and in each other language the bot
        speaks for people whose Telegram is set to it (``language_code``)."""
        if self.command_listing is None:
            return
        for language in LANGUAGES:
            with speaking(language):
                commands = [
                    BotCommand(name, (description or name)[:256])
                    for name, description in self.command_listing()
                    if _COMMAND_NAME.fullmatch(name)
                ]
            code = None if language == SOURCE_LANGUAGE else language
            try:
                await self.app.bot.set_my_commands(commands[:100], language_code=code)
            except TelegramError as exc:  # a missing menu is no reason not to run
                log.warning("could not publish the command list: %s", describe_exception(exc))

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.my_chat_member is not None:
            await self._on_membership(update.my_chat_member)
            return
        query = update.callback_query
        if query is not None:  # always, and first: the person's client shows a spinner
            try:
                await query.answer()
            except TelegramError as exc:
                log.info(
                    "callback of update %s not answered: %s", update.update_id, type(exc).__name__
                )
        event = translate(update, self.app.bot.username)
        if event is None:
            log.debug("update %s ignored", update.update_id)
            return
        if isinstance(event, str):  # "unsupported": a sticker, voice note, photo... in a DM
            chat, user = update.effective_chat, update.effective_user
            assert chat is not None and user is not None
            ref = ConversationRef(PLATFORM, str(chat.id), str(user.id))
            sender = IncomingEvent(ref, Text(""), language_hint=user.language_code)
            with speaking(await language_of_sender(self.dispatcher.ctx, sender)):
                unsupported = [OutgoingMessage(common_texts.UNSUPPORTED_MESSAGE)]
            await self.replies.deliver(str(update.update_id), ref, unsupported)
            return
        await self.replies.respond(event)  # this person's turn is held (_InOrderPerPerson)
        if (
            self.menus is not None
            and isinstance(event.kind, Command)
            and event.chat_kind is ChatKind.DIRECT
            and update.effective_chat is not None
        ):  # roles change through commands: refresh this person's own menu after each one
            address = AccountAddress(PLATFORM, event.ref.user_id)
            await self.menus.refresh(self.app.bot, update.effective_chat.id, address)

    async def _on_membership(self, change: ChatMemberUpdated) -> None:
        """Added to a group: the core decides whether whoever added the bot may (staff only);
        if not, the bot says why in the group and leaves."""
        chat = change.chat
        joined = change.old_chat_member.status in (ChatMember.LEFT, ChatMember.BANNED) and (
            change.new_chat_member.status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR)
        )
        if not joined or chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
            return
        by = AccountAddress(PLATFORM, str(change.from_user.id))
        invite = await invited_to_group(self.dispatcher.ctx, by)
        ref = ConversationRef(PLATFORM, str(chat.id), str(change.from_user.id))
        await self.replies.deliver(f"join-{chat.id}", ref, [invite.message])
        if invite.stay:
            return
        log.info("added to group %s by an account that is not staff: leaving", chat.id)
        try:
            await self.app.bot.leave_chat(chat.id)
        except TelegramError as exc:
            log.warning("could not leave group %s: %s", chat.id, describe_exception(exc))

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log by update id and exception type only; nothing is ever sent to the chat."""
        update_id = update.update_id if isinstance(update, Update) else "?"
        error = context.error
        what = describe_exception(error) if error is not None else "unknown error"
        log.error("telegram update %s failed: %s", update_id, what)


def _polling_error(exc: TelegramError) -> None:
    """PTB retries polling by itself (backing off to 30 s); we only say so, by type."""
    log.warning("polling Telegram failed (%s); retrying", type(exc).__name__)
