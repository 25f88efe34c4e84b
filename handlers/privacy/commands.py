"""``/mydata`` and ``/deleteme``: a person sees, and can erase, everything stored about them.

Both work only in a private chat (the export must never land in a group). From an account
linked less than a day ago, both first wait for the person's older account to confirm (a
button there), so a linked stranger cannot read or erase the record. ``/deleteme`` asks
first: the confirmation button carries a one-time token kept in the conversation state, so a
press on an old confirmation (or a forged payload) erases nothing. The work itself is in
:mod:`handlers.privacy.data`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from handlers import flowstate
from handlers.account import linking
from handlers.context import Capability, CommandSpec, Context, Replies, Turn, end_flow, save_state
from handlers.dispatcher import stale_button
from handlers.messaging import ChatKind, OutgoingMessage
from handlers.privacy import texts
from handlers.privacy.data import SELF, erase_person, export_document, export_message
from handlers.routes import Route, decode_any
from storage.conversations import ConversationState
from storage.people import Account

FLOW = "pv"
CONFIRM = "confirm"
HELD = "held"
"""The step of a newly linked account whose /mydata or /deleteme waits for an older one."""
MYDATA, DELETEME = "mydata", "deleteme"


@dataclass(frozen=True, slots=True)
class ErasePress:
    """Yes, erase everything; ``token`` must be the one this confirmation was asked with."""

    token: str


@dataclass(frozen=True, slots=True)
class KeepPress:
    """No, keep everything."""


@dataclass(frozen=True, slots=True)
class ApprovePress:
    """On the older account: yes, the newly linked account's request ``token`` was me."""

    token: str


@dataclass(frozen=True, slots=True)
class DenyPress:
    """On the older account: no, it wasn't me."""

    token: str


ERASE = Route(FLOW, "erase:{token}", ErasePress)
KEEP = Route(FLOW, "keep", KeepPress)
APPROVE = Route(FLOW, "ok:{token}", ApprovePress)
DENY = Route(FLOW, "deny:{token}", DenyPress)


@dataclass(frozen=True, slots=True)
class HeldState:
    """What a newly linked account asked for (``mydata`` or ``deleteme``), waiting for the
    older account's press that carries ``token``."""

    kind: str
    token: str


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


async def _held(ctx: Context, turn: Turn, kind: str) -> Replies | None:
    """From an account linked less than a day ago: ask the older account, and do nothing."""
    older = await linking.older_account_to_ask(ctx, turn)
    if older is None:
        return None
    platform = linking.platform_name(older.address.platform)
    token = secrets.token_hex(4)
    question = OutgoingMessage.with_buttons(
        texts.HELD_ASK[kind].format(platform=linking.platform_name(turn.address.platform)),
        [
            APPROVE.button(texts.HELD_YES, ApprovePress(token)),
            DENY.button(texts.HELD_NO, DenyPress(token)),
        ],
        per_row=1,
    )
    done = texts.HELD_DONE[kind]
    if not await linking.send_to(ctx, older, question):
        return [OutgoingMessage(texts.HELD_UNREACHABLE.format(platform=platform, done=done))]
    await save_state(ctx, turn, FLOW, HELD, kind=kind, token=token)
    return [OutgoingMessage(texts.HELD.format(platform=platform, done=done))]


async def _asking_account(ctx: Context, turn: Turn, token: str) -> tuple[Account, str] | None:
    """The person's newly linked account waiting on ``token``, and what it asked for; only an
    account of the same person that is not itself newly linked may answer."""
    if turn.person is None:
        return None
    accounts = await ctx.storage.accounts_of(turn.person.id)
    presser = next((a for a in accounts if a.address == turn.address), None)
    if presser is None or await linking.newly_linked(ctx, presser):
        return None
    for account in accounts:
        if account.address == turn.address:
            continue
        state = await ctx.storage.load_conversation(account.address)
        if state is None or state.flow != FLOW or state.step != HELD:
            continue
        held = flowstate.load(HeldState, state)
        if held is not None and held.token == token and held.kind in (MYDATA, DELETEME):
            return account, held.kind
    return None


async def _answer_held(ctx: Context, turn: Turn, token: str, *, approve: bool) -> Replies:
    found = await _asking_account(ctx, turn, token)
    if found is None or turn.person is None:
        return [stale_button(texts.HELD_GONE)]
    account, kind = found
    platform = linking.platform_name(account.address.platform)
    await ctx.storage.clear_conversation(account.address)
    if not approve:
        await linking.send_to(ctx, account, OutgoingMessage(texts.HELD_REFUSED_ASKER))
        return [OutgoingMessage(texts.HELD_REFUSED.format(platform=platform))]
    if kind == MYDATA:
        document = await export_document(ctx, turn.person.id)
        message = export_message(ctx, document, encrypted=ctx.storage.encrypts_text)
        await linking.send_to(ctx, account, message)
        return [OutgoingMessage(texts.HELD_SENT.format(platform=platform))]
    erase_token = secrets.token_hex(4)
    await ctx.storage.save_conversation(
        account.address,
        ConversationState(flow=FLOW, step=CONFIRM, data={"token": erase_token}),
        ctx.clock(),
    )
    await linking.send_to(ctx, account, _erase_question(erase_token))
    return [OutgoingMessage(texts.HELD_ERASE_ASKED.format(platform=platform))]


def _erase_question(token: str) -> OutgoingMessage:
    buttons = [
        ERASE.button(texts.ERASE_BUTTON, ErasePress(token)),
        KEEP.button(texts.KEEP_BUTTON, KeepPress()),
    ]
    return OutgoingMessage.with_buttons(texts.CONFIRM, buttons, per_row=1)


async def mydata_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    refused = _private_only(turn, "mydata")
    if refused is not None:
        return refused
    if turn.person is None:
        return [OutgoingMessage(texts.NOTHING_STORED)]
    held = await _held(ctx, turn, MYDATA)
    if held is not None:
        return held
    document = await export_document(ctx, turn.person.id)
    return [export_message(ctx, document, encrypted=ctx.storage.encrypts_text)]


async def deleteme_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    refused = _private_only(turn, "deleteme")
    if refused is not None:
        return refused
    if turn.person is None:  # before consent only the sign-up step is kept: forget it now
        await end_flow(ctx, turn)
        return [OutgoingMessage(texts.NOTHING_TO_ERASE)]
    held = await _held(ctx, turn, DELETEME)
    if held is not None:
        return held
    token = secrets.token_hex(4)
    await save_state(ctx, turn, FLOW, CONFIRM, token=token)
    return [_erase_question(token)]


class PrivacyFlow:
    """The confirmation of ``/deleteme``: ``pv:erase:<token>`` or ``pv:keep``."""

    name = FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = decode_any(payload, (ERASE, KEEP, APPROVE, DENY))
        asking = turn.state is not None and turn.state.flow == FLOW and turn.state.step == CONFIRM
        match press:
            case ApprovePress(token=token):
                return await _answer_held(ctx, turn, token, approve=True)
            case DenyPress(token=token):
                return await _answer_held(ctx, turn, token, approve=False)
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
        if turn.state is not None and turn.state.step == HELD:
            return [OutgoingMessage(texts.HELD_SET_ASIDE)]
        return [OutgoingMessage(texts.KEPT_TYPED)]


CAPABILITY = Capability(
    commands=(
        CommandSpec("mydata", texts.HELP_MYDATA, mydata_command, needs_person=False),
        CommandSpec("deleteme", texts.HELP_DELETEME, deleteme_command, needs_person=False),
    ),
    flows=(PrivacyFlow(),),
)
