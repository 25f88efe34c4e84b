"""Telegram's limits kept through python-telegram-bot's real ``ExtBot`` and our
``PacedRateLimiter`` (the adapter's), against a Bot API request that answers offline, on a
stepped clock: a 429 holds only its chat, groups get 20 a minute, prompts wait behind a ping,
paid broadcasts are marked, and the config reads the limits."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import ExtBot
from telegram.request import BaseRequest, RequestData

from bot.adapters.telegram_limits import TelegramLimits
from bot.adapters.telegram_pacing import PacedRateLimiter
from bot.config import ConfigError, load_config
from handlers.pacing import Lane, in_lane
from tests.support.clock import SteppedClock, settle

BOT = {"id": 1, "is_bot": True, "first_name": "Bot", "username": "PacedBot"}


class OfflineBotAPI(BaseRequest):
    """Answers every call at once; ``flood`` chats get one 429 (retry after 5) first."""

    def __init__(self, clock: SteppedClock, flood: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        self.clock = clock
        self.flood = set(flood)
        self.calls: list[tuple[float, str, dict[str, Any]]] = []

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:  # fmt: skip
        endpoint = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data is not None else {}
        self.calls.append((self.clock(), endpoint, params))
        if endpoint == "getMe":
            return 200, json.dumps({"ok": True, "result": BOT}).encode()
        chat = int(str(params.get("chat_id", 0)))
        if chat in self.flood:
            self.flood.discard(chat)
            body = {"ok": False, "error_code": 429, "description": "Too Many Requests: retry "
                    "after 5", "parameters": {"retry_after": 5}}  # fmt: skip
            return 429, json.dumps(body).encode()
        kind = "private" if chat > 0 else "group"
        message = {"message_id": len(self.calls), "date": 0, "from": BOT,
                   "chat": {"id": chat, "type": kind}, "text": "x"}  # fmt: skip
        return 200, json.dumps({"ok": True, "result": message}).encode()

    def sends(self) -> list[tuple[float, int, str]]:
        return [(t, int(p["chat_id"]), str(p.get("text", ""))) for t, e, p in self.calls
                if e == "sendMessage"]  # fmt: skip


async def paced_bot(
    clock: SteppedClock,
    limits: TelegramLimits,
    flood: set[int] = frozenset(),  # type: ignore[assignment]
) -> tuple[ExtBot[int], OfflineBotAPI]:
    api = OfflineBotAPI(clock, flood)
    limiter = PacedRateLimiter(limits, clock=clock, sleep=clock.sleep)
    bot: ExtBot[int] = ExtBot("1:offline", request=api, get_updates_request=api,
                               rate_limiter=limiter)  # fmt: skip
    await bot.initialize()
    return bot, api


NO_MARGIN = TelegramLimits(safety_margin=0.0)


# python-telegram-bot warns, while parsing a 429, that retry_after's type will change.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
async def test_a_429_holds_its_chat_only_and_the_send_is_retried_once() -> None:
    clock = SteppedClock()
    bot, api = await paced_bot(clock, NO_MARGIN, flood={10})
    tasks = [asyncio.create_task(bot.send_message(chat, f"to {chat}")) for chat in (10, 11, 12)]
    await clock.run_until(4.9)
    assert [(t, chat) for t, chat, _ in api.sends()] == [(0.0, 10), (0.0, 11), (0.0, 12)]
    await clock.run_until(10)
    await asyncio.gather(*tasks)
    assert api.sends()[-1][:2] == (5.0, 10)  # after its retry_after, not before
    assert [chat for _, chat, _ in api.sends()].count(10) == 2  # the refused one, then once
    assert bot.rate_limiter.rate_limited == 1  # type: ignore[union-attr]


async def test_private_chats_one_a_second_groups_twenty_a_minute() -> None:
    clock = SteppedClock()
    bot, api = await paced_bot(clock, NO_MARGIN)
    tasks = [asyncio.create_task(bot.send_message(5, str(n))) for n in range(3)]
    tasks += [asyncio.create_task(bot.send_message(-100, str(n))) for n in range(22)]
    await clock.run_until(120)
    await asyncio.gather(*tasks)
    assert [t for t, chat, _ in api.sends() if chat == 5] == [0.0, 1.0, 2.0]
    group = [t for t, chat, _ in api.sends() if chat == -100]
    assert group == [0.0] * 20 + [60.0] * 2


async def test_the_whole_bot_stays_within_thirty_a_second() -> None:
    clock = SteppedClock()
    bot, api = await paced_bot(clock, NO_MARGIN)
    tasks = [asyncio.create_task(bot.send_message(1000 + n, "hi")) for n in range(75)]
    await clock.run_until(10)
    await asyncio.gather(*tasks)
    times = [t for t, _, _ in api.sends()]
    assert times == [0.0] * 30 + [1.0] * 30 + [2.0] * 15
    assert not any(c[2].get("allow_paid_broadcast") for c in api.calls)


async def test_a_ping_overtakes_prompts_waiting_for_the_budget() -> None:
    clock = SteppedClock()
    bot, api = await paced_bot(clock, TelegramLimits(messages_per_second=2, safety_margin=0.0))

    async def prompt(chat: int) -> None:
        with in_lane(Lane.ROUTINE):
            await bot.send_message(chat, "prompt")

    prompts = [asyncio.create_task(prompt(1000 + n)) for n in range(6)]
    await settle()
    ping = asyncio.create_task(bot.send_message(7, "ping"))  # urgent: nobody said otherwise
    await clock.run_until(10)
    await asyncio.gather(*prompts, ping)
    assert [text for _, _, text in api.sends()][:3] == ["prompt", "prompt", "ping"]
    assert api.sends()[2][0] == 1.0


async def test_paid_broadcasts_carry_the_flag_beyond_the_free_budget() -> None:
    clock = SteppedClock()
    limits = TelegramLimits(safety_margin=0.0, allow_paid_broadcast=True,
                            paid_messages_per_second=40)  # fmt: skip
    bot, api = await paced_bot(clock, limits)
    tasks = [asyncio.create_task(bot.send_message(1000 + n, "hi")) for n in range(45)]
    await clock.run_until(0.5)
    sends = [c for c in api.calls if c[1] == "sendMessage"]
    assert len(sends) == 40
    paid = [bool(p.get("allow_paid_broadcast")) for _, _, p in sends]
    assert paid.count(False) == 30 and paid.count(True) == 10
    await clock.run_until(5)
    await asyncio.gather(*tasks)


def test_the_config_reads_and_checks_the_limits(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[telegram]\nallow_paid_broadcast = true\npaid_messages_per_second = 500\n")
    limits = load_config(path, env={}).telegram.limits
    assert limits.allow_paid_broadcast and limits.paid_messages_per_second == 500
    assert limits.messages_per_second == 30 and limits.group_per_minute == 20
    assert load_config(None, env={}).telegram.limits == TelegramLimits()
    for bad in ("messages_per_second = 31", "paid_messages_per_second = 5000",
                "safety_margin = -1", 'allow_paid_broadcast = "yes"'):  # fmt: skip
        path.write_text(f"[telegram]\n{bad}\n")
        with pytest.raises(ConfigError, match=r"\[telegram\]"):
            load_config(path, env={})
