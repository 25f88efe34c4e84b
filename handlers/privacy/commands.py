"""``/mydata`` and ``/deleteme``: a person sees, and can erase, everything stored about them.

Both work only in a private chat (the export must never land in a group). ``/deleteme`` asks
first: the confirmation button carries a one-time token kept in the conversation state, so a
press on an old confirmation (or a forged payload) erases nothing. The work itself is in
:mod:`handlers.privacy.data`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from handlers import flowstate
from handlers.context import Capability, CommandSpec, Context, Replies, Turn, end_flow, save_state
from handlers.dispatcher import stale_button
from handlers.messaging import ChatKind, OutgoingMessage
from handlers.privacy import texts
from handlers.privacy.data import SELF, erase_person, export_document, export_message
from handlers.routes import Route, decode_any
from storage.conversations import ConversationState

FLOW = "pv"
CONFIRM = "confirm"


@dataclass(frozen=True, slots=True)
class ErasePress:
    """Yes, erase everything; ``token`` must be the one this confirmation was asked with."""

    token: str


@dataclass(frozen=True, slots=True)
class KeepPress:
    """No, keep everything."""


ERASE = Route(FLOW, "erase:{token}", ErasePress)
KEEP = Route(FLOW, "keep", KeepPress)


@dataclass(frozen=True, slots=True)
class ConfirmState:
    """An erasure being confirmed, and the one-time token its Erase button carries."""

    token: str


def load_state(state: ConversationState | None) -> ConfirmState | None:
    """The confirmation being asked, or None if there is none or it has a shape this version
    does not read (saved by an older one): no press erases anything then."""
    if state is None or state.flow != FLOW or state.step != CONFIRM:
        return None
    confirm = flowstate.load(ConfirmState, state)
    return confirm if confirm is not None and confirm.token else None


def _private_only(turn: Turn, name: str) -> Replies | None:
    if turn.event.chat_kind is ChatKind.DIRECT:
        return None
    return [OutgoingMessage(texts.PRIVATE_CHAT_ONLY.format(name=name))]


async def mydata_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    refused = _private_only(turn, "mydata")
    if refused is not None:
        return refused
    if turn.person is None:
        return [OutgoingMessage(texts.NOTHING_STORED)]
    document = await export_document(ctx, turn.person.id)
    return [export_message(ctx, document, encrypted=ctx.storage.encrypts_text)]


async def deleteme_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    refused = _private_only(turn, "deleteme")
    if refused is not None:
        return refused
    if turn.person is None:  # before consent only the sign-up step is kept: forget it now
        await end_flow(ctx, turn)
        return [OutgoingMessage(texts.NOTHING_TO_ERASE)]
    token = secrets.token_hex(4)
    await save_state(ctx, turn, FLOW, CONFIRM, token=token)
    buttons = [
        ERASE.button(texts.ERASE_BUTTON, ErasePress(token)),
        KEEP.button(texts.KEEP_BUTTON, KeepPress()),
    ]
    return [OutgoingMessage.with_buttons(texts.CONFIRM, buttons, per_row=1)]


class PrivacyFlow:
    """The confirmation of ``/deleteme``: ``pv:erase:<token>`` or ``pv:keep``."""

    name = FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = decode_any(payload, (ERASE, KEEP))
        asking = turn.state is not None and turn.state.flow == FLOW and turn.state.step == CONFIRM
        match press:
            case KeepPress():
                if asking:
                    await end_flow(ctx, turn)
                return [OutgoingMessage(texts.KEPT)]
            case ErasePress(token=token):
                state = load_state(turn.state)
                if turn.person is not None and state is not None and state.token == token:
                    await erase_person(ctx, turn.person.id, requested_by=SELF)
                    return [OutgoingMessage(texts.ERASED)]
        return [stale_button(texts.STALE_NEXT_STEP)]

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        await end_flow(ctx, turn)  # only a press erases; anything typed keeps everything
        return [OutgoingMessage(texts.KEPT_TYPED)]


CAPABILITY = Capability(
    commands=(
        CommandSpec("mydata", texts.HELP_MYDATA, mydata_command, needs_person=False),
        CommandSpec("deleteme", texts.HELP_DELETEME, deleteme_command, needs_person=False),
    ),
    flows=(PrivacyFlow(),),
)
