"""Sending the core's messages on Discord: into a person's DM, a server channel or a thread,
or a private check-in thread per person in ``prompt_channel_id`` (always, with ``prompts_in =
"private_thread"``, or once the person's DMs turn out to be closed). Failures become the
core's :class:`~handlers.messaging.DeliveryError`, logged by type, never with what was sent.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.adapters.discord_circles import has_role, voice_rooms
from bot.adapters.discord_views import (
    CANNOT_MESSAGE_USER,
    PLATFORM,
    delivery_error,
    find_or_create_thread,
    render,
    send_kwargs,
)
from handlers.messaging import (
    Capabilities,
    ConversationRef,
    DeliveryError,
    DeliveryFailure,
    IncomingEvent,
    OutgoingMessage,
    SentRef,
)
from handlers.numbers import read_id
from handlers.pacing import Budget, Lane, SendPacer, current_lane

if TYPE_CHECKING:  # the adapter module imports this one
    from bot.adapters.settings import DiscordSettings

log = logging.getLogger(__name__)

SendTarget = discord.abc.Messageable


class DiscordMessenger:
    """Sends the core's messages with discord.py; failures become :class:`DeliveryError`."""

    platform = PLATFORM
    capabilities = Capabilities(buttons=True, images=True, edits=True)

    def __init__(self, client: discord.Client, settings: DiscordSettings) -> None:
        self.client = client
        self.settings = settings
        self._threads: dict[int, int] = {}
        self._thread_locks: dict[int, asyncio.Lock] = {}
        self._dms_closed: set[int] = set()
        # DM pacing, for scheduled DMs only: a bot DMing many people at once looks like spam,
        # while an answer to someone who just wrote, or a ping, must not wait. discord.py keeps
        # Discord's own global and per-route limits (and waits out a 429) for every request.
        self.dm_pacer = SendPacer(Budget(10_000, 1.0))
        self.dm_budget = (
            Budget(settings.dm_burst, settings.dm_burst * settings.dm_gap_seconds)
            if settings.dm_gap_seconds > 0
            else None
        )

    async def send(self, ref: ConversationRef, message: OutgoingMessage) -> SentRef:
        user_id = read_id(ref.user_id)
        try:
            if ref.thread_id:
                target_ref = ref
                target: SendTarget = self.client.get_partial_messageable(int(ref.thread_id))
            elif user_id is not None and self._use_thread(user_id):
                target_ref, target = await self._thread_target(ref, user_id)
            else:
                target_ref, target = ref, await self._direct_target(ref, user_id)
            try:
                if (
                    self.dm_budget is not None
                    and isinstance(target, discord.DMChannel)
                    and current_lane() is Lane.ROUTINE
                ):
                    async with self.dm_pacer.slot("dms", self.dm_budget):
                        return await self.send_to(target, target_ref, message)
                return await self.send_to(target, target_ref, message)
            except discord.Forbidden as exc:
                if exc.code != CANNOT_MESSAGE_USER or user_id is None or ref.thread_id:
                    raise
                self._dms_closed.add(user_id)
                if self.settings.prompt_channel_id is None:
                    raise
                log.info("DMs closed for a person: using their private thread")
                target_ref, target = await self._thread_target(ref, user_id)
                return await self.send_to(target, target_ref, message)
        except (
            DeliveryError,
            discord.DiscordException,
            aiohttp.ClientError,
            OSError,
            ValueError,
        ) as exc:
            err = delivery_error(exc)
            log.warning("discord send failed: %s (%s)", err.reason, type(exc).__name__)
            raise err from None

    async def send_to(
        self, target: SendTarget, ref: ConversationRef, message: OutgoingMessage
    ) -> SentRef:
        """Send into a known channel, DM or thread (the raw discord.py errors propagate)."""
        sent: discord.Message | None = None
        for part in render(message):
            sent = await target.send(**send_kwargs(part, message))
        assert sent is not None
        return SentRef(ref=ref, message_id=str(sent.id))

    # ---- platform facts the core asks for (handlers.messaging.VoicePresence, RsvpRoles)

    async def voice_rooms(self) -> list[tuple[str, list[str]]]:
        return voice_rooms(self.client.guilds)

    def rsvp_role_required(self) -> bool:
        return self.settings.rsvp_role_id is not None

    async def holds_rsvp_role(self, event: IncomingEvent) -> bool:
        role_id = self.settings.rsvp_role_id
        if role_id is None:
            return True
        user = getattr(event.raw, "user", None) or discord.Object(id=int(event.ref.user_id))
        return await has_role(self.client, user, role_id)

    def _use_thread(self, user_id: int) -> bool:
        if self.settings.prompt_channel_id is None:
            return False
        return self.settings.prompts_in == "private_thread" or user_id in self._dms_closed

    async def _direct_target(self, ref: ConversationRef, user_id: int | None) -> SendTarget:
        if user_id is not None and ref.chat_id == ref.user_id:
            return await self.client.create_dm(discord.Object(id=user_id))
        return self.client.get_partial_messageable(int(ref.chat_id))

    async def _thread_target(
        self, ref: ConversationRef, user_id: int
    ) -> tuple[ConversationRef, SendTarget]:
        try:
            thread_id = await self.thread_for(user_id)
        except (discord.DiscordException, aiohttp.ClientError, OSError) as exc:
            reason = type(exc).__name__
            log.warning("no private thread for a person (%s): treating DMs as closed", reason)
            raise DeliveryError(DeliveryFailure.DMS_CLOSED, permanent=True) from None
        target = self.client.get_partial_messageable(int(thread_id))
        return replace(ref, thread_id=str(thread_id)), target

    async def thread_for(self, user_id: int) -> int:
        """The person's private check-in thread in ``prompt_channel_id``: found or created."""
        user_id = int(user_id)
        channel_id = self.settings.prompt_channel_id
        if channel_id is None:
            raise DeliveryError(DeliveryFailure.DMS_CLOSED, permanent=True)
        async with self._thread_locks.setdefault(user_id, asyncio.Lock()):
            if user_id not in self._threads:
                thread = await find_or_create_thread(self.client, channel_id, user_id)
                self._threads[user_id] = thread
        return self._threads[user_id]
