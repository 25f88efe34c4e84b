"""Circles on Discord: attendance from voice channels, and the RSVP role.

Translation and platform facts only, kept apart from :mod:`bot.adapters.discord`; the rules
are the core's (:mod:`handlers.circles`):

- A member's voice state change becomes :func:`handlers.circles.session.person_left` for the
  channel they left and :func:`~handlers.circles.session.arrived` for the one they joined,
  referenced as ``ConversationRef("discord", chat_id=<voice channel>, user_id=<member>)``: a
  circle whose venue is that voice channel counts them as here, like "I'm here". Mute, deafen
  and streaming changes are not moves and are ignored.
- :func:`voice_rooms` says who sits in which voice channel: when a session opens, the core
  (:func:`handlers.circles.session.count_present`) counts those already in its room.
- :func:`has_role` says whether a member holds ``[discord] rsvp_role_id``: the core
  (:func:`handlers.circles.rsvp.may_answer`) decides which answers need it.

The messenger (:mod:`bot.adapters.discord_messenger`) offers both to the core as ports.

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
from handlers.context import Context
from handlers.logsafe import describe_exception
from handlers.messaging import ConversationRef

log = logging.getLogger(__name__)


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


def voice_rooms(guilds: Sequence[discord.Guild]) -> list[tuple[str, list[str]]]:
    """Every voice or stage channel with someone in it, and the ids of who is there."""
    return [
        (str(channel.id), [str(user_id) for user_id in channel.voice_states])
        for guild in guilds
        for channel in (*guild.voice_channels, *guild.stage_channels)
        if channel.voice_states
    ]


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
