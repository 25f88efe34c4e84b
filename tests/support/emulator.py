"""Run the Telegram Bot API emulator (``tests/telegram_emulator/launcher.js``) and drive its user
side.

Typical use with the real python-telegram-bot::

    async with running_emulator() as emu:
        app = Application.builder().token(emu.token).base_url(emu.base_url).build()
        ...
        await emu.send_command(chat_id=42, user_id=42, command="/start")
        reply = await emu.wait_for_bot_message(42)

The handle holds no event-loop state (every helper opens its own short-lived httpx client),
so one emulator can be shared by tests that run in different event loops; call
:meth:`EmulatorHandle.reset` between them.

telegram-test-api's notions, which the helpers follow: a bot is known only by its token
string (the part before ``:`` becomes the bot's user id), a user by ``from.id`` and a chat by
``chat.id``; in a private chat ``chat_id == user_id``, a negative ``chat_id`` is a group.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

EMULATOR_DIR = Path(__file__).resolve().parent.parent / "telegram_emulator"
"""The Node project: ``launcher.js`` and the telegram-test-api it runs."""
LAUNCHER = EMULATOR_DIR / "launcher.js"
DEFAULT_TOKEN = "123456:TEST"
INSTALL_HINT = "run: npm ci --prefix tests/telegram_emulator"


class EmulatorError(RuntimeError):
    """The emulator could not be started or answered a user-side call with an error."""


@dataclass
class EmulatorHandle:
    """A running emulator process plus user-side helpers (all async, via httpx)."""

    port: int
    token: str = DEFAULT_TOKEN
    host: str = "127.0.0.1"
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    log_path: Path | None = None
    language_codes: dict[int, str] = field(default_factory=dict)
    """A user's Telegram ``language_code`` (``es-MX``), sent with everything they do."""

    # ---- addresses for python-telegram-bot -----------------------------------------------

    @property
    def api_url(self) -> str:
        """Root URL of the emulator (user side and /control live here)."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Pass to ``Application.builder().base_url(...)``."""
        return f"{self.api_url}/bot"

    @property
    def base_file_url(self) -> str:
        """Pass to ``Application.builder().base_file_url(...)`` to download files."""
        return f"{self.api_url}/file/bot"

    @property
    def bot_id(self) -> int:
        head = self.token.split(":", 1)[0]
        return int(head) if head.isdigit() else 666

    # ---- lifecycle ----------------------------------------------------------------------

    def close(self) -> None:
        """Stop the node process (idempotent)."""
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if proc is not None and proc.stdin:
            proc.stdin.close()
        if proc is not None and proc.stdout:
            proc.stdout.close()
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)

    async def stop(self) -> None:
        await asyncio.to_thread(self.close)

    def __enter__(self) -> EmulatorHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> EmulatorHandle:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def log_tail(self, lines: int = 30) -> str:
        """Last lines the emulator wrote to stderr (for failure messages)."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    # ---- raw access ---------------------------------------------------------------------

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        async with httpx.AsyncClient(base_url=self.api_url, timeout=10) as client:
            resp = await client.request(method, path, **kwargs)
        try:
            body = resp.json()
        except ValueError as exc:
            raise EmulatorError(f"{method} {path}: HTTP {resp.status_code}: {resp.text!r}") from exc
        if resp.status_code != 200 or not body.get("ok"):
            raise EmulatorError(f"{method} {path}: HTTP {resp.status_code}: {body}")
        return body.get("result")

    def _user(self, user_id: int, first_name: str | None, username: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name or f"User{user_id}",
        }
        if username:
            user["username"] = username
        if user_id in self.language_codes:
            user["language_code"] = self.language_codes[user_id]
        return user

    def _chat(self, chat_id: int, user: dict[str, Any]) -> dict[str, Any]:
        if chat_id > 0:
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                chat["username"] = user["username"]
            return chat
        kind = "supergroup" if chat_id < -1_000_000_000_000 else "group"
        return {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}

    # ---- the user side ------------------------------------------------------------------

    async def send_message(
        self,
        chat_id: int,
        user_id: int,
        text: str | None,
        *,
        first_name: str | None = None,
        username: str | None = None,
        reply_to_message_id: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A user writes ``text``; returns ``{"update_id", "message_id", "message"}``.

        Text starting with "/" (and any other "/word") gets ``bot_command`` entities.
        ``extra`` goes into the Message as is (e.g. ``entities=[...]``). ``text=None`` sends
        a message without text, e.g. ``send_message(1, 1, None, sticker={...})``.
        """
        user = self._user(user_id, first_name, username)
        body: dict[str, Any] = {
            "botToken": self.token,
            "from": user,
            "chat": self._chat(chat_id, user),
            **({"text": text} if text is not None else {}),
            **extra,
        }
        if reply_to_message_id is not None:
            body["reply_to_message_id"] = reply_to_message_id
        result: dict[str, Any] = await self._request("POST", "/sendMessage", json=body)
        return result

    async def send_command(
        self, chat_id: int, user_id: int, command: str, args: str = "", **kwargs: Any
    ) -> dict[str, Any]:
        """``send_command(1, 1, "start", "x")`` sends "/start x" (the "/" is optional)."""
        text = command if command.startswith("/") else f"/{command}"
        if args:
            text = f"{text} {args}"
        return await self.send_message(chat_id, user_id, text, **kwargs)

    async def send_photo(
        self,
        chat_id: int,
        user_id: int,
        data: bytes,
        caption: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """A user sends a photo (PNG/JPEG/GIF/WEBP bytes); the bot can get_file/download it."""
        sizes = await self._request(
            "POST",
            "/control/upload",
            params={"kind": "photo", "filename": "photo"},
            content=data,
            headers={"content-type": "application/octet-stream"},
        )
        extra: dict[str, Any] = {"photo": sizes}
        if caption is not None:
            extra["caption"] = caption
        user = self._user(user_id, kwargs.pop("first_name", None), kwargs.pop("username", None))
        body = {
            "botToken": self.token,
            "from": user,
            "chat": self._chat(chat_id, user),
            **extra,
            **kwargs,
        }
        result: dict[str, Any] = await self._request("POST", "/sendMessage", json=body)
        return result

    async def press_button(
        self,
        chat_id: int,
        user_id: int,
        message_id: int,
        data: str,
        *,
        force: bool = False,
        first_name: str | None = None,
        username: str | None = None,
    ) -> str:
        """A user presses the inline button with ``callback_data == data``; returns the query id.

        Fails unless the bot's message ``message_id`` in ``chat_id`` has such a button
        (``force=True`` skips that check, e.g. to press a button that was removed).
        """
        user = self._user(user_id, first_name, username)
        body = {
            "botToken": self.token,
            "from": user,
            "message": {"message_id": message_id, "chat": self._chat(chat_id, user)},
            "data": data,
            "force": force,
        }
        result = await self._request("POST", "/sendCallback", json=body)
        return str(result["callback_query_id"])

    async def callback_answer(self, callback_query_id: str) -> dict[str, Any] | None:
        """What the bot answered to a button press (``text``, ``show_alert``…), or None."""
        result: dict[str, Any] | None = await self._request(
            "GET", "/control/callback_answer", params={"id": callback_query_id}
        )
        return result

    async def history(self) -> list[dict[str, Any]]:
        """telegram-test-api's /getUpdatesHistory for this token: user and bot entries."""
        result: list[dict[str, Any]] = await self._request(
            "POST", "/getUpdatesHistory", json={"token": self.token}
        )
        return result

    async def bot_messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent (current state, after edits; deleted ones are gone).

        Each is a Telegram Message dict (``message_id``, ``chat``, ``date`` in seconds,
        ``text``/``entities`` or ``photo``/``caption``, ``reply_markup`` of any kind,
        ``edit_date`` once edited) plus ``parse_mode`` and ``raw_text``/``raw_caption`` when
        the bot used a parse mode (HTML is parsed into plain text + entities).
        """
        out = []
        for entry in await self.history():
            if entry.get("sender") != "bot":
                continue
            message = entry["message"]
            if chat_id is None or message["chat"]["id"] == chat_id:
                out.append(message)
        return sorted(out, key=lambda m: m["message_id"])

    async def wait_for_bot_messages(
        self,
        chat_id: int | None = None,
        count: int = 1,
        *,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        within: float = 5.0,
    ) -> list[dict[str, Any]]:
        """Wait (``within`` seconds) until ``count`` bot messages matching ``predicate`` exist."""

        async def poll() -> list[dict[str, Any]]:
            while True:
                found = [
                    m for m in await self.bot_messages(chat_id) if predicate is None or predicate(m)
                ]
                if len(found) >= count:
                    return found
                await asyncio.sleep(0.02)

        try:
            return await asyncio.wait_for(poll(), within)
        except TimeoutError:
            seen = await self.bot_messages(chat_id)
            raise AssertionError(
                f"timed out after {within}s waiting for {count} bot message(s) in chat "
                f"{chat_id}; the bot sent: {seen}"
            ) from None

    async def wait_for_bot_message(
        self,
        chat_id: int | None = None,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        within: float = 5.0,
    ) -> dict[str, Any]:
        """The newest bot message matching ``predicate``, waiting for one to exist."""
        found = await self.wait_for_bot_messages(chat_id, 1, predicate=predicate, within=within)
        return found[-1]

    # ---- control ------------------------------------------------------------------------

    async def fail_next(
        self,
        method: str,
        status: int | None = None,
        retry_after: int | None = None,
        count: int = 1,
        *,
        description: str | None = None,
        chat_id: int | None = None,
        disconnect: bool = False,
        delay_ms: int = 0,
    ) -> dict[str, Any]:
        """Make the next ``count`` bot calls of ``method`` fail (``"*"``: any but getUpdates).

        ``status=429, retry_after=1`` answers a Telegram flood-wait (PTB: RetryAfter);
        5xx answers Telegram-shaped server errors (PTB: NetworkError); 400/403 give
        BadRequest/Forbidden. ``disconnect=True`` drops the connection without an answer;
        ``delay_ms`` holds the call first (with no status it then succeeds: for timeouts).
        ``count <= 0`` keeps failing until :meth:`reset`. ``chat_id`` limits it to one chat.
        """
        body: dict[str, Any] = {"method": method, "count": count}
        for key, value in (
            ("status", status),
            ("retry_after", retry_after),
            ("description", description),
            ("chat_id", chat_id),
        ):
            if value is not None:
                body[key] = value
        if disconnect:
            body["disconnect"] = True
        if delay_ms:
            body["delay_ms"] = delay_ms
        result: dict[str, Any] = await self._request("POST", "/control/fail_next", json=body)
        return result

    async def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Bot API calls received: ``{"seq", "method", "at", "status", "params", ...}``."""
        params = {"token": self.token}
        if method:
            params["method"] = method
        result: list[dict[str, Any]] = await self._request("GET", "/control/calls", params=params)
        return result

    async def unsupported_calls(self) -> list[dict[str, Any]]:
        """Calls of methods the emulator does not implement (answered 400)."""
        return [c for c in await self.calls() if c.get("unsupported")]

    async def reset(self) -> None:
        """Forget messages, files, webhooks, commands, failure rules and the call log."""
        self.language_codes.clear()
        await self._request("POST", "/control/reset")


def _check_installed() -> str:
    node = os.environ.get("NODE") or shutil.which("node")
    if not node:
        raise EmulatorError(
            f"node is not on PATH; the Telegram emulator needs Node >= 18 ({INSTALL_HINT})"
        )
    if not (EMULATOR_DIR / "node_modules" / "telegram-test-api" / "package.json").exists():
        raise EmulatorError(f"telegram-test-api is not installed in {EMULATOR_DIR}: {INSTALL_HINT}")
    return node


def launch_emulator(
    token: str = DEFAULT_TOKEN, *, port: int = 0, startup_timeout: float = 15.0
) -> EmulatorHandle:
    """Start ``node launcher.js`` on 127.0.0.1 (port 0: any free one) and wait for READY.

    Blocking; see :func:`start_emulator` / :func:`running_emulator` for async code.
    """
    node = _check_installed()
    log_fd, log_name = tempfile.mkstemp(prefix="telegram-emulator-", suffix=".log")
    env = {**os.environ, "HOST": "127.0.0.1", "EMULATOR_EXIT_ON_STDIN_CLOSE": "1"}
    proc = subprocess.Popen(
        [node, str(LAUNCHER), str(port)],
        cwd=EMULATOR_DIR,
        stdin=subprocess.PIPE,  # closed when we die: the launcher then exits too
        stdout=subprocess.PIPE,
        stderr=log_fd,
        env=env,
    )
    os.close(log_fd)
    handle = EmulatorHandle(port=0, token=token, process=proc, log_path=Path(log_name))

    line: list[bytes] = []
    reader = threading.Thread(
        target=lambda: line.append(proc.stdout.readline() if proc.stdout else b""), daemon=True
    )
    reader.start()
    started = time.monotonic()
    reader.join(timeout=startup_timeout)
    text = line[0].decode(errors="replace").strip() if line else ""
    if not text.startswith("READY "):
        stderr = handle.log_tail()
        handle.close()
        raise EmulatorError(
            f"Telegram emulator did not start within {time.monotonic() - started:.1f}s "
            f"(stdout={text!r}); stderr:\n{stderr}"
        )
    handle.port = int(text.split()[1])
    return handle


async def start_emulator(
    token: str = DEFAULT_TOKEN, *, port: int = 0, startup_timeout: float = 15.0
) -> EmulatorHandle:
    """Async :func:`launch_emulator`; the caller must ``await handle.stop()``."""
    return await asyncio.to_thread(
        launch_emulator, token, port=port, startup_timeout=startup_timeout
    )


@contextlib.asynccontextmanager
async def running_emulator(
    token: str = DEFAULT_TOKEN, *, port: int = 0, startup_timeout: float = 15.0
) -> AsyncIterator[EmulatorHandle]:
    """``async with running_emulator() as emu:`` — started on entry, killed on exit."""
    handle = await start_emulator(token, port=port, startup_timeout=startup_timeout)
    try:
        yield handle
    finally:
        await handle.stop()
