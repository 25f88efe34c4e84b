"""The chat driver: one person talking to the dispatcher, as an adapter would deliver it."""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.account.onboarding import CONSENT_YES, SINCE_SKIP, ConsentYesPress, SinceSkipPress
from handlers.dispatcher import Dispatcher
from handlers.messaging import (
    ButtonPress,
    ChatKind,
    Command,
    ConversationRef,
    IncomingEvent,
    OutgoingMessage,
    Text,
)
from handlers.profile import ZoneYesPress, profile_routes

ROOM = "room-1"
"""The group chat :class:`Room` writes in unless told otherwise."""


@dataclass
class Chat:
    """One person in a direct chat with the bot; ``replies`` keeps everything answered."""

    dispatcher: Dispatcher
    user_id: str = "1001"
    platform: str = "test"
    chat_kind: ChatKind = ChatKind.DIRECT
    replies: list[OutgoingMessage] = field(default_factory=list)
    _n: int = 0

    @property
    def ref(self) -> ConversationRef:
        return ConversationRef(platform=self.platform, chat_id=self.user_id, user_id=self.user_id)

    async def _send(self, kind: Text | Command | ButtonPress) -> list[OutgoingMessage]:
        self._n += 1
        event = IncomingEvent(
            ref=self.ref, kind=kind, chat_kind=self.chat_kind, event_id=f"evt-{self._n}"
        )
        out = await self.dispatcher.handle(event)
        self.replies.extend(out)
        return out

    async def say(self, text: str) -> list[OutgoingMessage]:
        return await self._send(Text(text))

    async def command(self, name: str, *args: str) -> list[OutgoingMessage]:
        return await self._send(Command(name, tuple(args)))

    async def press(self, payload: str) -> list[OutgoingMessage]:
        return await self._send(ButtonPress(payload))

    async def press_label(self, label_part: str) -> list[OutgoingMessage]:
        """Press the newest button whose label contains ``label_part``."""
        for message in reversed(self.replies):
            for button in message.buttons:
                if label_part.lower() in button.label.lower():
                    return await self.press(button.payload)
        raise AssertionError(f"no button labelled like {label_part!r} was shown")

    @property
    def last(self) -> OutgoingMessage:
        assert self.replies, "the bot has not said anything"
        return self.replies[-1]


@dataclass
class Room(Chat):
    """A person writing in a group chat (a circle's venue)."""

    room: str = ROOM
    chat_kind: ChatKind = ChatKind.GROUP

    @property
    def ref(self) -> ConversationRef:
        return ConversationRef(platform=self.platform, chat_id=self.room, user_id=self.user_id)


async def onboard(
    chat: Chat,
    *,
    name: str = "Sam",
    zone: str = "Denver",
    at: str = "8pm",
    since: str | None = None,
) -> None:
    """Walk a person through onboarding with ordinary answers: ``since`` answers the recovery
    date question (skipped when None)."""
    await chat.command("start")
    await chat.press(CONSENT_YES.encode(ConsentYesPress()))
    await chat.say(name)
    await chat.say(zone)
    await chat.press(profile_routes("ob").zone_yes.encode(ZoneYesPress()))
    await chat.say(at)
    await answer_since(chat, since)


def asks_since(message: OutgoingMessage) -> bool:
    """Whether ``message`` is onboarding's recovery-date question (it has the Skip button)."""
    skip = SINCE_SKIP.encode(SinceSkipPress())
    return any(button.payload == skip for button in message.buttons)


async def answer_since(chat: Chat, since: str | None) -> None:
    """Answer the recovery-date question if it was just asked: ``since``, or Skip."""
    if not chat.replies or not asks_since(chat.last):
        return
    if since is None:
        await chat.press(SINCE_SKIP.encode(SinceSkipPress()))
    else:
        await chat.say(since)


async def answer_all(
    chat: Chat, *, mood: str = "4", craving: str = "3", used: str = "no", note: str | None = None
) -> str:
    """Start ``/checkin`` and answer every question; returns the closing reply's text."""
    await chat.command("checkin")
    await chat.say(mood)
    await chat.say(craving)
    await chat.say(used)
    replies = await chat.say(note) if note is not None else await chat.press_label("Skip")
    return replies[-1].text
