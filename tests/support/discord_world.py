"""A simulated Discord for end-to-end tests of the Discord adapter: real discord.py, Discord
simulated by simcord (in this process), the real core on a SQLite file and a fake clock.

:func:`discord_world` makes a server with our bot in it and one person, Sam (:class:`World`);
:func:`join` adds program members (:class:`Person`) who onboard by DM, and
:func:`create_circle` walks the guided ``/circle create``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import simcord
from simcord.results import ResponseMessage

from bot.adapters.discord import DiscordAdapter, DiscordSettings
from handlers.app import assemble, build_dispatcher
from handlers.circles import texts
from handlers.context import Context
from handlers.messaging import ConversationRef, Messengers, OutgoingMessage, SentRef
from scheduling.due import DueWorker
from storage.people import AccountAddress, Role
from storage.sqlite import SqliteStorage
from tests.support.clock import FakeClock

# The clock starts Friday 2026-11-27 15:00 UTC; the first Tuesday 19:00 in New York (EST) is
# 2026-12-02 00:00 UTC.
FIRST_START = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)


@dataclass
class World:
    """One simulated Discord with our bot in it, a program server and one person, Sam."""

    env: simcord.Env
    storage: SqliteStorage
    clock: FakeClock
    guild: simcord.GuildHandle
    prompts: simcord.ChannelHandle
    general: simcord.ChannelHandle
    user: simcord.UserHandle
    member: simcord.MemberActor
    results: list[simcord.InteractionResult] = field(default_factory=list)
    running: tuple[Context, DiscordAdapter] | None = None

    async def start(self, settings: DiscordSettings) -> None:
        """A fresh core and adapter on the same database: a process (re)start."""
        messengers = Messengers()
        ctx = assemble(Context(storage=self.storage, messengers=messengers, clock=self.clock))
        adapter = DiscordAdapter("not-a-real-token", build_dispatcher(ctx), settings)
        messengers.add(adapter.messenger)
        self.running = (ctx, adapter)
        await self.env.restart_bot(adapter.client)

    @property
    def adapter(self) -> DiscordAdapter:
        assert self.running is not None
        return self.running[1]

    async def send(self, message: OutgoingMessage) -> SentRef:
        """A proactive message to Sam, as the core's outbox sends one."""
        return await self.adapter.messenger.send(self.ref, message)

    @property
    def ref(self) -> ConversationRef:
        return ConversationRef("discord", str(self.user.id), str(self.user.id))

    @property
    def address(self) -> AccountAddress:
        return AccountAddress("discord", str(self.user.id))

    async def person_id(self) -> int:
        person = await self.storage.person_for_account(self.address)
        assert person is not None
        return person.id

    def dm(self) -> list[discord.Message]:
        return self.user.dm_channel.history()

    def dm_texts(self) -> list[str]:
        return [m.content for m in self.dm()]

    async def slash(self, name: str, **options: Any) -> simcord.InteractionResult:
        result: simcord.InteractionResult = await self.user.slash(name, **options)
        self.results.append(result)
        return result

    async def say(self, text: str) -> None:
        await self.user.send_dm(text)

    async def click(
        self, label: str, *, where: list[discord.Message] | None = None, by: Any = None
    ) -> simcord.InteractionResult:
        """Click the newest button labelled ``label`` (or starting with it)."""
        message, custom_id = newest_button(self.dm() if where is None else where, label)
        result: simcord.InteractionResult = await (by or self.user).click(
            message, custom_id=custom_id
        )
        self.results.append(result)
        return result

    async def onboard(self) -> None:
        await self.slash("start")
        await self.click("Yes, that's okay")
        await self.say("Sam")
        await self.say("Denver")
        await self.click("Yes")
        await self.say("8pm")
        await self.click("Skip")  # no recovery date

    async def tick_past_next_prompt(self) -> None:
        assert self.running is not None
        due = await self.storage.get_due("checkin", str(await self.person_id()))
        assert due is not None
        self.clock.set(due.due_at + timedelta(minutes=1))
        await DueWorker(self.running[0]).tick()
        await self.env.settle()


def newest_button(messages: list[discord.Message], label: str) -> tuple[discord.Message, str]:
    for exact in (True, False):
        for message in reversed(messages):
            for row in message.components:
                for item in getattr(row, "children", ()):
                    shown = getattr(item, "label", None) or ""
                    if shown == label or (not exact and shown.startswith(label)):
                        return message, item.custom_id
    raise AssertionError(f"no button labelled {label!r} in {[m.content for m in messages]}")


@asynccontextmanager
async def discord_world(
    storage: SqliteStorage,
    clock: FakeClock,
    *,
    all_deferred: bool = True,
    message_content: bool = False,
    **settings: Any,
) -> AsyncIterator[World]:
    """``message_content``: the portal approves that privileged intent and the adapter asks
    for it, so typed messages in server channels are readable. Otherwise Discord's portal
    approves no privileged intent: the bot must not need one."""
    approved = discord.Intents.default()
    approved.message_content = message_content
    placeholder = discord.Client(intents=discord.Intents.default())
    env = simcord.Env(placeholder, approved_intents=approved)
    if message_content:
        settings["message_content"] = True
    await env.start()
    try:
        guild = env.create_guild("Recovery Program")
        prompts = guild.create_text_channel("check-ins")
        general = guild.create_text_channel("general")
        user = env.create_user("sam", global_name="Sam")
        world = World(env, storage, clock, guild, prompts, general, user, guild.add_member(user))
        await world.start(DiscordSettings(**{"prompt_channel_id": prompts.id, **settings}))
        yield world
        if all_deferred:
            assert_every_interaction_deferred_at_once(world)
    finally:
        await env.shutdown()
    env.raise_errors()


def assert_every_interaction_deferred_at_once(world: World) -> None:
    """7. Each interaction's first request was its deferral (type 5 or 6), acknowledged."""
    assert world.results and all(r.acknowledged for r in world.results), world.results
    lines = world.env.transcript().splitlines()
    created = [n for n, line in enumerate(lines) if "INTERACTION_CREATE" in line]
    assert len(created) == len(world.results)
    for n in created:
        first_call = next(line for line in lines[n + 1 :] if line.startswith("HTTP"))
        assert "/callback" in first_call, first_call
    callbacks: list[dict[str, Any]] = []
    for request in world.env.http_requests:
        if request.path.endswith("/callback"):
            assert isinstance(request.json, dict), request
            callbacks.append(request.json)
    assert [c["type"] for c in callbacks if c["type"] not in (5, 6)] == []


# Program members and circles -------------------------------------------------------------------


@dataclass
class Person:
    """A program member in the simulated server: their DM, and their clicks in channels."""

    world: World
    user: simcord.UserHandle
    member: simcord.MemberActor
    name: str

    @property
    def id(self) -> int:
        return self.user.id

    def dm(self) -> list[discord.Message]:
        return self.user.dm_channel.history()

    def dm_with(self, text: str) -> str:
        for message in reversed(self.dm()):
            if text in message.content:
                return message.content
        raise AssertionError(f"no DM like {text!r} to {self.name}: {self.dm_texts()}")

    def dm_texts(self) -> list[str]:
        return [m.content for m in self.dm()]

    async def say(self, text: str) -> None:
        await self.user.send_dm(text)

    async def slash_dm(self, name: str, **options: Any) -> simcord.InteractionResult:
        return self._keep(await self.user.slash(name, **options))

    async def slash(
        self, channel: simcord.ChannelHandle, name: str, args: str = ""
    ) -> simcord.InteractionResult:
        options = {"args": args} if args else {}
        return self._keep(await self.member.slash(channel, name, **options))

    async def click(
        self, label: str, channel: simcord.ChannelHandle | None = None
    ) -> simcord.InteractionResult:
        """Click the newest button labelled ``label`` in the DM, or in ``channel`` as seen."""
        if channel is None:
            message, custom_id = newest_button(self.dm(), label)
            return self._keep(await self.user.click(message, custom_id=custom_id))
        message, custom_id = newest_button(channel.history(viewer=self.member), label)
        return self._keep(await self.member.click(message, custom_id=custom_id))

    def _keep(self, result: simcord.InteractionResult) -> simcord.InteractionResult:
        self.world.results.append(result)  # every interaction must be deferred at once
        return result

    async def person_id(self) -> int:
        person = await self.world.storage.person_for_account(
            AccountAddress("discord", str(self.id))
        )
        assert person is not None
        return person.id


async def join(
    world: World,
    name: str,
    *,
    zone: str = "New York",
    roles: tuple[simcord.RoleHandle, ...] = (),
    role: Role | None = None,
) -> Person:
    """A new server member who onboards by DM (slash command, buttons, typed answers)."""
    user = world.env.create_user(name.lower(), global_name=name)
    person = Person(world, user, world.guild.add_member(user, roles=roles), name)
    await person.slash_dm("start")
    await person.click("Yes, that's okay")
    await person.say(name)
    await person.say(zone)
    await person.click("Yes")
    await person.say("8am")
    await person.click("Skip")  # no recovery date
    if role is not None:
        await world.storage.grant_role(await person.person_id(), role, world.clock())
    return person


async def create_circle(
    robin: Person, room: simcord.ChannelHandle, where: str, capacity: str = "8"
) -> simcord.InteractionResult:
    """``/circle create`` in the room; the questions continue in Robin's DM."""
    moved = await robin.slash(room, "circle", "create")
    assert "sent you a private message" in private_reply(moved, slash=True)
    assert "What's it called?" in robin.dm_texts()[-1]
    await robin.say("Tuesday evening circle")
    await robin.say("For anyone in recovery who'd like company on a weeknight.")
    await robin.click(texts.USE_DEFAULT_GUIDELINES)
    await robin.click("Tue")
    await robin.say("7pm")
    await robin.click("Yes,")
    await robin.click(texts.REPEAT_WEEKLY)
    await robin.say("90")
    await robin.say(capacity)
    await robin.click(where)
    assert "Shall I create it?" in robin.dm_texts()[-1]
    return await robin.click(texts.CONFIRM_YES)


def public(channel: simcord.ChannelHandle) -> list[str]:
    """What anyone in the channel sees (no one's ephemeral replies)."""
    return [m.content for m in channel.history() if not m.flags.ephemeral]


def last_public(channel: simcord.ChannelHandle, text: str) -> str:
    for content in reversed(public(channel)):
        if text in content:
            return content
    raise AssertionError(f"nothing like {text!r} in {public(channel)}")


def shown(result: simcord.InteractionResult, *, slash: bool = False) -> list[ResponseMessage]:
    """What an interaction answered: for a slash command its filled-in "thinking..." response
    and follow-ups; for a click (a deferred update: its response is the clicked message) the
    follow-ups."""
    first = [result.response] if slash and result.response is not None else []
    return [*first, *result.followups]


def private_reply(result: simcord.InteractionResult, *, slash: bool = False) -> str:
    """The newest of an interaction's answers, all of them ephemeral."""
    answers = shown(result, slash=slash)
    assert result.acknowledged and answers, result
    assert all(answer.ephemeral for answer in answers)
    return answers[-1].content


async def tick(world: World, worker: DueWorker, at: datetime) -> None:
    world.clock.set(at)
    await worker.tick()
    await world.env.settle()


def worker_of(world: World) -> DueWorker:
    assert world.running is not None
    return DueWorker(world.running[0])
