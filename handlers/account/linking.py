"""``/link``: attach a second platform's account to the same person.

``/link`` on the first app gives a one-time code (valid 10 minutes); ``/link CODE`` on the
other app asks the account that made the code to confirm (a code seen by someone else must not
hand them the record). Only a "Yes, link it" pressed on that account attaches the new account,
so check-ins, counts, goals and mentors are one record; a "No", or 24 hours without an answer,
cancels it, and the new account is told. Every account the person already had hears of the new
one. The person then picks where daily prompts go.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.account import codeguard
from handlers.account import linking_texts as texts
from handlers.context import Capability, CommandSpec, Context, Replies, Turn, end_flow
from handlers.dispatcher import stale_button
from handlers.messaging import ConversationRef, DeliveryError, OutgoingMessage
from handlers.outbox import send_with_retries
from handlers.routes import Route, decode_any
from storage.due_queue import DueWork
from storage.links import LinkError, LinkProblem, LinkRequest
from storage.people import Account

log = logging.getLogger(__name__)

FLOW = "lk"
CODE_VALID_FOR = timedelta(minutes=10)
REQUEST_VALID_FOR = timedelta(hours=24)
"""How long a link request waits for the owner's answer before it is cancelled."""
NEWLY_LINKED_FOR = timedelta(hours=24)
"""For this long after it is linked, an account's /mydata and /deleteme wait for an older one."""
LINK_REQUEST = "link_request"
"""The due-queue kind that cancels an unanswered request (subject: the request id)."""
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True, slots=True)
class PromptsPress:
    """Send my daily prompts on this platform."""

    platform: str


@dataclass(frozen=True, slots=True)
class AcceptPress:
    """Yes, link the account that asked (request ``request``) to mine."""

    request: int


@dataclass(frozen=True, slots=True)
class RefusePress:
    """No, that wasn't me: cancel request ``request``."""

    request: int


PROMPTS = Route(FLOW, "prompts:{platform}", PromptsPress)
ACCEPT = Route(FLOW, "yes:{request}", AcceptPress)
REFUSE = Route(FLOW, "no:{request}", RefusePress)


def platform_name(platform: str) -> str:
    return texts.PLATFORM_NAMES.get(platform, platform)


_platform_name = platform_name


async def newly_linked(ctx: Context, account: Account) -> bool:
    """Whether ``account`` was linked by /link less than :data:`NEWLY_LINKED_FOR` ago."""
    linked = await ctx.storage.linked_at(account.address)
    return linked is not None and ctx.clock() - linked < NEWLY_LINKED_FOR


async def older_account_to_ask(ctx: Context, turn: Turn) -> Account | None:
    """When this turn's account was linked less than a day ago, the person's older account
    that must confirm what it asks for (/mydata, /deleteme); None when there is no need."""
    if turn.person is None:
        return None
    accounts = await ctx.storage.accounts_of(turn.person.id)
    this = next((a for a in accounts if a.address == turn.address), None)
    if this is None or not await newly_linked(ctx, this):
        return None
    others = [a for a in accounts if a.address != turn.address]
    for account in others:  # oldest first
        if not await newly_linked(ctx, account):
            return account
    return others[0] if others else None


async def where_prompts_go(ctx: Context, person_id: int, text: str) -> OutgoingMessage:
    accounts = await ctx.storage.accounts_of(person_id)
    platforms = sorted({a.address.platform for a in accounts})
    buttons = [PROMPTS.button(_platform_name(p), PromptsPress(p)) for p in platforms]
    return OutgoingMessage.with_buttons(text, buttons)


async def link(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    if not args:
        if turn.person is None or not turn.person.onboarded:
            return [OutgoingMessage(texts.PROBLEM["unknown"])]
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
        now = ctx.clock()
        await ctx.storage.create_link_code(
            code, turn.person.id, made_by=turn.address, now=now, expires_at=now + CODE_VALID_FOR
        )
        minutes = int(CODE_VALID_FOR.total_seconds() // 60)
        replies = [OutgoingMessage(texts.LINK_CODE.format(minutes=minutes, code=code))]
        if len(await ctx.storage.accounts_of(turn.person.id)) > 1:
            replies.append(await where_prompts_go(ctx, turn.person.id, texts.WHERE_PROMPTS))
        return replies
    wait = await codeguard.held_back(ctx, turn)
    if wait is not None:
        return [wait]
    return await _ask_owner(ctx, turn, args[0])


def _ref(account: Account) -> ConversationRef:
    return ConversationRef(
        account.address.platform,
        account.chat_id,
        account.address.platform_user_id,
        account.thread_id,
    )


async def send_to(ctx: Context, account: Account, message: OutgoingMessage) -> bool:
    """Send to one account now; False (logged, without text) when it cannot be reached."""
    try:
        await send_with_retries(ctx, _ref(account), message)
    except DeliveryError as err:
        log.info("link message to a %s account failed: %s", account.address.platform, err.reason)
        return False
    return True


async def _ask_owner(ctx: Context, turn: Turn, code: str) -> Replies:
    """``/link CODE`` on a new account: ask the account that made the code to confirm."""
    wait = await codeguard.held_back(ctx, turn)
    if wait is not None:
        return [wait]
    ref = turn.event.private_ref  # from a group: their private chat, never the group
    account = Account(turn.address, person_id=0, chat_id=ref.chat_id, thread_id=ref.thread_id)
    now = ctx.clock()
    try:
        request = await ctx.storage.request_link(
            code.upper(), account, now=now, expires_at=now + REQUEST_VALID_FOR
        )
    except LinkError as err:
        if err.problem is LinkProblem.ALREADY_LINKED:
            return [OutgoingMessage(texts.ALREADY_LINKED)]
        await codeguard.failed(ctx, turn, codeguard.LINK)
        return [OutgoingMessage(texts.PROBLEM[err.problem.value])]
    owner_platform = _platform_name(request.owner.platform)
    owner = next(
        (a for a in await ctx.storage.accounts_of(request.person_id) if a.address == request.owner),
        None,
    )
    question = OutgoingMessage.with_buttons(
        texts.ASK_OWNER.format(platform=_platform_name(turn.address.platform)),
        [
            ACCEPT.button(texts.ACCEPT_BUTTON, AcceptPress(request.id)),
            REFUSE.button(texts.REFUSE_BUTTON, RefusePress(request.id)),
        ],
        per_row=1,
    )
    if owner is None or not await send_to(ctx, owner, question):
        await ctx.storage.answer_link_request(request.id, accept=False, now=now)
        return [OutgoingMessage(texts.CANNOT_ASK.format(platform=owner_platform))]
    await ctx.storage.set_due(
        DueWork(LINK_REQUEST, str(request.id), request.expires_at, "1", request.person_id)
    )
    return [OutgoingMessage(texts.REQUEST_SENT.format(platform=owner_platform))]


async def _answer(ctx: Context, turn: Turn, request_id: int, *, accept: bool) -> Replies:
    """The owner's answer to a link request, pressed on the account that made the code."""
    request = await ctx.storage.link_request(request_id)
    if request is None:
        return [OutgoingMessage(texts.REQUEST_GONE)]
    if turn.person is None or request.owner != turn.address:
        return [stale_button()]  # only the account that made the code may answer
    try:
        answered = await ctx.storage.answer_link_request(request_id, accept=accept, now=ctx.clock())
    except LinkError:
        await ctx.storage.clear_due(LINK_REQUEST, str(request_id))
        await send_to(ctx, request.account, OutgoingMessage(texts.REFUSED_NEW))
        return [OutgoingMessage(texts.NOW_TAKEN)]
    if answered is None:
        return [OutgoingMessage(texts.REQUEST_GONE)]
    await ctx.storage.clear_due(LINK_REQUEST, str(request_id))
    if not accept:
        await send_to(ctx, request.account, OutgoingMessage(texts.REFUSED_NEW))
        return [OutgoingMessage(texts.REFUSED)]
    return await _linked(ctx, turn, answered)


async def _linked(ctx: Context, turn: Turn, request: LinkRequest) -> Replies:
    """Tell the new account it joined, and every other account of the person that it did."""
    new = request.account.address
    await ctx.storage.clear_conversation(new)  # e.g. an onboarding started there before linking
    await ctx.capabilities.schedule_changed(ctx, request.person_id)
    platform = _platform_name(new.platform)
    accounts = await ctx.storage.accounts_of(request.person_id)
    for account in accounts:
        if account.address not in (new, turn.address):
            await send_to(
                ctx, account, OutgoingMessage(texts.NEW_ACCOUNT_LINKED.format(platform=platform))
            )
    others = {_platform_name(a.address.platform) for a in accounts if a.address != new}
    welcome = await where_prompts_go(
        ctx, request.person_id, texts.LINKED.format(platforms=" and ".join(sorted(others)))
    )
    joined = next((a for a in accounts if a.address == new), request.account)
    await send_to(ctx, joined, welcome)
    return [OutgoingMessage(texts.CONFIRMED.format(platform=platform))]


async def expire_request(ctx: Context, work: DueWork, now: datetime) -> DueWork | None:
    """The due handler: a request nobody answered in 24 hours is cancelled, and its account
    told kindly."""
    request = await ctx.storage.expire_link_request(int(work.subject), now)
    if request is not None:
        await send_to(ctx, request.account, OutgoingMessage(texts.EXPIRED_NEW))
    return None


class LinkFlow:
    name = FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = decode_any(payload, (PROMPTS, ACCEPT, REFUSE))
        match press:
            case AcceptPress(request=request_id):
                return await _answer(ctx, turn, request_id, accept=True)
            case RefusePress(request=request_id):
                return await _answer(ctx, turn, request_id, accept=False)
            case PromptsPress():
                pass
            case _:
                return [stale_button()]
        if turn.person is None:
            return [stale_button()]
        platform = press.platform
        platforms = {a.address.platform for a in await ctx.storage.accounts_of(turn.person.id)}
        if platform not in platforms:
            return [stale_button()]
        await ctx.storage.update_settings(turn.person.id, prompt_platform=platform)
        await ctx.capabilities.schedule_changed(ctx, turn.person.id)
        return [OutgoingMessage(texts.PROMPTS_GO_TO.format(platform=_platform_name(platform)))]

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        await end_flow(ctx, turn)
        return [stale_button()]


CAPABILITY = Capability(
    commands=(
        CommandSpec(
            "link",
            "use the same record on another app (Telegram or Discord)",
            link,
            needs_person=False,
            arg_hint="[CODE]",
        ),
    ),
    flows=(LinkFlow(),),
    due_handlers={LINK_REQUEST: expire_request},
)
