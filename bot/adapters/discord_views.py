"""Translation helpers for :mod:`bot.adapters.discord`: rendering the core's messages, the one
persistent button type, where an event came from, failures as :class:`DeliveryError`, and
finding a person's private thread.

Kept apart so the adapter module stays about wiring. Nothing here decides anything: text,
labels and payloads all come from the core.

Buttons are a :class:`discord.ui.DynamicItem` whose ``custom_id`` is the core's payload. A
dynamic item is matched by a regular expression registered once on the client, so a button on
a message sent months ago (or before a restart) still reaches the core, and the view sent with
a message is never kept in memory (a view of only dynamic items is "fully dynamic": discord.py
stores nothing per message for it).
"""

from __future__ import annotations

import io
import re
from collections.abc import Container, Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

import aiohttp
import discord

from handlers import markup
from handlers.messaging import (
    Button,
    ChatKind,
    Command,
    ConversationRef,
    DeliveryError,
    EventKind,
    OutgoingMessage,
    Text,
)
from handlers.messaging import (
    DeliveryFailure as F,
)

PLATFORM = "discord"

MAX_CONTENT = 2000
MAX_BUTTONS_PER_ROW = 5
MAX_ROWS = 5
MAX_LABEL = 80
MAX_ALT_TEXT = 1024
CANNOT_MESSAGE_USER = 50007
"""Discord's code for a DM the person does not accept (DMs closed, blocked, no shared server)."""
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week: the longest Discord allows


@runtime_checkable
class ButtonHost(Protocol):
    """The client that owns the adapter: a pressed button is handed to it."""

    async def handle_button(self, interaction: discord.Interaction[Any], payload: str) -> None: ...


class PayloadButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"(?P<payload>.+)"):
    """A button whose ``custom_id`` is the core's payload, alive across restarts."""

    def __init__(self, payload: str, label: str = "\u200b", row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:MAX_LABEL],
                custom_id=payload,
                style=discord.ButtonStyle.secondary,
            ),
            row=row,
        )
        self.payload = payload

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> PayloadButton:
        label = getattr(item, "label", None) or "\u200b"
        return cls(match["payload"], label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        client = interaction.client
        if isinstance(client, ButtonHost):
            await client.handle_button(interaction, self.payload)


@dataclass(frozen=True, slots=True)
class Rendered:
    """One Discord message: the keyword arguments ``send`` takes, minus the file (rebuilt)."""

    content: str
    view: discord.ui.View | None = None
    with_image: bool = False
    with_document: bool = False


def render_text(text: str) -> str:
    """The core's plain text with ``*bold*`` as Discord bold; anything else stays literal."""
    return "".join(
        f"**{discord.utils.escape_markdown(span.text)}**"
        if span.bold
        else discord.utils.escape_markdown(span.text)
        for span in markup.parse(text)
    )


def _chunks(text: str, limit: int = MAX_CONTENT) -> Iterator[str]:
    """Split at line ends where possible, so no message exceeds Discord's limit."""
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                yield current
                current = ""
            yield line[:limit]
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            yield current
            current = line
        else:
            current = candidate
    if current or not text:
        yield current


def button_rows(rows: tuple[tuple[Button, ...], ...]) -> list[list[Button]]:
    """The core's rows within Discord's 5 x 5 grid (wide rows wrap; too many rows repack)."""
    wrapped = [
        list(row[i : i + MAX_BUTTONS_PER_ROW])
        for row in rows
        for i in range(0, len(row), MAX_BUTTONS_PER_ROW)
    ]
    if len(wrapped) > MAX_ROWS:
        flat = [button for row in wrapped for button in row][: MAX_ROWS * MAX_BUTTONS_PER_ROW]
        wrapped = [
            flat[i : i + MAX_BUTTONS_PER_ROW] for i in range(0, len(flat), MAX_BUTTONS_PER_ROW)
        ]
    return wrapped


def build_view(rows: tuple[tuple[Button, ...], ...]) -> discord.ui.View | None:
    """A persistent view (``timeout=None``) of payload buttons, or None without buttons."""
    laid_out = button_rows(rows)
    if not laid_out:
        return None
    view = discord.ui.View(timeout=None)
    for number, row in enumerate(laid_out):
        for button in row:
            view.add_item(PayloadButton(button.payload, button.label, row=number))
    return view


def render(message: OutgoingMessage) -> list[Rendered]:
    """The Discord messages for one core message: buttons and image go on the last one."""
    parts = list(_chunks(render_text(message.text)))
    last = len(parts) - 1
    return [
        Rendered(
            content=part,
            view=build_view(message.rows) if n == last else None,
            with_image=message.image is not None and n == last,
            with_document=message.document is not None and n == last,
        )
        for n, part in enumerate(parts)
    ]


def image_file(message: OutgoingMessage) -> discord.File:
    """The PNG as an attachment whose description (what screen readers say) is the alt text."""
    assert message.image is not None
    image = message.image
    return discord.File(
        io.BytesIO(image.png),
        filename=image.filename,
        description=image.alt_text[:MAX_ALT_TEXT] or None,
    )


def send_kwargs(part: Rendered, message: OutgoingMessage) -> dict[str, Any]:
    """Keyword arguments for ``Messageable.send`` and ``Webhook.send`` alike."""
    kwargs: dict[str, Any] = {
        "content": part.content or None,
        "allowed_mentions": discord.AllowedMentions.none(),
    }
    if part.view is not None:
        kwargs["view"] = part.view
    files = [image_file(message)] if part.with_image else []
    if part.with_document and message.document is not None:
        document = message.document
        files.append(discord.File(io.BytesIO(document.data), filename=document.filename))
    if len(files) == 1:
        kwargs["file"] = files[0]
    elif files:
        kwargs["files"] = files
    return kwargs


def delivery_error(exc: BaseException) -> DeliveryError:
    """Translate a discord.py or network failure; reasons are codes, never message text."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, discord.RateLimited):
        return DeliveryError(F.RATE_LIMITED, retry_after=exc.retry_after)
    if isinstance(exc, discord.Forbidden):
        if exc.code == CANNOT_MESSAGE_USER:
            return DeliveryError(F.DMS_CLOSED, permanent=True)
        return DeliveryError(F.FORBIDDEN, permanent=True)
    if isinstance(exc, discord.NotFound):
        return DeliveryError(F.CHAT_GONE, "not_found", permanent=True)
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            return DeliveryError(F.RATE_LIMITED, retry_after=_retry_after(exc))
        if exc.status >= 500:
            return DeliveryError(F.SERVER_ERROR)
        return DeliveryError(F.REJECTED, f"rejected_{exc.status}", permanent=True)
    if isinstance(exc, aiohttp.ClientError | TimeoutError | OSError):
        return DeliveryError(F.NETWORK)
    if isinstance(exc, ValueError):  # a reference that is not a Discord id, or a bad message
        return DeliveryError(F.INVALID, permanent=True)
    return DeliveryError(F.UNEXPECTED)


def _retry_after(exc: discord.HTTPException) -> float | None:
    headers = getattr(exc.response, "headers", None) or {}
    try:
        return float(headers.get("Retry-After", ""))
    except ValueError:
        return None


def thread_name(user_id: int) -> str:
    """The name of a person's check-in thread: how it is found again after a restart."""
    return f"check-ins-{user_id}"


async def find_or_create_thread(client: discord.Client, channel_id: int, user_id: int) -> int:
    """The person's private thread in ``channel_id`` (active, archived, or new), with them in it.

    Adding the person again when the thread is found is idempotent, and fails (so the caller
    treats them as unreachable) when they have left the server.
    """
    channel = client.get_channel(channel_id) or await client.fetch_channel(channel_id)
    if not isinstance(channel, discord.TextChannel):
        raise DeliveryError(F.NOT_TEXT_CHANNEL, permanent=True)
    name = thread_name(user_id)
    me = client.user.id if client.user is not None else None
    thread = next((t for t in channel.threads if t.name == name and t.owner_id == me), None)
    if thread is None:
        async for archived in channel.archived_threads(private=True, joined=True, limit=None):
            if archived.name == name:
                thread = archived
                break
    if thread is None:
        thread = await channel.create_thread(
            name=name,
            type=discord.ChannelType.private_thread,
            invitable=False,
            auto_archive_duration=THREAD_ARCHIVE_MINUTES,
        )
    await thread.add_user(discord.Object(id=user_id))
    return thread.id


def parse_text(text: str, commands: Container[str]) -> EventKind:
    """A typed ``/command`` the client did not turn into a slash command is still one."""
    if text.startswith("/") and len(text) > 1:
        name, *args = text[1:].split()
        if name.lower() in commands:
            return Command(name.lower(), tuple(args))
    return Text(text)


def place(
    user: discord.abc.User,
    channel: Any,
    channel_id: int | None,
    guild_id: int | None,
    prompt_channel_id: int | None,
) -> tuple[ConversationRef, ChatKind]:
    """Where an event came from: a reference to the chat and the person, and the kind of chat.

    A DM is referenced by its channel, and the person's own private check-in thread by their
    id plus the thread: both are direct chats. Anywhere else in a server the chat is the
    channel (a circle's venue) and the chat kind GROUP (CHANNEL for an announcement channel);
    in a thread, ``chat_id`` is its parent channel and ``thread_id`` the thread. The core
    reaches the person privately through ``IncomingEvent.private_ref`` (their id: "their DM"),
    so a server channel is never stored as where to reach a person.
    """
    user_id = str(user.id)
    if guild_id is None:
        return ConversationRef(PLATFORM, str(channel_id or user_id), user_id), ChatKind.DIRECT
    if (
        isinstance(channel, discord.Thread)
        and channel.type is discord.ChannelType.private_thread
        and channel.parent_id == prompt_channel_id
        and channel.name == thread_name(user.id)
    ):
        return ConversationRef(PLATFORM, user_id, user_id, str(channel.id)), ChatKind.DIRECT
    where = str(channel_id or getattr(channel, "id", None) or "")
    ref = ConversationRef(PLATFORM, where, user_id)
    if isinstance(channel, discord.Thread):
        ref = ConversationRef(PLATFORM, str(channel.parent_id or where), user_id, where)
    news = getattr(channel, "type", None) is discord.ChannelType.news
    return ref, ChatKind.CHANNEL if news else ChatKind.GROUP
