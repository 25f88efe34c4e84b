"""The core's vocabulary: what crosses the boundary between an adapter and the core.

Everything here is small, frozen and platform-neutral. Adapters translate their platform's
updates into :class:`IncomingEvent` and render :class:`OutgoingMessage` natively; the core never
sees a ``telegram`` or ``discord`` object except as the opaque ``raw`` field, which exists for
logging and debugging only.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from handlers.i18n import current_language
from storage.circles import VenueKind


class ChatKind(enum.StrEnum):
    """Where a message came from."""

    DIRECT = "direct"
    GROUP = "group"
    CHANNEL = "channel"


@dataclass(frozen=True, slots=True)
class ConversationRef:
    """Where to reach a person: enough to send a message months later with no live object.

    ``user_id`` is the platform's id of the person (empty for a channel post), ``chat_id`` the
    chat, DM or channel to write into, ``thread_id`` a Discord thread or Telegram topic.
    """

    platform: str
    chat_id: str
    user_id: str = ""
    thread_id: str | None = None

    def to_json(self) -> str:
        """Serialise for storage (the due queue and the delivery ledger keep these)."""
        return json.dumps(
            {"p": self.platform, "c": self.chat_id, "u": self.user_id, "t": self.thread_id},
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> ConversationRef:
        data = json.loads(text)
        return cls(platform=data["p"], chat_id=data["c"], user_id=data["u"], thread_id=data["t"])


@dataclass(frozen=True, slots=True)
class Text:
    """Free text the person typed."""

    text: str


@dataclass(frozen=True, slots=True)
class Command:
    """A command such as ``/start CODE``: the name without the slash, lower case."""

    name: str
    args: tuple[str, ...] = ()

    @property
    def arg_text(self) -> str:
        return " ".join(self.args)


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """A press of a button the core sent earlier, with the payload it carried."""

    payload: str


EventKind = Text | Command | ButtonPress


_SURROGATE = re.compile("[\ud800-\udfff]")


def well_formed(text: str) -> str:
    """``text`` with lone UTF-16 surrogates (which JSON escapes can carry, and which no
    database or platform can store) replaced by U+FFFD; a pair becomes the character it
    encodes. Anything else is returned as it is."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def well_formed_kind(kind: EventKind) -> EventKind:
    """The event's text, arguments or payload made :func:`well_formed` (``kind`` itself
    when it already is, as nearly every event is)."""
    if isinstance(kind, Text):
        text = well_formed(kind.text)
        return kind if text is kind.text else Text(text)
    if isinstance(kind, Command):
        args = tuple(well_formed(a) for a in kind.args)
        name = well_formed(kind.name)
        if name is kind.name and all(a is b for a, b in zip(args, kind.args, strict=True)):
            return kind
        return Command(name, args)
    payload = well_formed(kind.payload)
    return kind if payload is kind.payload else ButtonPress(payload)


@dataclass(frozen=True, slots=True)
class IncomingEvent:
    """One thing a person did, translated by an adapter."""

    ref: ConversationRef
    kind: EventKind
    display_name: str = ""
    chat_kind: ChatKind = ChatKind.DIRECT
    event_id: str = ""
    """The platform's update/interaction id, the only identifier errors are logged with."""
    edited: bool = False
    """An edit of an earlier message: only the crisis screen reads it, no flow answers it."""
    private_replies: bool = False
    """The replies reach only the sender wherever it was sent (a Discord interaction answered
    ephemerally), so even a personal answer may go back the way it came."""
    language_hint: str | None = None
    """The language the platform says the person uses (Telegram's ``language_code``, Discord's
    locale, e.g. ``es-MX``): what they are spoken to in until they choose one."""
    raw: Any = field(default=None, compare=False, repr=False)
    """The platform object, for logging and debugging only: the core never reads it."""

    @property
    def private_ref(self) -> ConversationRef:
        """Where to reach the sender privately: this chat when it is a direct one; from a
        group or channel, the person's own id as the chat ("their private chat": a Telegram
        private chat's id is the user's, and the Discord messenger opens the DM for it)."""
        if self.chat_kind is ChatKind.DIRECT:
            return self.ref
        return ConversationRef(self.ref.platform, self.ref.user_id, self.ref.user_id)


@dataclass(frozen=True, slots=True)
class Button:
    """A button: a label for people and a short payload for the core (<= 64 bytes)."""

    label: str
    payload: str

    def __post_init__(self) -> None:
        if len(self.payload.encode()) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"button payload longer than {MAX_PAYLOAD_BYTES} bytes")


MAX_PAYLOAD_BYTES = 64  # Telegram's callback_data limit; Discord allows 100.


@dataclass(frozen=True, slots=True)
class Image:
    """A PNG image with a text alternative that says the same thing in words."""

    png: bytes
    alt_text: str
    filename: str = "image.png"


@dataclass(frozen=True, slots=True)
class Document:
    """A file to hand over (``/mydata`` sends one), rendered as an attachment."""

    data: bytes = field(repr=False)
    filename: str
    mime: str = "application/json"


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """What the core wants said. ``rows`` lay buttons out, one tuple per row.

    The text may use a tiny markup subset every platform can render: ``*bold*`` only, parsed
    by :func:`handlers.markup.parse` for every renderer.
    """

    text: str
    rows: tuple[tuple[Button, ...], ...] = ()
    image: Image | None = None
    document: Document | None = None
    """Sent after the text (and image), as a file attachment."""
    language: str = field(default_factory=current_language, compare=False, repr=False)
    """The language it was built in (:mod:`handlers.i18n`): the outbox checks it against the
    recipient's, so a message built for the wrong reader shows in the logs."""

    @property
    def buttons(self) -> tuple[Button, ...]:
        return tuple(button for row in self.rows for button in row)

    @classmethod
    def with_buttons(
        cls, text: str, buttons: Sequence[Button], per_row: int = 3
    ) -> OutgoingMessage:
        rows = tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))
        return cls(text=text, rows=rows)


@dataclass(frozen=True, slots=True)
class SentRef:
    """What a platform gave back for a sent message, so it can be edited later."""

    ref: ConversationRef
    message_id: str


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a messenger can render (what it lacks degrades gracefully), and the platform
    facts the core branches on, declared by the messenger instead of named by platform."""

    buttons: bool = True
    images: bool = True
    edits: bool = True
    venue_kinds: tuple[VenueKind, ...] = (VenueKind.TEXT, VenueKind.VOICE)
    """The kinds of place a circle can meet in on this platform, the usual one first (a
    Telegram chat is a group; a Discord channel is text or voice)."""


class DeliveryFailure(enum.StrEnum):
    """Why a send failed, in the core's words: the adapters map their platform's errors here.

    The values are what ``paused_reason`` and the delivery ledger keep when an adapter gives no
    more specific wording (see :attr:`DeliveryError.reason`), so they never change.
    """

    BLOCKED = "blocked"
    """The person blocked the bot or removed it from the chat."""
    CHAT_GONE = "chat_gone"
    """The chat, channel or user no longer exists (or never did)."""
    DMS_CLOSED = "dms_closed"
    """The person does not accept direct messages from the bot."""
    FORBIDDEN = "forbidden"
    """The bot lacks a permission in that chat."""
    NOT_TEXT_CHANNEL = "prompt_channel_not_text"
    """The configured check-in channel cannot hold text."""
    NO_PRIVATE_CHAT = "no_private_chat"
    """No private chat with the person is known on that platform."""
    NO_ADAPTER = "no_adapter"
    """No adapter for the reference's platform is running."""
    REJECTED = "rejected"
    """The platform refused the request (a 4xx that names no better reason)."""
    INVALID = "invalid"
    """The reference or the message is not valid for the platform."""
    RATE_LIMITED = "rate_limited"
    """Flood control: try again after ``retry_after``."""
    SERVER_ERROR = "server_error"
    """The platform failed (a 5xx)."""
    TIMEOUT = "timeout"
    """The request timed out."""
    NETWORK = "network_error"
    """The connection failed."""
    UNEXPECTED = "unexpected_error"
    """Anything else."""

    @classmethod
    def of_reason(cls, reason: str | None) -> DeliveryFailure | None:
        """The failure a stored reason names, or None for free wording (an older row, or an
        adapter's own detail)."""
        if reason is None:
            return None
        try:
            return cls(reason)
        except ValueError:
            return None


class DeliveryError(Exception):
    """A send failed. ``permanent`` means retrying will not help (blocked, chat gone).

    ``failure`` is what the core branches on; ``detail`` is the adapter's own wording for logs
    and records (never what was sent), and :attr:`reason` is the one that is stored.
    """

    def __init__(
        self,
        failure: DeliveryFailure,
        detail: str = "",
        *,
        permanent: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(detail or failure.value)
        self.failure = failure
        self.detail = detail
        self.permanent = permanent
        self.retry_after = retry_after

    @property
    def reason(self) -> str:
        """What is logged and stored: the adapter's detail, else the failure's value."""
        return self.detail or self.failure.value


@runtime_checkable
class Messenger(Protocol):
    """The port each adapter implements."""

    platform: str
    capabilities: Capabilities

    async def send(self, ref: ConversationRef, message: OutgoingMessage) -> SentRef:
        """Deliver ``message``; raise :class:`DeliveryError` when it could not be delivered."""
        ...


@runtime_checkable
class VoicePresence(Protocol):
    """A messenger whose platform has voice rooms can say who sits in them."""

    platform: str

    async def voice_rooms(self) -> Sequence[tuple[str, Sequence[str]]]:
        """Every voice room with someone in it: its chat id and the user ids present."""
        ...


@runtime_checkable
class RsvpRoles(Protocol):
    """A messenger whose platform may restrict RSVPs to holders of a configured role says
    whether one is configured, and whether the person behind an event holds it. Which
    answers need the role is the core's rule (``handlers.circles.rsvp``)."""

    def rsvp_role_required(self) -> bool: ...

    async def holds_rsvp_role(self, event: IncomingEvent) -> bool:
        """Unknown counts as no."""
        ...


def numbered_choices(message: OutgoingMessage) -> str:
    """Render buttons as numbered choices, for a messenger without buttons."""
    if not message.rows:
        return message.text
    lines = [message.text, ""]
    lines += [f"  {n}. {b.label}" for n, b in enumerate(message.buttons, start=1)]
    return "\n".join(lines)


class Messengers:
    """The messengers of every running adapter, by platform."""

    def __init__(self, messengers: Mapping[str, Messenger] | None = None) -> None:
        self._by_platform: dict[str, Messenger] = dict(messengers or {})

    def add(self, messenger: Messenger) -> None:
        self._by_platform[messenger.platform] = messenger

    def get(self, platform: str) -> Messenger | None:
        return self._by_platform.get(platform)

    def platforms(self) -> tuple[str, ...]:
        return tuple(self._by_platform)

    def __iter__(self) -> Iterator[Messenger]:
        return iter(tuple(self._by_platform.values()))

    def capabilities_of(self, platform: str) -> Capabilities:
        """What ``platform``'s messenger declares; the defaults when none is running."""
        messenger = self._by_platform.get(platform)
        return messenger.capabilities if messenger is not None else Capabilities()

    async def send(self, ref: ConversationRef, message: OutgoingMessage) -> SentRef:
        messenger = self._by_platform.get(ref.platform)
        if messenger is None:
            raise DeliveryError(
                DeliveryFailure.NO_ADAPTER, f"no adapter running for {ref.platform}"
            )
        return await messenger.send(ref, message)
