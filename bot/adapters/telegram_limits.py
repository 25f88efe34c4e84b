"""Telegram's flood limits as settings (``[telegram]`` in the config), with Telegram's
documented values as defaults. Kept apart from the adapter so the config loads without
importing python-telegram-bot; :mod:`bot.adapters.telegram_pacing` keeps them."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.pacing import Budget

PAID_BROADCAST_LIMIT = 1000
"""Telegram's ceiling for paid broadcasts, messages per second."""
STARS_PER_PAID_MESSAGE = 0.1


@dataclass(frozen=True, slots=True)
class TelegramLimits:
    """``[telegram]``'s pacing keys, Telegram's documented values by default."""

    messages_per_second: int = 30
    private_chat_per_second: int = 1
    group_per_minute: int = 20
    safety_margin: float = 0.02
    """Each window is stretched by this fraction, on top of counting each message until its
    answer came back (so the network can never squeeze more into Telegram's window)."""
    allow_paid_broadcast: bool = False
    """Send what the free budget cannot carry as paid broadcasts (0.1 Stars each)."""
    paid_messages_per_second: int = PAID_BROADCAST_LIMIT
    max_retries: int = 3

    @property
    def overall(self) -> Budget:
        return Budget(self.messages_per_second, 1.0)

    @property
    def private_chat(self) -> Budget:
        return Budget(self.private_chat_per_second, 1.0)

    @property
    def group(self) -> Budget:
        return Budget(self.group_per_minute, 60.0)

    @property
    def paid(self) -> Budget | None:
        return Budget(self.paid_messages_per_second, 1.0) if self.allow_paid_broadcast else None

    @property
    def effective_per_second(self) -> float:
        """The rate a long fan-out to private chats runs at (after the safety margin)."""
        budget = self.paid or self.overall
        return budget.per_second / (1 + self.safety_margin)
