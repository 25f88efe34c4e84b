"""The console adapter: one person chatting with the bot in a terminal.

Buttons become numbered choices (type the number or the label), images and files (the
``/mydata`` export) are written to a folder and their path printed. Works interactively and
with piped stdin: it stops at the end of input. Scheduled prompts print by themselves while it
waits for a line.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import threading
from pathlib import Path
from typing import TextIO

from handlers import markup
from handlers.dispatcher import Dispatcher
from handlers.messaging import (
    Button,
    ButtonPress,
    Capabilities,
    Command,
    ConversationRef,
    IncomingEvent,
    OutgoingMessage,
    SentRef,
    Text,
    numbered_choices,
)
from handlers.numbers import read_whole
from handlers.replies import ReplyPath

PLATFORM = "console"
CONSOLE_REF = ConversationRef(platform=PLATFORM, chat_id="console", user_id="console-user")


class ConsoleMessenger:
    """Prints messages to a text stream."""

    platform = PLATFORM
    capabilities = Capabilities(buttons=False, images=True, edits=False)

    def __init__(self, out: TextIO, image_dir: Path) -> None:
        self.out = out
        self.image_dir = image_dir
        self.choices: list[Button] = []
        self._ids = itertools.count(1)

    def _save(self, path: Path, data: bytes) -> None:
        """Write a file readable by its owner only (0600) into the folder (0700): charts and
        exports are a person's health data."""
        self.image_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.image_dir.chmod(0o700)  # also one an older version made world-readable
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        path.chmod(0o600)  # also when it overwrote an older file

    async def send(self, ref: ConversationRef, message: OutgoingMessage) -> SentRef:
        text = markup.plain(numbered_choices(message))
        lines = [f"bot> {line}" if line else "bot>" for line in text.splitlines()]
        if message.rows:
            self.choices = list(message.buttons)
        if message.image is not None:
            number = next(self._ids)
            path = self.image_dir / f"{number:04d}-{message.image.filename}"
            self._save(path, message.image.png)
            lines.append(f"bot> [image saved to {path}: {message.image.alt_text}]")
        if message.document is not None:
            path = self.image_dir / f"{next(self._ids):04d}-{message.document.filename}"
            self._save(path, message.document.data)
            lines.append(f"bot> [file saved to {path}]")
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()
        return SentRef(ref=ref, message_id=str(next(self._ids)))

    def choice_for(self, line: str) -> Button | None:
        """The button a typed line picks: its exact label first, else its number."""
        for button in self.choices:
            if button.label.casefold() == line.casefold():
                return button
        number = read_whole(line, max_digits=3)
        if number is not None and 1 <= number <= len(self.choices):
            return self.choices[number - 1]
        return None


def parse_line(line: str, messenger: ConsoleMessenger, event_id: str) -> IncomingEvent | None:
    """Turn a typed line into an event (None for a blank line)."""
    line = line.strip()
    if not line:
        return None
    kind: Text | Command | ButtonPress
    if line.startswith("/") and len(line) > 1:
        name, *args = line[1:].split()
        kind = Command(name=name.lower(), args=tuple(args))
    elif (button := messenger.choice_for(line)) is not None:
        kind = ButtonPress(payload=button.payload)
    else:
        kind = Text(text=line)
    return IncomingEvent(ref=CONSOLE_REF, kind=kind, display_name="you", event_id=event_id)


class ConsoleAdapter:
    """Reads lines and answers each through the core's reply path, which prints the replies."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        messenger: ConsoleMessenger,
        stdin: TextIO | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.messenger = messenger
        self.replies = ReplyPath(dispatcher, messenger)
        self.stdin = stdin or sys.stdin

    async def run(self) -> None:
        """Chat until the end of input."""
        lines = self._read_lines_in_background()
        for n in itertools.count(1):
            line = await lines.get()
            if line == "":
                return
            event = parse_line(line, self.messenger, f"console-{n}")
            if event is None:
                continue
            if isinstance(event.kind, ButtonPress):
                self.messenger.choices = []
            await self.replies.answer(event)

    def _read_lines_in_background(self) -> asyncio.Queue[str]:
        """Lines of stdin, read by a daemon thread; ``""`` marks the end of input.

        A thread, so scheduled prompts still print while we wait for a line; a daemon one, so
        a blocked ``readline`` never holds up shutdown on SIGTERM.
        """
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str] = asyncio.Queue()

        def pump() -> None:
            while True:
                line = self.stdin.readline()
                try:
                    loop.call_soon_threadsafe(queue.put_nowait, line)
                except RuntimeError:  # the loop has closed: we are shutting down
                    return
                if line == "":
                    return

        threading.Thread(target=pump, name="console-stdin", daemon=True).start()
        return queue
