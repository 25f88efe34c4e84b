"""Set-up for the circle tests: people, a group chat, and the guided /circle create."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.dispatcher import Dispatcher
from handlers.messaging import OutgoingMessage
from storage.base import Storage
from storage.circles import Circle
from storage.people import AccountAddress, Role
from tests.support.chat import ROOM, Chat, Room, onboard
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger

__all__ = [
    "ROOM",
    "Member",
    "Room",
    "count_with",
    "create_circle",
    "last_with",
    "member",
    "payload",
]


@dataclass
class Member:
    id: int
    dm: Chat
    room: Room


async def member(
    dispatcher: Dispatcher,
    storage: Storage,
    clock: FakeClock,
    user_id: str,
    name: str,
    *,
    zone: str = "New York",
    role: Role | None = None,
    room: str = ROOM,
) -> Member:
    dm = Chat(dispatcher, user_id=user_id)
    await onboard(dm, name=name, zone=zone, at="8am")
    person = await storage.person_for_account(AccountAddress("test", user_id))
    assert person is not None and person.onboarded
    if role is not None:
        await storage.grant_role(person.id, role, clock())
    return Member(person.id, dm, Room(dispatcher, user_id=user_id, room=room))


def payload(message: OutgoingMessage, label_part: str) -> str:
    """The payload of the message's button whose label contains ``label_part``."""
    for button in message.buttons:
        if label_part.casefold() in button.label.casefold():
            return button.payload
    raise AssertionError(f"no button like {label_part!r} in {[b.label for b in message.buttons]}")


def last_with(messenger: RecordingMessenger, chat_id: str, text_part: str) -> OutgoingMessage:
    """The newest message sent into ``chat_id`` that contains ``text_part``."""
    for message in reversed(messenger.to(chat_id)):
        if text_part in message.text:
            return message
    raise AssertionError(f"nothing like {text_part!r} was sent to {chat_id}")


def count_with(messenger: RecordingMessenger, chat_id: str, text_part: str) -> int:
    return sum(text_part in m.text for m in messenger.to(chat_id))


async def create_circle(
    facilitator: Member,
    messenger: RecordingMessenger,
    storage: Storage,
    *,
    title: str = "Tuesday evening circle",
    day: str = "Tue",
    at: str = "7pm",
    repeat: str = "Every week",
    minutes: str = "90",
    capacity: str = "8",
) -> tuple[Circle, str]:
    """Walk the guided /circle create from the facilitator's room; returns the circle and the
    facilitator's closing reply."""
    moved = await facilitator.room.command("circle", "create")
    assert "private message" in moved[0].text
    dm = facilitator.dm
    assert "What's it called?" in messenger.last(dm.user_id).text  # the question moved to DM
    await dm.say(title)
    await dm.say("For anyone in recovery who'd like company on a weeknight.")
    await dm.press_label("standard guidelines")
    await dm.press_label(day)
    await dm.say(at)
    await dm.press_label("Yes,")
    await dm.press_label(repeat)
    await dm.say(minutes)
    await dm.say(capacity)
    confirm = await dm.press_label("text chat")
    assert "Shall I create it?" in confirm[-1].text, confirm[-1].text
    done = await dm.press_label("Create it")
    circles = await storage.circles_led_by(facilitator.id)
    return circles[-1], done[-1].text
