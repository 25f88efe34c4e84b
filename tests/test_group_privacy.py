"""Commands typed in a group: nothing personal reaches the group, whoever types them.

Every command of the role matrix is typed in a group chat by a mentee (with a note, a
safety plan and shared check-ins), their mentor, a coordinator, a facilitator and someone who
never started. A personal answer goes to the person's private chat and the group hears only
that; where no private chat can be opened, the group hears where to ask instead. No group
message may carry a name, a mood, a note, a plan, a code or a document.
"""

from __future__ import annotations

import re

from handlers.app import REGISTRY
from handlers.context import Context, GroupReply
from handlers.dispatcher import Dispatcher
from handlers.messaging import ChatKind, DeliveryError, DeliveryFailure, OutgoingMessage
from handlers.texts import common
from storage.people import Role
from tests.support import Chat, RecordingMessenger, answer_all
from tests.support.mentoring import staff, team

NOTE = "argued with my brother about the rent"
PLAN_PART = "my sister Jo on 555-0101"
CODE = re.compile(r"\b[A-Z0-9]{8}\b")


def in_group(chat: Chat) -> Chat:
    return Chat(chat.dispatcher, user_id=chat.user_id, chat_kind=ChatKind.GROUP)


def leaks(message: OutgoingMessage, secrets: list[str]) -> list[str]:
    found = [s for s in secrets if re.search(rf"\b{re.escape(s)}\b", message.text)]
    if CODE.search(message.text):
        found.append("a code")
    if message.document is not None or message.image is not None:
        found.append("an attachment")
    return found


async def test_no_command_typed_in_a_group_shows_anything_personal_there(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger
) -> None:
    crew = await team(ctx, dispatcher)
    await crew.mentee.command("sharing")
    await crew.mentee.press_label("notes")  # the mentor may see notes: they must stay private
    await answer_all(crew.mentee, mood="1", craving="9", used="yes", note=NOTE)
    await crew.mentee.command("safetyplan")
    await crew.mentee.say(PLAN_PART)
    facilitator, _ = await staff(ctx, dispatcher, Role.FACILITATOR, "f1", "Fay")
    stranger = Chat(dispatcher, user_id="never-started")
    people = [crew.mentee, crew.mentor, crew.coordinator, facilitator, stranger]
    secrets = ["Sam", "Mo", "Bea", "Cy", "Fay", NOTE, PLAN_PART, "555-0101", "Craving", "Mood"]

    found: list[str] = []
    for name, spec in REGISTRY.commands.items():
        for chat in people:
            for reply in await in_group(chat).command(name):
                if spec.in_groups is GroupReply.PRIVATELY:
                    allowed = (common.SENT_PRIVATELY, common.NEED_ONBOARDING)
                    if reply.text in allowed or reply.text.startswith(f"/{name} is for "):
                        continue
                found += [f"/{name} by {chat.user_id}: {leak}" for leak in leaks(reply, secrets)]
    assert found == []
    private = messenger.to(crew.mentor.user_id)
    assert any("Sam" in m.text for m in private)  # /mentees reached the mentor, privately


async def test_when_no_private_chat_can_be_opened_the_group_hears_where_to_ask(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger
) -> None:
    crew = await team(ctx, dispatcher)
    messenger.failures.append(DeliveryError(DeliveryFailure.DMS_CLOSED, permanent=True))
    [reply] = await in_group(crew.mentor).command("mentees")
    assert reply.text == common.ASK_PRIVATELY.format(name="mentees")
    [reply] = await in_group(crew.mentor).command("invite")
    assert reply.text == common.SENT_PRIVATELY  # the code went to the mentor's own chat
    assert not CODE.search(reply.text)
    assert CODE.search(messenger.last(crew.mentor.user_id).text)


async def test_help_in_a_group_lists_only_what_anyone_may_use(
    ctx: Context, dispatcher: Dispatcher
) -> None:
    crew = await team(ctx, dispatcher)
    [private] = await crew.mentor.command("help")
    [public] = await in_group(crew.mentor).command("help")
    assert "/mentees" in private.text
    assert "/mentees" not in public.text and "/sos" in public.text  # no role told to the group
