"""Per-person command menus on Telegram: mentors, facilitators and coordinators see theirs.

Telegram has no notion of our roles, only menu scopes; so everyone gets the mentee menu (the
default scope) and a staff member's own private chat gets their role's menu
(``BotCommandScopeChat``), refreshed after each command they send (roles change through
/join, /start CODE or the CLI).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from handlers.logsafe import describe_exception
from storage.people import AccountAddress

log = logging.getLogger(__name__)

MenuFor = Callable[[AccountAddress], Awaitable[list[tuple[str, str]] | None]]


class PersonalMenus:
    def __init__(self, menu_for: MenuFor) -> None:
        self.menu_for = menu_for
        self._published: dict[int, tuple[str, ...]] = {}

    async def refresh(self, bot: Bot, chat_id: int, address: AccountAddress) -> None:
        """Publish (or withdraw) this person's own menu if it changed; never raises."""
        try:
            menu = await self.menu_for(address)
            names = tuple(f"{name} {text}" for name, text in menu or ())  # a new language too
            if self._published.get(chat_id, ()) == names:
                return
            scope = BotCommandScopeChat(chat_id)
            if menu:
                commands = [BotCommand(name, (text or name)[:256]) for name, text in menu]
                await bot.set_my_commands(commands[:100], scope=scope)
            else:
                await bot.delete_my_commands(scope=scope)
            self._published[chat_id] = names
        except (TelegramError, Exception) as exc:  # a menu is a convenience, never a failure
            log.warning("could not publish a personal menu: %s", describe_exception(exc))
