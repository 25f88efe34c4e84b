"""Telegram's flood limits, kept by our :class:`~handlers.pacing.SendPacer` behind
python-telegram-bot's ``BaseRateLimiter`` seam (every Bot API call passes through it).

Telegram's documented limits (Bots FAQ): about 30 messages per second for the whole bot, no
more than one message per second in a private chat, and no more than 20 messages per minute in
a group; beyond that a 429 with ``retry_after``. Paid broadcasts (``allow_paid_broadcast``)
raise the bot's limit to 1,000 per second for 0.1 Telegram Stars per message.

What is paced: every call that writes into a chat (``send*``, ``copyMessage(s)``,
``forwardMessage(s)``, ``edit*``). Reads, ``answerCallbackQuery`` and ``getUpdates`` are not
messages and go at once. A chat id below zero (or a ``@channel`` name) is a group.

A 429 holds the chat it came from for its ``retry_after`` and the call is tried again (up to
``max_retries`` times); other chats go on. Telegram's 429 does not say whether the bot's
global limit was hit, so a 429 on a call without a chat holds everything; one for a chat
holds that chat only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.adapters.telegram_limits import TelegramLimits
from handlers.pacing import Clock, SendPacer, Sleep

log = logging.getLogger(__name__)

PACED_PREFIXES = ("send", "copyMessage", "forwardMessage", "edit", "stopPoll")


def is_group(chat_id: object) -> bool:
    """A group, supergroup or channel: negative ids, and ``@name`` strings."""
    if isinstance(chat_id, str):
        try:
            chat_id = int(chat_id)
        except ValueError:
            return True
    return isinstance(chat_id, int) and chat_id < 0


def retry_after_seconds(exc: RetryAfter) -> float:
    value = exc._retry_after  # the timedelta, without the property's deprecation warning
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


JSON = bool | dict[str, Any] | list[dict[str, Any]]


class PacedRateLimiter(BaseRateLimiter[int]):
    """Paces Bot API calls with a :class:`SendPacer`, in the lane of the task that sends."""

    def __init__(
        self,
        limits: TelegramLimits | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.limits = limits or TelegramLimits()
        self._sleep = sleep
        self.pacer = SendPacer(
            self.limits.overall,
            margin=self.limits.safety_margin,
            overflow=self.limits.paid,
            clock=clock,
            sleep=sleep,
        )
        self.rate_limited = 0
        """How many 429s Telegram answered (the bench reads it; the goal is none)."""
        self.on_retried_429: Callable[[], None] | None = None
        """Told of each 429 retried here (the metrics' count); one that is given up on
        reaches the core as a ``RATE_LIMITED`` delivery error, which the core counts."""

    def _retried_429(self) -> None:
        if self.on_retried_429 is not None:
            self.on_retried_429()

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        await self.pacer.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        chat_id = data.get("chat_id")
        retries = self.limits.max_retries if rate_limit_args is None else rate_limit_args
        if chat_id is None or not endpoint.startswith(PACED_PREFIXES):
            return await self._unpaced(callback, args, kwargs, retries)
        key = str(chat_id)
        budget = self.limits.group if is_group(chat_id) else self.limits.private_chat
        for attempt in range(retries + 1):
            async with self.pacer.slot(key, budget) as ticket:
                if ticket.paid:  # the free budget is full: this one goes as a paid broadcast
                    data["allow_paid_broadcast"] = True
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as exc:
                    self.rate_limited += 1
                    seconds = retry_after_seconds(exc)
                    self.pacer.hold(key, seconds)
                    if attempt == retries:
                        raise
                    self._retried_429()
                    log.info("telegram: 429 for one chat; it waits %.1fs, others go on", seconds)
                finally:
                    data.pop("allow_paid_broadcast", None)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _unpaced(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        retries: int,
    ) -> JSON:
        for attempt in range(retries + 1):
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.rate_limited += 1
                seconds = retry_after_seconds(exc)
                self.pacer.hold_all(seconds)
                if attempt == retries:
                    raise
                self._retried_429()
                log.info("telegram: 429 without a chat; every send waits %.1fs", seconds)
                await self._sleep(seconds)
        raise AssertionError("unreachable: the last attempt returns or raises")
