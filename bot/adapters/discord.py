"""The Discord adapter: a thin translator between discord.py and the core.

Inbound: slash commands (one per core command, generated from ``dispatcher.commands``), button
presses (persistent :class:`~bot.adapters.discord_views.PayloadButton`) and DM text. Every
interaction is deferred before the core runs, so Discord's 3-second deadline is always met;
the replies follow as follow-up messages (ephemeral in servers, except in a person's own
private check-in thread).

Outbound (:class:`~bot.adapters.discord_messenger.DiscordMessenger`): a person's DM, a server
channel or a thread. Daily
prompts can go to a private thread per person in ``prompt_channel_id`` instead: always
(``prompts_in = "private_thread"``), or when the person's DMs are closed.

Intents: ``guilds``, ``dm_messages``, ``guild_messages`` and ``voice_states`` (circle
attendance from voice channels, :mod:`bot.adapters.discord_circles`); none is privileged.
``message_content`` is privileged and off unless configured: Discord still delivers the text
of DMs to the bot (and of server messages that mention it), so DM conversations work without
it. Without it server text arrives empty, so the crisis screen cannot read circle channels, and
typed answers in a private thread (a check-in note) are unreadable too; buttons work there.

Slash commands are synced in ``setup_hook``, which ``Client.login`` runs before the gateway
connects: no command can be invoked before it is registered, and a failed sync is logged while
the previous registration stays in force.

``ConversationRef`` for Discord: ``user_id`` is the person's snowflake; ``chat_id`` is the DM
channel for DM events, and for server events the channel (a circle's venue; for a thread, its
parent, with ``thread_id`` the thread), chat kind GROUP or CHANNEL, replies ephemeral. A
``chat_id`` equal to ``user_id`` means "their DM, opened on send": the core stores that for a
person met in a server (``IncomingEvent.private_ref``). Their private check-in thread is direct.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord_circles import voice_changed
from bot.adapters.discord_messenger import DiscordMessenger
from bot.adapters.discord_views import (
    PLATFORM,
    PayloadButton,
    delivery_error,
    parse_text,
    place,
    render,
    send_kwargs,
)
from bot.adapters.settings import DiscordSettings as DiscordSettings  # its old home
from handlers.dispatcher import Dispatcher
from handlers.i18n import SOURCE_LANGUAGE, gettext, supported
from handlers.messaging import (
    ButtonPress,
    ChatKind,
    Command,
    EventKind,
    IncomingEvent,
    OutgoingMessage,
)
from handlers.replies import ReplyPath

log = logging.getLogger(__name__)

MAX_DESCRIPTION = 100


def intents(message_content: bool = False) -> discord.Intents:
    """The minimal intents: no privileged ones unless ``message_content`` is asked for."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.dm_messages = True
    wanted.guild_messages = True
    wanted.voice_states = True  # circle attendance: who joins a circle's voice channel
    wanted.message_content = message_content
    return wanted


class _PeerClient(discord.Client):
    """discord.Client with the adapter's hooks: command sync, buttons, messages."""

    def __init__(self, adapter: DiscordAdapter, settings: DiscordSettings, **options: Any) -> None:
        options.setdefault("intents", intents(settings.message_content))
        super().__init__(max_ratelimit_timeout=settings.max_ratelimit_timeout, **options)
        self.adapter = adapter
        self.tree = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        """Runs inside ``login``: before the gateway connects, so before any interaction."""
        self.add_dynamic_items(PayloadButton)
        if self.adapter.settings.runs_shard_zero:  # one process publishes the commands
            await self.adapter.sync_commands()

    async def handle_button(self, interaction: discord.Interaction[Any], payload: str) -> None:
        await self.adapter.on_button(interaction, payload)

    async def on_message(self, message: discord.Message) -> None:
        await self.adapter.on_message(message)

    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        await self.adapter.on_voice_state(member, before, after)


class CatalogueTranslator(app_commands.Translator):
    """Slash-command descriptions in each Discord locale the bot has a catalogue for (``es-ES``
    and ``es-419`` -> Spanish). Names stay as they are: they are what people type everywhere,
    and what /help names."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if context.location not in (
            app_commands.TranslationContextLocation.command_description,
            app_commands.TranslationContextLocation.parameter_description,
        ):
            return None
        language = supported(locale.value)
        if language is None or language == SOURCE_LANGUAGE:
            return None
        translated = gettext(string.message, language)
        return translated[:MAX_DESCRIPTION] if translated != string.message else None


class _PeerShardedClient(discord.AutoShardedClient, _PeerClient):
    """The same client running the shards ``[discord] shard_ids`` of ``shard_count``, so the
    gateway connections of a large bot spread over processes (each process its own ids)."""

    def __init__(self, adapter: DiscordAdapter, settings: DiscordSettings) -> None:
        options: dict[str, Any] = {"shard_count": settings.shard_count}
        if settings.shard_ids is not None:  # else every shard of the count, in this process
            options["shard_ids"] = list(settings.shard_ids)
        super().__init__(adapter, settings, intents=intents(settings.message_content), **options)


def make_client(adapter: DiscordAdapter, settings: DiscordSettings) -> _PeerClient:
    """The sharded client when ``[discord] shard_count`` is set, else the plain one."""
    if settings.shard_count is None:
        return _PeerClient(adapter, settings)
    return _PeerShardedClient(adapter, settings)


class DiscordAdapter:
    """Runs one bot token: the client, its slash commands and the messenger."""

    def __init__(self, token: str, dispatcher: Dispatcher, settings: DiscordSettings) -> None:
        self.token = token
        self.dispatcher = dispatcher
        self.settings = settings
        self.client = make_client(self, settings)
        self.messenger = DiscordMessenger(self.client, settings)
        self.replies = ReplyPath(dispatcher, self.messenger)
        self._gateway: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[Any]] = set()
        for spec in dispatcher.commands.values():
            self._add_command(spec.name, spec.description, spec.arg_hint)

    # ----------------------------------------------------------------- lifecycle

    async def start(self, ready_timeout: float = 60.0) -> None:
        """Log in (which syncs the commands), connect, and wait until Discord says READY."""
        await self.client.login(self.token)
        self._gateway = asyncio.create_task(self.client.connect(), name="discord-gateway")
        ready = asyncio.create_task(self.client.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, self._gateway}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready in done:
            return
        ready.cancel()
        failure = self._gateway.exception() if self._gateway in done else None
        await self.stop()
        raise failure or TimeoutError("Discord did not become ready in time")

    def connected(self) -> bool:
        """Whether the gateway connection is up and READY: ``/healthz``'s adapter check
        (discord.py reconnects by itself; while it does, this is False)."""
        client = self.client
        return client.is_ready() and not client.is_closed() and client.ws is not None

    async def stop(self, drain_timeout: float = 30.0) -> None:
        """Let interactions in flight finish, then close the connection."""
        await self.drain(drain_timeout)
        await self.client.close()
        if self._gateway is not None:
            await asyncio.gather(self._gateway, return_exceptions=True)
            self._gateway = None

    async def drain(self, within: float = 30.0) -> None:
        """Wait (up to ``within`` seconds) for every event being handled to be answered."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while pending := [t for t in self._inflight if not t.done()]:
            remaining = deadline - loop.time()
            if remaining <= 0:
                log.warning("stopping with %d discord events unanswered", len(pending))
                return
            await asyncio.wait(pending, timeout=remaining)

    async def sync_commands(self) -> None:
        """Register the slash commands with Discord (a server's only, if ``guild_id``), their
        descriptions localised for every language the bot speaks (:class:`CatalogueTranslator`)."""
        tree = self.client.tree
        try:
            await tree.set_translator(CatalogueTranslator())
            if self.settings.guild_id is not None:
                guild = discord.Object(id=self.settings.guild_id)
                tree.copy_global_to(guild=guild)
                await tree.sync(guild=guild)
            else:
                await tree.sync()
        except (discord.HTTPException, discord.RateLimited) as exc:  # the old set stays
            log.error("slash command sync failed: %s", delivery_error(exc).reason)

    # ----------------------------------------------------------------- inbound

    def _add_command(self, name: str, description: str, arg_hint: str) -> None:
        async def run(interaction: discord.Interaction[Any], args: str | None = None) -> None:
            words = tuple(args.split()) if args else ()
            await self._answer(interaction, Command(name, words), thinking=True)

        run = app_commands.describe(args=(arg_hint or "optional")[:MAX_DESCRIPTION])(run)
        try:
            command: app_commands.Command[Any, ..., None] = app_commands.Command(
                name=name,
                description=(description or name)[:MAX_DESCRIPTION],
                callback=run,
                allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True),
                allowed_installs=app_commands.AppInstallationType(guild=True),
            )
        except (TypeError, ValueError):
            log.warning("command /%s cannot be a Discord slash command; skipped", name)
            return
        self.client.tree.add_command(command)

    async def on_button(self, interaction: discord.Interaction[Any], payload: str) -> None:
        await self._answer(interaction, ButtonPress(payload), thinking=False)

    async def _answer(
        self, interaction: discord.Interaction[Any], kind: EventKind, *, thinking: bool
    ) -> None:
        """Defer at once, then ask the core and send its replies as follow-ups."""
        self._track()
        ref, chat_kind = place(
            interaction.user,
            interaction.channel,
            interaction.channel_id,
            interaction.guild_id,
            self.settings.prompt_channel_id,
        )
        ephemeral = chat_kind is not ChatKind.DIRECT
        deferred = await self._defer(interaction, thinking=thinking, ephemeral=ephemeral)
        event = IncomingEvent(
            ref=ref,
            kind=kind,
            display_name=interaction.user.display_name,
            chat_kind=chat_kind,
            event_id=f"discord-interaction-{interaction.id}",
            private_replies=ephemeral,  # seen by the person alone, even in a server channel
            language_hint=str(interaction.locale.value),
            raw=interaction,
        )
        if not deferred:  # too late for follow-ups: deliver the way a prompt would go
            private = event.private_ref
            await self.replies.answer(event, lambda reply: self.messenger.send(private, reply))
            return

        async def followup(reply: OutgoingMessage) -> None:
            await self._followup(interaction, reply, ephemeral)

        silent = interaction.delete_original_response if thinking else None
        await self.replies.answer(event, followup, when_silent=silent)

    async def on_voice_state(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        self._track()
        async with self.replies.turn(PLATFORM, str(member.id)):
            await voice_changed(self.dispatcher.ctx, member, before, after)

    async def _defer(
        self, interaction: discord.Interaction[Any], *, thinking: bool, ephemeral: bool
    ) -> bool:
        try:
            if thinking:
                await interaction.response.defer(thinking=True, ephemeral=ephemeral)
            else:
                await interaction.response.defer()
            return True
        except discord.HTTPException as exc:  # expired (10062) or already answered (40060)
            log.warning(
                "could not defer interaction %s: %s", interaction.id, delivery_error(exc).reason
            )
            return False

    async def _followup(
        self, interaction: discord.Interaction[Any], reply: OutgoingMessage, ephemeral: bool
    ) -> None:
        try:
            for part in render(reply):
                await interaction.followup.send(**send_kwargs(part, reply), ephemeral=ephemeral)
        except Exception as exc:  # the reply path retries what is transient
            raise delivery_error(exc) from exc

    async def on_message(self, message: discord.Message) -> None:
        """DM text (and server text, which is empty without the message-content intent)."""
        author = message.author
        if author.bot or author.system or message.type not in _CHAT_MESSAGES:
            return
        text = message.content.strip()
        if not text:
            return
        self._track()
        guild_id = message.guild.id if message.guild else None
        ref, chat_kind = place(
            author, message.channel, message.channel.id, guild_id, self.settings.prompt_channel_id
        )
        event = IncomingEvent(
            ref=ref,
            kind=parse_text(text, self.dispatcher.commands),
            display_name=author.display_name,
            chat_kind=chat_kind,
            event_id=f"discord-message-{message.id}",
            raw=message,
        )
        channel = message.channel

        async def into_channel(reply: OutgoingMessage) -> None:
            try:
                await self.messenger.send_to(channel, ref, reply)
            except Exception as exc:  # the reply path retries what is transient
                raise delivery_error(exc) from exc

        await self.replies.answer(event, into_channel)

    # ----------------------------------------------------------------- plumbing

    def _track(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)


_CHAT_MESSAGES = (discord.MessageType.default, discord.MessageType.reply)
