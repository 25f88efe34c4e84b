"""Circles on Discord: attendance from voice channels, and the RSVP role.

Translation only, kept apart from :mod:`bot.adapters.discord`:

- A member's voice state change becomes :func:`handlers.circles.session.person_left` for the
  channel they left and :func:`~handlers.circles.session.arrived` for the one they joined,
  referenced as ``ConversationRef("discord", chat_id=<voice channel>, user_id=<member>)``: a
  circle whose venue is that voice channel counts them as here, like "I'm here". Mute, deafen
  and streaming changes are not moves and are ignored.
- Right after a session opens (``/circle start``, or the facilitator's pick of circle), those
  already sitting in a voice channel where a circle is now running are counted too: people
  usually join before the facilitator starts.
- With ``[discord] rsvp_role_id`` set, Going and Maybe (the waitlist comes through Going) are
  for members holding that role; anyone else gets the core's kind refusal and the press never
  reaches the core. Can't and "no more reminders" stay open to everyone.

Each occurrence also shows as a guild scheduled event, through the core's calendar hook
(:mod:`handlers.calendars`): see :mod:`bot.adapters.discord_events`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import aiohttp
import discord

from bot.adapters.discord_views import PLATFORM
from handlers.circles import session as circles_session
from handlers.circles.common import PICK_FLOW, RSVP_FLOW
from handlers.context import Context
from handlers.logsafe import describe_exception
from handlers.messaging import ButtonPress, Command, ConversationRef, EventKind

log = logging.getLogger(__name__)

NEEDS_ROLE = ("g", "m")
"""The RSVP choices (``cr:<occurrence>:<choice>``) the role is asked for: Going and Maybe."""


def voice_ref(channel_id: int, user_id: int) -> ConversationRef:
    return ConversationRef(PLATFORM, str(channel_id), str(user_id))


async def voice_changed(
    ctx: Context, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
) -> None:
    """One member moved between voice channels (or in, or out). Never raises."""
    if member.bot:
        return
    left = before.channel.id if before.channel is not None else None
    joined = after.channel.id if after.channel is not None else None
    if left == joined:
        return
    try:
        if left is not None:
            await circles_session.person_left(ctx, voice_ref(left, member.id))
        if joined is not None:
            await circles_session.arrived(ctx, voice_ref(joined, member.id))
    except Exception as exc:
        log.error("voice attendance failed: %s", describe_exception(exc))


def opens_session(kind: EventKind) -> bool:
    """``/circle start ...`` or the button that picks which circle to start."""
    if isinstance(kind, Command):
        return kind.name == "circle" and bool(kind.args) and kind.args[0].lower() == "start"
    return isinstance(kind, ButtonPress) and kind.payload.startswith(f"{PICK_FLOW}:start:")


async def count_present(ctx: Context, guilds: Sequence[discord.Guild]) -> int:
    """Count as here everyone sitting in a voice channel whose circle has a session open."""
    counted = 0
    for guild in guilds:
        for channel in (*guild.voice_channels, *guild.stage_channels):
            people = list(channel.voice_states)
            if not people or not await ctx.storage.circles_at_venue(PLATFORM, str(channel.id)):
                continue
            for user_id in people:
                counted += await circles_session.arrived(ctx, voice_ref(channel.id, user_id))
    return counted


def needs_role(kind: EventKind) -> bool:
    if not isinstance(kind, ButtonPress):
        return False
    prefix, _, rest = kind.payload.partition(":")
    return prefix == RSVP_FLOW and rest.rpartition(":")[2] in NEEDS_ROLE


async def may_rsvp(client: discord.Client, user: Any, kind: EventKind, settings: Any) -> bool:
    """False for Going or Maybe from someone without ``settings.rsvp_role_id`` (when set)."""
    role_id: int | None = settings.rsvp_role_id
    if role_id is None or not needs_role(kind):
        return True
    return await has_role(client, user, role_id)


async def has_role(client: discord.Client, user: Any, role_id: int) -> bool:
    """Whether ``user`` holds the role: from the interaction's member in the role's server,
    else (a press in a DM) by fetching them from that server. Unknown counts as no."""
    if isinstance(user, discord.Member) and user.guild.get_role(role_id) is not None:
        return any(role.id == role_id for role in user.roles)
    guild = next((g for g in client.guilds if g.get_role(role_id) is not None), None)
    if guild is None:
        log.warning("rsvp_role_id is not a role in any server the bot is in")
        return False
    try:
        member = guild.get_member(user.id) or await guild.fetch_member(user.id)
    except discord.NotFound:
        return False
    except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
        log.warning("could not check the RSVP role: %s", describe_exception(exc))
        return False
    return any(role.id == role_id for role in member.roles)
