"""Circle occurrences as Discord guild scheduled events: the server's own Events list.

A :class:`~handlers.calendars.CalendarMirror`: the core says an occurrence was scheduled,
moved, cancelled, or that the series ended, and this keeps one scheduled event per occurrence
in step with it, in the server of the circle's venue:

- a voice (or stage) venue gives a voice (stage) event in that channel, so "Interested"
  people are taken straight to it;
- a text venue (a channel, or a thread of one) gives an external event whose location is the
  channel's name, ending when the circle is planned to end (Discord requires an end there).
  An external event shows to the whole server, so a venue that @everyone cannot see (a
  private channel or thread) gets none: a private circle stays private;
- name: the circle's title; description: a short warm line (``handlers.circles.texts``); only
  the server's members see it (``guild_only``). Nothing about any person goes into it.

Which event shows which occurrence is stored (``occurrence_mirrors``), so a move or a cancel
finds it again after a restart. The event is fetched fresh before each change rather than
read from the cache: the bot asks for no scheduled-event intent, so its cache would not know
that the event started, or that a moderator deleted it (then a new one is made). An event
that is running or over is left alone.

Needs the **Manage Events** permission. Without it Discord answers 403: that is logged (once
with a hint, and by exception type each time, never with any text) and the circle carries on,
as for every other failure here (:class:`~handlers.calendars.CalendarMirrors` contains them).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import discord
from discord import EventStatus

from bot.adapters.discord_views import PLATFORM
from handlers.circles import texts
from handlers.numbers import read_id
from storage.circles import Circle, CircleStore, MirroredEvent, Occurrence, VenueKind

log = logging.getLogger(__name__)

MIRROR = PLATFORM
"""The name these copies are stored under (``occurrence_mirrors.mirror``)."""
MAX_NAME = 100
MAX_LOCATION = 100
REASON = "Peer circle schedule"
"""Shown in the server's audit log next to each change."""

VoiceVenue = discord.VoiceChannel | discord.StageChannel


@dataclass(frozen=True, slots=True)
class Place:
    """Where a circle's events go: a server, and either a voice channel or a location text."""

    guild: discord.Guild
    channel: VoiceVenue | None = None
    location: str | None = None


class DiscordEvents:
    """Keeps one guild scheduled event per upcoming occurrence of each Discord circle."""

    def __init__(self, client: discord.Client, storage: CircleStore) -> None:
        self._client = client
        self._storage = storage
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self._hinted = False

    async def occurrence_scheduled(self, circle: Circle, occurrence: Occurrence) -> None:
        """Create the occurrence's event, or move and rename the one it has."""
        with self._explain_forbidden():
            async with self._lock(occurrence.id):
                known = await self._storage.mirrored_event(MIRROR, occurrence.id)
                place = await self.place_of(circle)
                if known is not None and place is not None and known.place == str(place.guild.id):
                    event = await _fetch(place.guild, known.event_id)
                    if event is not None:
                        if event.status is EventStatus.scheduled:
                            await event.edit(**event_fields(circle, occurrence, place))
                        return  # running, over, or cancelled by a moderator: leave it be
                elif known is not None:
                    await self._remove(known)  # the circle left that server (or Discord)
                if place is None:
                    return
                fields = event_fields(circle, occurrence, place)
                event = await self._unrecorded(place, fields)
                if event is not None:  # made before a crash or timeout stopped us saving it
                    await event.edit(**fields)
                else:
                    event = await place.guild.create_scheduled_event(**fields)
                await self._storage.save_mirrored_event(
                    MirroredEvent(MIRROR, occurrence.id, str(place.guild.id), str(event.id))
                )

    async def _unrecorded(
        self, place: Place, fields: dict[str, Any]
    ) -> discord.ScheduledEvent | None:
        """An event this bot made for the very same name, start and place, that we hold no
        record of: the process died (or the mirror timed out) between creating it and saving
        the record. Taken over instead of making a second one."""
        me = self._client.user
        for event in await place.guild.fetch_scheduled_events(with_counts=False):
            if (
                me is not None
                and event.creator_id == me.id
                and event.status is EventStatus.scheduled
                and event.name == fields["name"]
                and event.start_time == fields["start_time"]
                and event.channel_id == (place.channel.id if place.channel else None)
                and event.location == place.location
            ):
                return event
        return None

    async def occurrence_cancelled(self, circle: Circle, occurrence: Occurrence) -> None:
        """Cancel the date's event (Discord then takes it off the Events list)."""
        await self._change(occurrence, EventStatus.scheduled, _cancel, forget=True)

    async def circle_ended(self, circle: Circle, occurrences: Sequence[Occurrence]) -> None:
        """Delete the events of every date the series took with it."""
        with self._explain_forbidden():
            for occurrence in occurrences:
                async with self._lock(occurrence.id):
                    known = await self._storage.mirrored_event(MIRROR, occurrence.id)
                    if known is not None:
                        await self._remove(known)

    async def occurrence_started(self, circle: Circle, occurrence: Occurrence) -> None:
        """Start the date's event: people who marked it "Interested" are told it has begun."""
        await self._change(occurrence, EventStatus.scheduled, _start, forget=False)

    async def occurrence_finished(self, circle: Circle, occurrence: Occurrence) -> None:
        """End the date's event (it leaves the Events list); nothing more to keep in step."""
        await self._change(occurrence, EventStatus.active, _end, forget=True)

    async def _change(
        self,
        occurrence: Occurrence,
        status: EventStatus,
        change: Callable[[discord.ScheduledEvent], Awaitable[object]],
        *,
        forget: bool,
    ) -> None:
        """If the date's event is (still) in ``status``, ``change`` it; then, with ``forget``,
        drop the record of it: there is nothing more to keep in step."""
        with self._explain_forbidden():
            async with self._lock(occurrence.id):
                known = await self._storage.mirrored_event(MIRROR, occurrence.id)
                if known is None:
                    return
                event = await self._event(known)
                if event is not None and event.status is status:
                    await change(event)
                if forget:
                    await self._storage.forget_mirrored_event(MIRROR, occurrence.id)

    async def place_of(self, circle: Circle) -> Place | None:
        """The server (and voice channel or location) of a Discord venue; None for any
        other venue, or a channel that is not in a server."""
        venue = circle.venue
        channel_id = read_id(venue.chat_id) if venue is not None else None
        if venue is None or venue.platform != PLATFORM or channel_id is None:
            return None
        channel: Any = self._client.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self._client.fetch_channel(channel_id)
            except discord.NotFound:
                return None
        if not isinstance(channel, discord.abc.GuildChannel):
            return None  # a DM: no server, no Events list
        if venue.kind is VenueKind.VOICE and isinstance(channel, VoiceVenue):
            return Place(channel.guild, channel=channel)  # Discord shows it only to who sees it
        if not channel.permissions_for(channel.guild.default_role).view_channel:
            return None  # an external event would show a private channel's circle to everyone
        name = channel.name
        thread_id = read_id(venue.thread_id) if venue.thread_id else None
        if thread_id is not None:
            thread = channel.guild.get_thread(thread_id)
            if thread is not None and thread.is_private():
                return None
            name = thread.name if thread is not None else name
        return Place(channel.guild, location=f"#{name}"[:MAX_LOCATION])

    async def _event(self, known: MirroredEvent) -> discord.ScheduledEvent | None:
        guild = self._client.get_guild(int(known.place))
        return await _fetch(guild, known.event_id) if guild is not None else None

    async def _remove(self, known: MirroredEvent) -> None:
        event = await self._event(known)
        if event is not None:
            await event.delete(reason=REASON)
        await self._storage.forget_mirrored_event(MIRROR, known.occurrence_id)

    def _lock(self, occurrence_id: int) -> asyncio.Lock:
        """One change to an occurrence's event at a time (an edit and the due queue's tick
        could otherwise both find no event and make two)."""
        lock = self._locks.get(occurrence_id)
        if lock is None:
            lock = self._locks[occurrence_id] = asyncio.Lock()
        return lock

    @contextmanager
    def _explain_forbidden(self) -> Iterator[None]:
        """Say once what a 403 means here; the error itself goes on to be logged by type."""
        try:
            yield
        except discord.Forbidden:
            if not self._hinted:
                self._hinted = True
                log.warning(
                    "Discord refused a circle's scheduled event: give the bot the Manage"
                    " Events permission, or set [discord] mirror_circle_events = false"
                )
            raise


def event_fields(circle: Circle, occurrence: Occurrence, place: Place) -> dict[str, Any]:
    """What ``create_scheduled_event`` and ``ScheduledEvent.edit`` are given."""
    fields: dict[str, Any] = {
        "name": circle.title[:MAX_NAME],
        "description": texts.CALENDAR_EVENT,
        "start_time": occurrence.starts_at,
        "end_time": occurrence.starts_at + circle.duration,
        "privacy_level": discord.PrivacyLevel.guild_only,
        "reason": REASON,
    }
    if place.channel is not None:
        stage = isinstance(place.channel, discord.StageChannel)
        fields["entity_type"] = (
            discord.EntityType.stage_instance if stage else discord.EntityType.voice
        )
        fields["channel"] = place.channel
    else:
        fields["entity_type"] = discord.EntityType.external
        fields["location"] = place.location
    return fields


def _cancel(event: discord.ScheduledEvent) -> Awaitable[object]:
    return event.cancel(reason=REASON)


def _start(event: discord.ScheduledEvent) -> Awaitable[object]:
    return event.start(reason=REASON)


def _end(event: discord.ScheduledEvent) -> Awaitable[object]:
    return event.end(reason=REASON)


async def _fetch(guild: discord.Guild, event_id: str) -> discord.ScheduledEvent | None:
    """The event as Discord has it now; None if it is gone (deleted by hand)."""
    try:
        return await guild.fetch_scheduled_event(int(event_id))
    except discord.NotFound:
        return None
