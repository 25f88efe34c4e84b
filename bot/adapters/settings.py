"""The platform adapters' settings, as plain data: ``[telegram]`` and ``[discord]`` in the config.

They live apart from the adapters so that reading a config (every ``peerbot`` command does)
does not import python-telegram-bot or discord.py, which take seconds to load.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.adapters.telegram_limits import TelegramLimits


@dataclass(frozen=True)
class TelegramSettings:
    """``[telegram]`` in the config. No ``webhook_url``: long polling."""

    api_base_url: str = "https://api.telegram.org/bot"
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1:8443"
    poll_timeout: int = 30
    limits: TelegramLimits = field(default_factory=TelegramLimits)
    """Telegram's flood limits, which every send keeps (:mod:`bot.adapters.telegram_pacing`)."""


@dataclass(frozen=True)
class DiscordSettings:
    prompts_in: str = "dm"  # or "private_thread"
    prompt_channel_id: int | None = None
    guild_id: int | None = None
    """Sync slash commands to this server only (instant; for development: not usable in DMs)."""
    max_ratelimit_timeout: float = 30.0
    message_content: bool = False
    """Ask for the privileged message-content intent: needed to read typed text in server
    channels and threads (check-in notes in private threads, crisis screening in circles)."""
    rsvp_role_id: int | None = None
    """When set, only members with this role may answer Going or Maybe to a circle."""
    mirror_circle_events: bool = True
    """Show each circle occurrence meeting in a server as one of its scheduled events
    (:mod:`bot.adapters.discord_events`; needs the Manage Events permission)."""
    dm_gap_seconds: float = 1.0
    """DM pacing: on average one DM per this many seconds (0: no pacing of our own), ..."""
    dm_burst: int = 5
    """... with up to this many at once: a bot that DMs many people in a burst looks like
    spam to Discord. Only scheduled DMs (the routine lane) are paced; pings and replies go
    at once."""

    shard_count: int | None = None
    """How many gateway shards the bot runs in all, over every process (None: one, unsharded,
    in one process). With several processes, each runs the shards in ``shard_ids``."""
    shard_ids: tuple[int, ...] | None = None
    """The shards this process runs (None with a ``shard_count``: all of them, here). Discord
    sends direct messages to shard 0 only: the process running shard 0 receives every DM,
    and it alone publishes the slash commands."""

    @property
    def runs_shard_zero(self) -> bool:
        return self.shard_ids is None or 0 in self.shard_ids

    def __post_init__(self) -> None:
        if self.prompts_in not in ("dm", "private_thread"):
            raise ValueError('prompts_in must be "dm" or "private_thread"')
