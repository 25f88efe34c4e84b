"""The offline world of ``bench_inbound.py``: a Bot API request that does no network I/O, the
real adapter and core on a SQLite file ("ours"), the bare echo ``Application``, and the people
whose updates are fed to them (see ``bench_inbound.py``'s docstring for how they are used)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import types
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, RequestData

import bot.adapters.telegram as tg
from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.messaging import Messengers
from handlers.program import ProgramSettings
from storage.people import AccountAddress
from storage.sqlite import SqliteStorage

TOKEN = "123456:bench-token-not-real"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Bench",
    "username": "BenchBot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
FIRST_USER = 700_000_000
MESSAGE_METHODS = {
    "sendMessage",
    "sendPhoto",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
}
CHECKIN_KEYS = ("mood", "craving", "used", "note")


# ---- the request that does no network I/O --------------------------------------------------


class NoNetRequest(BaseRequest):
    """Canned successful Bot API answers; remembers each chat's newest inline keyboard."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.keyboards: dict[int, tuple[int, list[list[dict[str, Any]]]]] = {}
        self.texts: dict[int, str] = {}
        self._message_ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        self.calls[endpoint] += 1
        params: dict[str, Any] = {}
        if request_data is not None:
            params = request_data.parameters
            request_data.json_parameters  # noqa: B018 - the encoding HTTPXRequest would do
        result: Any = True
        if endpoint == "getMe":
            result = BOT_USER
        elif endpoint in MESSAGE_METHODS:
            chat_id = int(params.get("chat_id", 0))
            message_id = next(self._message_ids)
            result = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "from": BOT_USER,
            }
            if endpoint == "sendPhoto":
                result["photo"] = [
                    {"file_id": "p", "file_unique_id": "pu", "width": 1, "height": 1}
                ]
                result["caption"] = params.get("caption", "")
            else:
                result["text"] = params.get("text", "")
                self.texts[chat_id] = result["text"]
            markup = params.get("reply_markup")
            if isinstance(markup, dict):
                result["reply_markup"] = markup
                rows = markup.get("inline_keyboard")
                if rows:
                    self.keyboards[chat_id] = (message_id, rows)
        return 200, json.dumps({"ok": True, "result": result}).encode()


# ---- building the two applications ---------------------------------------------------------


def unpaced_limiter() -> AIORateLimiter:
    return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)


def offline_application(request: NoNetRequest, *, paced: bool) -> types.SimpleNamespace:
    """Stands in for ``telegram.ext.Application`` inside the adapter module while it builds."""

    class Builder(ApplicationBuilder):  # type: ignore[type-arg]
        def rate_limiter(self, rate_limiter: Any) -> Any:
            return super().rate_limiter(rate_limiter if paced else unpaced_limiter())

    def builder() -> ApplicationBuilder:  # type: ignore[type-arg]
        return Builder().request(request).get_updates_request(NoNetRequest())

    return types.SimpleNamespace(builder=builder)


class Ours:
    """The real adapter and core on a fresh SQLite file."""

    def __init__(self, db_path: Path, *, paced: bool = False) -> None:
        self.db_path = db_path
        self.paced = paced
        self.request = NoNetRequest()

    async def __aenter__(self) -> Ours:
        self.storage = SqliteStorage(self.db_path)
        await self.storage.open()
        self.ctx = assemble(
            Context(storage=self.storage, program=ProgramSettings(), messengers=Messengers())
        )
        self.dispatcher = build_dispatcher(self.ctx)
        with mock.patch.object(
            tg, "Application", offline_application(self.request, paced=self.paced)
        ):
            self.adapter = tg.TelegramAdapter(TOKEN, self.dispatcher, tg.TelegramSettings())
        self.ctx.messengers.add(self.adapter.messenger)
        self.app = self.adapter.app
        await self.app.initialize()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.shutdown()
        await self.storage.close()


def echo_application(request: NoNetRequest) -> Application:  # type: ignore[type-arg]
    app = ApplicationBuilder().token(TOKEN).request(request).get_updates_request(NoNetRequest())
    application = app.build()

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        await message.reply_text(message.text or "?")

    async def on_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer()
        await context.bot.send_message(query.message.chat.id, query.data or "?")

    application.add_handler(MessageHandler(filters.ALL, on_message))
    application.add_handler(CallbackQueryHandler(on_query))
    return application


# ---- the people and their updates ----------------------------------------------------------


class Driver:
    """Makes update JSON for people and presses the buttons the bot last sent them."""

    def __init__(self, request: NoNetRequest, first_update_id: int = 1) -> None:
        self.request = request
        self.update_ids = itertools.count(first_update_id)
        self.message_ids = itertools.count(1)
        self.query_ids = itertools.count(1)
        self.log: list[dict[str, Any]] | None = None  # the update JSON, for the echo replay

    @staticmethod
    def _user(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"P{user_id % 1000}"}

    def _record(self, data: dict[str, Any]) -> dict[str, Any]:
        if self.log is not None:
            self.log.append(data)
        return data

    def text(self, user_id: int, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self.message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "P"},
            "from": self._user(user_id),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._record({"update_id": next(self.update_ids), "message": message})

    def press(self, user_id: int, choose: Callable[[str], bool]) -> dict[str, Any]:
        """A callback query for the first button (of the newest keyboard) ``choose`` accepts."""
        message_id, rows = self.request.keyboards[user_id]
        data = next(b["callback_data"] for row in rows for b in row if choose(b["callback_data"]))
        query = {
            "id": str(next(self.query_ids)),
            "from": self._user(user_id),
            "chat_instance": f"ci{user_id}",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private", "first_name": "P"},
                "from": BOT_USER,
                "text": "question",
            },
        }
        return self._record({"update_id": next(self.update_ids), "callback_query": query})


def checkin_steps(person: int, round_: int) -> list[tuple[str, Callable[[str], bool]]]:
    """The four presses of a check-in: a mood, a craving, "no", then skip.

    Ordinary days: each person's mood cycles 1..5 (never three low ones in a row) and cravings
    stay below the alert threshold (8), so no escalation alert fires; alerts are rare events with
    costs of their own, not the steady inbound load measured here.
    """
    mood = f":mood:{1 + (person + round_) % 5}"
    craving = f":craving:{(person * 3 + round_) % 8}"
    return [
        ("mood", lambda d: d.endswith(mood)),
        ("craving", lambda d: d.endswith(craving)),
        ("used", lambda d: d.endswith(":used:no")),
        ("note", lambda d: d.endswith(":note:skip")),
    ]


async def onboard_everyone(ours: Ours, driver: Driver, users: list[int]) -> float:
    """Onboards ``users`` through the adapter, one update at a time; returns the wall seconds."""
    app = ours.app
    started = time.perf_counter()
    for user in users:
        for step in range(7):
            if step == 0:
                data = driver.text(user, "/start")
            elif step == 1:
                data = driver.press(user, lambda d: d == "ob:consent:yes")
            elif step == 4:
                data = driver.press(user, lambda d: d == "ob:zone:yes")
            elif step == 6:
                data = driver.press(user, lambda d: d == "ob:since:skip")
            else:
                data = driver.text(user, {2: f"Person {user % 1000}", 3: "Denver", 5: "8pm"}[step])
            await app.process_update(Update.de_json(data, app.bot))
    wall = time.perf_counter() - started
    for user in (users[0], users[-1]):  # sanity: they really are onboarded
        person = await ours.storage.person_for_account(AccountAddress("telegram", str(user)))
        if person is None or not person.onboarded:
            raise SystemExit(f"onboarding through the adapter failed for {user}")
    return wall


async def checkins_sequential(
    ours: Ours, driver: Driver, users: list[int], answers: int, first: int = 0
) -> tuple[float, list[float], list[float]]:
    """Round-robin check-ins (numbered from ``first``); returns (wall s, answer latencies us,
    /checkin latencies us)."""
    app, bot = ours.app, ours.app.bot
    answer_us: list[float] = []
    command_us: list[float] = []
    clock = time.perf_counter_ns
    wall = 0.0
    n = first
    while len(answer_us) < answers:
        user = users[n % len(users)]
        update = Update.de_json(driver.text(user, "/checkin"), bot)
        t0 = clock()
        await app.process_update(update)
        elapsed = clock() - t0
        command_us.append(elapsed / 1000)
        wall += elapsed
        for _, choose in checkin_steps(n % len(users), n // len(users)):
            update = Update.de_json(driver.press(user, choose), bot)
            t0 = clock()
            await app.process_update(update)
            elapsed = clock() - t0
            answer_us.append(elapsed / 1000)
            wall += elapsed
        n += 1
    return wall / 1e9, answer_us, command_us


async def checkins_concurrent(
    ours: Ours, driver: Driver, users: list[int], answers: int
) -> tuple[float, int]:
    """Every person a task, through the adapter's update processor; returns (wall s, answers)."""
    app, bot = ours.app, ours.app.bot
    processor = app.update_processor
    per_person = max(1, answers // (4 * len(users)))
    done = 0

    async def person(index: int, user: int) -> None:
        nonlocal done
        for k in range(per_person):
            update = Update.de_json(driver.text(user, "/checkin"), bot)
            await processor.process_update(update, app.process_update(update))
            for _, choose in checkin_steps(index, k):
                update = Update.de_json(driver.press(user, choose), bot)
                await processor.process_update(update, app.process_update(update))
                done += 1

    started = time.perf_counter()
    await asyncio.gather(*(person(i, u) for i, u in enumerate(users)))
    return time.perf_counter() - started, done


async def replay(app: Application, updates: list[dict[str, Any]]) -> tuple[float, list[float]]:  # type: ignore[type-arg]
    samples: list[float] = []
    clock = time.perf_counter_ns
    wall = 0
    for data in updates:
        update = Update.de_json(data, app.bot)
        t0 = clock()
        await app.process_update(update)
        elapsed = clock() - t0
        samples.append(elapsed / 1000)
        wall += elapsed
    return wall / 1e9, samples
