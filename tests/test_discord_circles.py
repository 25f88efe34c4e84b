"""Peer circles on Discord, end to end: real discord.py, Discord simulated by simcord, the real
core on a SQLite file and a fake clock with due-queue ticks for reminders and timers.

A circle meets in a server channel: there the events carry the channel as the chat (its
venue), while replies stay ephemeral and everything personal (the set-up questions,
reminders, the check-out pulse, the facilitator's summary) goes by DM. Attendance comes from
the voice channel (joining before or after ``/circle start``) and from "I'm here" clicks.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import discord
import pytest

from bot.adapters.discord import DiscordSettings, intents
from bot.config import ConfigError, load_config
from handlers.circles import texts
from storage.circles import RsvpStatus, VenueKind
from storage.people import Role
from storage.sqlite import SqliteStorage
from tests.support.clock import FakeClock
from tests.support.discord_world import (
    FIRST_START,
    create_circle,
    discord_world,
    join,
    last_public,
    private_reply,
    public,
    shown,
    tick,
    worker_of,
)


async def test_a_whole_circle_in_a_discord_voice_channel(
    storage: SqliteStorage, clock: FakeClock
) -> None:
    assert intents().voice_states and not intents().members  # not privileged
    async with discord_world(storage, clock) as world:
        room = world.guild.create_voice_channel("circle-room")  # its text chat is the venue
        robin = await join(world, "Robin", role=Role.FACILITATOR)
        alex = await join(world, "Alex", zone="Denver")
        blair = await join(world, "Blair", zone="London")
        casey = await join(world, "Casey")
        worker = worker_of(world)

        # /circle create in the voice channel's chat: the set-up moves to Robin's DM.
        created = await create_circle(robin, room, texts.WHERE_VOICE)
        done = created.followups[-1].content
        assert "The first one is Tue 1 Dec, 7:00 pm New York time" in done
        (circle,) = await storage.circles_led_by(await robin.person_id())
        assert circle.venue is not None
        assert (circle.venue.chat_id, circle.venue.kind) == (str(room.id), VenueKind.VOICE)
        announcement = last_public(room, "Tap Going, Maybe or Can't")
        assert "Tuesday evening circle" in announcement and "0 going" in announcement

        # RSVPs with the announcement's buttons: private answers, counts for all to see.
        going = await alex.click(texts.GOING, room)
        assert "You're going, Alex" in private_reply(going)
        assert "You're going, Blair" in private_reply(await blair.click(texts.GOING, room))
        assert "maybe, Casey" in private_reply(await casey.click(texts.MAYBE, room))
        assert not any("You're going" in m for m in public(room))
        occurrence = (await storage.occurrences_of(circle.id, after=clock()))[0]
        statuses = {r.person_id: r.status for r in await storage.rsvps_of(occurrence.id)}
        assert sorted(statuses.values()) == [RsvpStatus.GOING, RsvpStatus.GOING, RsvpStatus.MAYBE]

        # Reminders by DM, 24 h and 1 h before, in each person's zone; a post at the start.
        await tick(world, worker, FIRST_START - timedelta(hours=24, seconds=-5))
        assert "Tue 1 Dec, 5:00 pm your time" in alex.dm_with("is tomorrow")  # Denver
        assert "Wed 2 Dec, 12:00 am your time" in blair.dm_with("is tomorrow")  # London
        assert not any("is tomorrow" in m for m in casey.dm_texts())  # only "maybe"
        await tick(world, worker, FIRST_START - timedelta(hours=1, seconds=-5))
        assert "starts in an hour" in alex.dm_with("Reminder")
        await tick(world, worker, FIRST_START + timedelta(seconds=5))
        assert "is starting now" in last_public(room, "Tuesday evening circle")

        # Alex is in the voice channel before the facilitator starts.
        await alex.member.join_voice(room)
        assert not await storage.open_session(circle.id)

        # /circle start in the channel: the guidelines for everyone, nothing else to Robin.
        clock.advance(minutes=1)
        start = await robin.slash(room, "circle", "start")
        assert start.ephemeral and shown(start, slash=True) == []  # "thinking..." cleared away
        guidelines = last_public(room, "Our guidelines")
        for rule in ("One voice at a time", "No cross-talk", "Passing is always fine"):
            assert rule in guidelines
        session = await storage.open_session(circle.id)
        assert session is not None
        here = {a.person_id for a in await storage.attendance_of(session.id) if a.attended}
        assert here == {await alex.person_id()}  # counted from the voice channel

        # Blair joins the voice channel after the start; Casey taps "I'm here".
        clock.advance(seconds=20)
        await blair.member.join_voice(room)
        await blair.member.set_voice(self_mute=True)  # not a move: nothing happens
        clock.advance(seconds=20)
        tapped = await casey.click(texts.IM_HERE, room)
        assert private_reply(tapped) == "Welcome, Casey. 3 here so far."

        # The opening round, in join order, with the share timer's nudge from the due queue.
        assert shown(await robin.slash(room, "next"), slash=True) == []
        floor = last_public(room, "the floor is yours")
        assert "**Alex**" in floor and "Up next: Blair" in floor
        await tick(world, worker, clock() + timedelta(minutes=3, seconds=1))
        assert "about 3 minutes, Alex" in last_public(room, "gentle nudge")
        await robin.slash(room, "next")
        assert "**Blair**" in last_public(room, "the floor is yours")
        clock.advance(minutes=2)
        await robin.slash(room, "next")
        assert "**Casey**" in last_public(room, "the floor is yours")
        passed = await casey.click(texts.PASS, room)
        assert passed.followups == []  # said in the room instead
        assert public(room)[-1].startswith("Casey passes. Thank you.")
        assert "That's the opening round" in public(room)[-1]

        # /circle end: the closing post, a pulse to each attendee by DM, the summary to Robin.
        ended_at = clock.advance(minutes=10)
        ended = await robin.slash(room, "circle", "end")
        assert "summary once check-outs are in" in private_reply(ended, slash=True)
        assert "Next time: Tue 8 Dec, 7:00 pm New York time" in last_public(
            room, "That's the end of"
        )
        for person, value in ((alex, "4"), (blair, "5"), (casey, "3")):
            assert "How are you leaving?" in person.dm_texts()[-1]
            pulse = await person.click(value)
            assert "Thank you" in pulse.followups[-1].content
        summary = robin.dm_with("Summary of")
        used = round((ended_at - (session.started_at)).total_seconds() / 60)
        assert summary == (
            "Summary of **Tuesday evening circle**, Tue 1 Dec:\n"
            "Here: 3 (Alex, Blair, Casey).\n"
            "Going beforehand: 2, and 2 of them came.\n"
            "Shares: 2. Passes: 1.\n"
            "Check-out pulse: 4.0 out of 5, from 3 answers.\n"
            f"Time used: {used} min of 1 h 30 min planned.\n"
            "Thank you for holding the space. Send /circles to see the next one."
        )
        print("\nFACILITATOR SUMMARY (Discord DM):\n" + summary)
        # Nothing personal was ever posted in the room.
        assert not any("Summary of" in m or "How are you leaving" in m for m in public(room))
        accounts = await storage.accounts_of(await robin.person_id())
        assert [a.chat_id for a in accounts] == [str(robin.user.dm_channel.id)]


async def test_the_runner_leaving_the_voice_channel_is_told_to_the_room(
    storage: SqliteStorage, clock: FakeClock
) -> None:
    async with discord_world(storage, clock) as world:
        room = world.guild.create_voice_channel("circle-room")
        robin = await join(world, "Robin", role=Role.FACILITATOR)
        await create_circle(robin, room, texts.WHERE_VOICE)
        clock.set(FIRST_START)
        await robin.member.join_voice(room)
        await robin.slash(room, "circle", "start")
        (circle,) = await storage.circles_led_by(await robin.person_id())
        session = await storage.open_session(circle.id)
        assert session is not None
        assert [a.attended for a in await storage.attendance_of(session.id)] == [True]

        await robin.member.leave_voice()
        assert "Robin had to step away" in public(room)[-1]


async def test_only_members_with_the_rsvp_role_can_say_going_or_maybe(
    storage: SqliteStorage, clock: FakeClock
) -> None:
    async with discord_world(storage, clock) as world:
        circle_role = world.guild.create_role("Circle members")
        await world.start(
            DiscordSettings(prompt_channel_id=world.prompts.id, rsvp_role_id=circle_role.id)
        )
        room = world.guild.create_text_channel("circles")
        robin = await join(world, "Robin", roles=(circle_role,), role=Role.FACILITATOR)
        dana = await join(world, "Dana", roles=(circle_role,))
        eli = await join(world, "Eli")  # a program member, without the server role
        await create_circle(robin, room, texts.WHERE_TEXT)
        (circle,) = await storage.circles_led_by(await robin.person_id())
        occurrence = (await storage.occurrences_of(circle.id, after=clock()))[0]

        refused = await eli.click(texts.GOING, room)
        assert private_reply(refused) == texts.RSVP_ROLE_ONLY
        assert private_reply(await eli.click(texts.MAYBE, room)) == texts.RSVP_ROLE_ONLY
        assert "Thanks for letting us know, Eli" in private_reply(await eli.click(texts.CANT, room))
        assert "You're going, Dana" in private_reply(await dana.click(texts.GOING, room))

        # From a DM (/circles), the role is looked up in the server.
        await eli.slash_dm("circles")
        assert "Tuesday evening circle" in eli.dm_texts()[-1]
        assert (await eli.click(texts.GOING)).followups[-1].content == texts.RSVP_ROLE_ONLY
        await dana.slash_dm("circles")
        assert "maybe, Dana" in (await dana.click(texts.MAYBE)).followups[-1].content

        statuses = {r.person_id: r.status for r in await storage.rsvps_of(occurrence.id)}
        assert statuses == {
            await dana.person_id(): RsvpStatus.MAYBE,
            await eli.person_id(): RsvpStatus.CANT,
        }


async def test_a_circle_in_a_thread_meets_in_that_thread(
    storage: SqliteStorage, clock: FakeClock
) -> None:
    async with discord_world(storage, clock) as world:
        channel = await world.adapter.client.fetch_channel(world.general.id)
        assert isinstance(channel, discord.TextChannel)
        await channel.create_thread(name="tuesday-circle", type=discord.ChannelType.public_thread)
        (thread,) = world.general.threads
        robin = await join(world, "Robin", role=Role.FACILITATOR)
        alex = await join(world, "Alex")
        await create_circle(robin, thread, texts.WHERE_TEXT)
        (circle,) = await storage.circles_led_by(await robin.person_id())
        assert circle.venue is not None
        assert (circle.venue.chat_id, circle.venue.thread_id) == (
            str(world.general.id),
            str(thread.id),
        )
        assert "Tap Going" in last_public(thread, "Tuesday evening circle")
        assert "You're going, Alex" in private_reply(await alex.click(texts.GOING, thread))
        assert not any("Tuesday evening circle" in m for m in public(world.general))


def test_rsvp_role_id_is_configured_in_the_discord_section(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[discord]\nrsvp_role_id = 123456789012345678\n", encoding="utf-8")
    assert load_config(path, env={}).discord.rsvp_role_id == 123456789012345678
    path.write_text("[discord]\n", encoding="utf-8")
    assert load_config(path, env={}).discord.rsvp_role_id is None
    path.write_text('[discord]\nrsvp_role_id = "members"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="rsvp_role_id"):
        load_config(path, env={})
