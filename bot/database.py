"""The CLI's and the runner's way to the database: opened from the config, always closed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.config import Config
from storage import Storage, storage_from_url


@asynccontextmanager
async def opened_storage(config: Config) -> AsyncIterator[Storage]:
    """The configured storage (with the data key's cipher), migrated and open for the block."""
    storage = storage_from_url(config.database_url, cipher=config.cipher)
    await storage.open()
    try:
        yield storage
    finally:
        await storage.close()
