"""Circle occurrences as Discord guild scheduled events, end to end: real discord.py, Discord
simulated by simcord, the bot built the way ``peerbot run`` builds it (config file, then
``platform_adapters``), the real core on a SQLite file and a fake clock.

We look at what Discord holds (simcord's backend: the server's scheduled events) after what a
facilitator does with slash commands and buttons.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.adapters.discord import DiscordAdapter
from bot.adapters.discord_events import DiscordEvents
from bot.config import ConfigError, load_config
from bot.runner import platform_adapters
from handlers.app import assemble, build_dispatcher
from handlers.circles import texts
from handlers.context import Context
from handlers.messaging import Messengers
from storage.circles import MirroredEvent
from storage.people import Role
from storage.sqlite import SqliteStorage
from tests.support.clock import FakeClock
from tests.support.discord_world import (
    FIRST_START,
    World,
    create_circle,
    discord_world,
    join,
    private_reply,
    tick,
    worker_of,
)

ENV = {"PEERBOT_DISCORD_TOKEN": "not-a-real-token"}
SCHEDULED, ACTIVE, COMPLETED, CANCELLED = 1, 2, 3, 4  # Discord's event statuses
VOICE, EXTERNAL = 2, 3  # and entity types
WEEK = timedelta(days=7)


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"[discord]\n{text}", encoding="utf-8")
    return path


async def run_like_peerbot(world: World, tmp_path: Path) -> Context:
    """(Re)start the bot as ``peerbot run`` builds it, on the same database: a restart."""
    config = load_config(config_file(tmp_path, f"prompt_channel_id = {world.prompts.id}\n"), ENV)
    messengers = Messengers()
    ctx = assemble(Context(storage=world.storage, messengers=messengers, clock=world.clock))
    (adapter,) = platform_adapters(config, build_dispatcher(ctx), messengers)
    assert isinstance(adapter, DiscordAdapter)
    world.running = (ctx, adapter)
    await world.env.restart_bot(adapter.client)
    return ctx


def server_events(world: World) -> list[Any]:
    """The server's scheduled events as Discord holds them, soonest first."""
    found = world.env.backend.get_guild(world.guild.id).scheduled_events.values()
    return sorted(found, key=lambda event: starts(event))


def live(world: World) -> list[Any]:
    return [event for event in server_events(world) if event.status == SCHEDULED]


def starts(event: Any) -> datetime:
    return datetime.fromisoformat(event.scheduled_start_time)


def ends(event: Any) -> datetime:
    return datetime.fromisoformat(event.scheduled_end_time)


def allow_manage_events(world: World, allowed: bool) -> None:
    """Change the bot's (integration) role in the server, as an admin would."""
    backend = world.env.backend
    (role,) = [r for r in backend.get_guild(world.guild.id).roles.values() if r.managed]
    permissions = discord.Permissions(role.permissions)
    permissions.manage_events = allowed
    backend.edit_role(world.guild.id, role.id, {"permissions": permissions.value})


async def test_a_voice_circle_is_one_scheduled_event_per_date_kept_in_step(
    storage: SqliteStorage, clock: FakeClock, tmp_path: Path
) -> None:
    async with discord_world(storage, clock) as world:
        await run_like_peerbot(world, tmp_path)
        room = world.guild.create_voice_channel("circle-room")
        robin = await join(world, "Robin", role=Role.FACILITATOR)
        await create_circle(robin, room, texts.WHERE_VOICE)
        (circle,) = await storage.circles_led_by(await robin.person_id())

        # Created with the circle: a voice event in its channel, for its first date.
        (event,) = server_events(world)
        assert (event.name, event.entity_type, event.channel_id, event.status) == (
            "Tuesday evening circle",
            VOICE,
            room.id,
            SCHEDULED,
        )
        assert (starts(event), ends(event)) == (FIRST_START, FIRST_START + timedelta(minutes=90))
        assert event.description == texts.CALENDAR_EVENT and event.privacy_level == 2
        first = (await storage.occurrences_of(circle.id, after=clock()))[0]
        remembered = MirroredEvent("discord", first.id, str(world.guild.id), str(event.id))
        assert await storage.mirrored_event("discord", first.id) == remembered

        # A new time moves that same event.
        later = FIRST_START + timedelta(minutes=30)
        await robin.slash(room, "circle", "edit")
        await robin.click(texts.EDIT_TIME)
        await robin.say("7:30pm")
        (moved,) = server_events(world)
        assert moved.id == event.id and (starts(moved), ends(moved)) == (
            later,
            later + timedelta(minutes=90),
        )

        # After a restart (a new adapter and core on the same database) a new name still
        # goes to the same event.
        await run_like_peerbot(world, tmp_path)
        await robin.slash(room, "circle", "edit")
        await robin.click(texts.EDIT_TITLE)
        await robin.say("Tuesday night circle")
        (renamed,) = server_events(world)
        assert (renamed.id, renamed.name, starts(renamed)) == (
            event.id,
            "Tuesday night circle",
            later,
        )

        # Cancelling that date cancels its event; the next date gets an event of its own.
        await robin.slash(room, "circle", "cancel 1 Dec")
        cancelled, following = server_events(world)
        assert (cancelled.id, cancelled.status) == (event.id, CANCELLED)
        assert following.id != event.id and following.status == SCHEDULED
        assert (following.name, following.channel_id) == ("Tuesday night circle", room.id)
        assert starts(following) == later + WEEK
        assert await storage.mirrored_event("discord", first.id) is None

        # When that date starts, the due queue moves on, and so does the calendar.
        await tick(world, worker_of(world), later + WEEK + timedelta(seconds=5))
        newest = server_events(world)[-1]
        assert starts(newest) == later + 2 * WEEK and newest.status == SCHEDULED

        # Ending the series removes the event of every date still ahead.
        await robin.slash(room, "circle", "cancel series")
        assert newest.id not in {e.id for e in server_events(world)}
        assert [e.id for e in live(world)] == [following.id]  # the date that already began
        upcoming = (await storage.occurrences_of(circle.id, after=later + WEEK))[-1]
        assert await storage.mirrored_event("discord", upcoming.id) is None


async def test_an_event_made_but_not_recorded_is_taken_over_not_made_twice(
    storage: SqliteStorage, clock: FakeClock, tmp_path: Path
) -> None:
    """The process died (or the mirror timed out) between Discord making the event and our
    record of it: the next change finds the event it made and keeps using it."""
    async with discord_world(storage, clock) as world:
        await run_like_peerbot(world, tmp_path)
        room = world.guild.create_voice_channel("circle-room")
        robin = await join(world, "Robin", role=Role.FACILITATOR)
        await create_circle(robin, room, texts.WHERE_VOICE)
        (event,) = server_events(world)
        (circle,) = await storage.circles_led_by(await robin.person_id())
        first = (await storage.occurrences_of(circle.id, after=clock()))[0]
        await storage.forget_mirrored_event("discord", first.id)  # the record never made it

        await robin.slash(room, "circle", "edit")
        await robin.click(texts.EDIT_DURATION)
        await robin.say("60")
        (kept,) = server_events(world)
        assert kept.id == event.id and ends(kept) == FIRST_START + timedelta(hours=1)
        remembered = await storage.mirrored_event("discord", first.id)
        assert remembered is not None and remembered.event_id == str(event.id)


async def test_circle_start_and_end_start_and_end_the_event(
    storage: SqliteStorage, clock: FakeClock, tmp_path: Path
) -> None:
    """People who marked the event "Interested" are told by Discord when it starts."""
    async with discord_world(storage, clock) as world:
        await run_like_peerbot(world, tmp_path)
        room = world.guild.create_voice_channel("circle-room")
        robin = await join(world, "Robin", role=Role.FACILITATOR)
        await create_circle(robin, room, texts.WHERE_VOICE)
        (event,) = server_events(world)
        clock.set(FIRST_START + timedelta(minutes=1))
        await robin.slash(room, "circle", "start")
        (started,) = [e for e in server_events(world) if e.id == event.id]
        assert started.status == ACTIVE
        await robin.slash(room, "circle", "end")
        (over,) = [e for e in server_events(world) if e.id == event.id]
        assert over.status == COMPLETED
        (circle,) = await storage.circles_led_by(await robin.person_id())
        first = (await storage.occurrences_of(circle.id, after=FIRST_START - WEEK))[0]
        assert await storage.mirrored_event("discord", first.id) is None


async def test_without_manage_events_the_circle_works_and_the_refusal_is_logged_bare(
    storage: SqliteStorage, clock: FakeClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with discord_world(storage, clock) as world:
        await run_like_peerbot(world, tmp_path)
        allow_manage_events(world, False)
        room = world.guild.create_text_channel("circles")
        robin = await join(world, "Robin", role=Role.FACILITATOR)
        alex = await join(world, "Alex")
        created = await create_circle(robin, room, texts.WHERE_TEXT)
        assert "The first one is Tue 1 Dec, 7:00 pm" in created.followups[-1].content
        assert server_events(world) == []

        # The circle is whole: announced, scheduled, and RSVPs work.
        (circle,) = await storage.circles_led_by(await robin.person_id())
        start = await storage.get_due("circle_start", str(circle.id))
        assert start is not None and start.due_at == FIRST_START
        assert "You're going, Alex" in private_reply(await alex.click(texts.GOING, room))

        # Discord's 403 is logged by type, with a hint, and no text of anyone's.
        refused = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert any(f"schedule for circle {circle.id} failed: Forbidden" in line for line in refused)
        assert any("Manage Events" in line for line in refused)
        for record in caplog.records:
            line = record.getMessage()
            for text in ("Tuesday evening", "weeknight", texts.CALENDAR_EVENT, "Robin", "Alex"):
                assert text not in line, line

        # Once an admin grants the permission, the next change brings the event: a text
        # channel gives an external event at "#circles", ending when the circle ends.
        allow_manage_events(world, True)
        await robin.slash(room, "circle", "edit")
        await robin.click(texts.EDIT_DURATION)
        await robin.say("60")
        (event,) = server_events(world)
        assert (event.entity_type, event.channel_id, event.entity_metadata) == (
            EXTERNAL,
            None,
            {"location": "#circles"},
        )
        assert (starts(event), ends(event)) == (FIRST_START, FIRST_START + timedelta(hours=1))


async def test_a_circle_in_a_private_channel_gets_no_event_for_the_whole_server(
    storage: SqliteStorage, clock: FakeClock, tmp_path: Path
) -> None:
    async with discord_world(storage, clock) as world:
        await run_like_peerbot(world, tmp_path)
        robin = await join(world, "Robin", role=Role.FACILITATOR)
        bot = world.guild.me
        assert bot is not None
        seen = discord.PermissionOverwrite(view_channel=True)
        room = world.guild.create_text_channel(
            "members-circle",
            overwrites={
                world.guild.default_role: discord.PermissionOverwrite(view_channel=False),
                bot: seen,
                robin.member: seen,
            },
        )
        created = await create_circle(robin, room, texts.WHERE_TEXT)
        assert "The first one is Tue 1 Dec, 7:00 pm" in created.followups[-1].content
        assert server_events(world) == []
        open_room = world.guild.create_text_channel("open-circle")
        await create_circle(robin, open_room, texts.WHERE_TEXT)
        (event,) = server_events(world)  # the same circle in an open channel does get one
        assert event.entity_metadata == {"location": "#open-circle"}


async def test_the_mirror_is_on_by_default_and_can_be_switched_off(
    storage: SqliteStorage, tmp_path: Path
) -> None:
    def mirrors(text: str) -> list[object]:
        config = load_config(config_file(tmp_path, text), ENV)
        ctx = assemble(Context(storage=storage))
        platform_adapters(config, build_dispatcher(ctx), Messengers())
        return list(ctx.calendars)

    assert [type(m) for m in mirrors("")] == [DiscordEvents]
    assert mirrors("mirror_circle_events = false\n") == []
    assert [type(m) for m in mirrors("mirror_circle_events = true\n")] == [DiscordEvents]
    with pytest.raises(ConfigError, match="mirror_circle_events"):
        mirrors('mirror_circle_events = "yes"\n')
    assert list(assemble(Context(storage=storage)).calendars) == []  # no adapter, no calendar
