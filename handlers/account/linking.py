"""``/link``: attach a second platform's account to the same person.

``/link`` on the first app gives a one-time code (valid 10 minutes); ``/link CODE`` on the
other app attaches that account to the same person, so check-ins, counts, goals and mentors
are one record. The person then picks where daily prompts go.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from handlers.account import codeguard
from handlers.account import linking_texts as texts
from handlers.context import Capability, CommandSpec, Context, Replies, Turn, end_flow
from handlers.dispatcher import stale_button
from handlers.messaging import OutgoingMessage
from handlers.routes import Route
from storage.links import LinkError
from storage.people import Account

FLOW = "lk"
CODE_VALID_FOR = timedelta(minutes=10)
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True, slots=True)
class PromptsPress:
    """Send my daily prompts on this platform."""

    platform: str


PROMPTS = Route(FLOW, "prompts:{platform}", PromptsPress)


def _platform_name(platform: str) -> str:
    return texts.PLATFORM_NAMES.get(platform, platform)


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
            code, turn.person.id, now=now, expires_at=now + CODE_VALID_FOR
        )
        minutes = int(CODE_VALID_FOR.total_seconds() // 60)
        replies = [OutgoingMessage(texts.LINK_CODE.format(minutes=minutes, code=code))]
        if len(await ctx.storage.accounts_of(turn.person.id)) > 1:
            replies.append(await where_prompts_go(ctx, turn.person.id, texts.WHERE_PROMPTS))
        return replies
    wait = await codeguard.held_back(ctx, turn)
    if wait is not None:
        return [wait]
    ref = turn.event.private_ref  # from a group: their private chat, never the group
    account = Account(turn.address, person_id=0, chat_id=ref.chat_id, thread_id=ref.thread_id)
    try:
        person_id = await ctx.storage.redeem_link_code(args[0].upper(), account, ctx.clock())
    except LinkError as err:
        await codeguard.failed(ctx, turn, codeguard.LINK)
        return [OutgoingMessage(texts.PROBLEM[err.problem.value])]
    if turn.person is not None:  # the code's own person, on an account already theirs
        return [OutgoingMessage(texts.ALREADY_LINKED)]
    await end_flow(ctx, turn)  # e.g. an onboarding started here before linking
    others = {
        _platform_name(a.address.platform)
        for a in await ctx.storage.accounts_of(person_id)
        if a.address != turn.address
    }
    return [
        await where_prompts_go(
            ctx, person_id, texts.LINKED.format(platforms=" and ".join(sorted(others)))
        )
    ]


class LinkFlow:
    name = FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = PROMPTS.decode(payload)
        if turn.person is None or press is None:
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
)
