"""Discord gateway shards spread over processes: ``[discord] shard_ids`` / ``shard_count``.

The config is read as ``peerbot run`` reads it, the adapter ``platform_adapters`` builds runs
discord.py's ``AutoShardedClient`` with those shards, and that client, against simcord, takes
a person through onboarding (slash command, button, DMs: Discord sends DMs to shard 0).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest

from bot.adapters.discord import DiscordAdapter
from bot.config import ConfigError, load_config
from bot.runner import platform_adapters
from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.messaging import Messengers
from storage.sqlite import SqliteStorage
from tests.support.clock import FakeClock
from tests.support.discord_world import World, discord_world


def config_with(tmp_path: Path, discord_section: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"[discord]\n{discord_section}\n", encoding="utf-8")
    return path


async def test_peerbot_run_builds_a_client_running_the_configured_shards(
    tmp_path: Path, storage: SqliteStorage
) -> None:
    path = config_with(tmp_path, "shard_count = 4\nshard_ids = [3, 1]")
    config = load_config(path, env={"PEERBOT_DISCORD_TOKEN": "not-a-real-token"})
    ctx = assemble(Context(storage=storage, messengers=Messengers()))
    (adapter,) = platform_adapters(config, build_dispatcher(ctx), Messengers())
    assert isinstance(adapter, DiscordAdapter)
    client = adapter.client
    assert isinstance(client, discord.AutoShardedClient)
    assert (client.shard_ids, client.shard_count) == ([1, 3], 4)
    assert not config.discord.runs_shard_zero  # so this process leaves the command sync alone

    unsharded = load_config(None, env={"PEERBOT_DISCORD_TOKEN": "not-a-real-token"})
    (plain,) = platform_adapters(unsharded, build_dispatcher(ctx), Messengers())
    assert isinstance(plain, DiscordAdapter)
    assert not isinstance(plain.client, discord.AutoShardedClient)


@pytest.mark.parametrize(
    ("section", "says"),
    [
        ("shard_ids = [0, 1]", "shard_ids needs shard_count"),
        ("shard_count = 2\nshard_ids = [2]", "shard_ids must be below shard_count (2)"),
        ("shard_count = 2\nshard_ids = [1, 1]", "must be a list of different shard numbers"),
        ("shard_count = 2\nshard_ids = []", "must be a list of different shard numbers"),
        ('shard_count = "two"', "must be a whole number"),
    ],
)
def test_shard_settings_that_make_no_sense_are_one_clear_line(
    tmp_path: Path, section: str, says: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(says)):
        load_config(config_with(tmp_path, section))


@pytest.fixture
async def sharded_world(storage: SqliteStorage, clock: FakeClock) -> AsyncIterator[World]:
    async with discord_world(storage, clock, shard_count=2, shard_ids=(0, 1)) as w:
        yield w


async def test_a_sharded_client_onboards_a_person_through_dms(sharded_world: World) -> None:
    client = sharded_world.adapter.client
    assert isinstance(client, discord.AutoShardedClient) and client.shard_count == 2
    await sharded_world.onboard()
    person = await sharded_world.storage.person_for_account(sharded_world.address)
    assert person is not None and person.onboarded and person.display_name == "Sam"
