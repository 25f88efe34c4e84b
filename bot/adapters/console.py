"""The console adapter: the bot in a terminal, as one person or several, with a group.

A line is said by the current speaker in their private chat with the bot. ``@dana TEXT``
speaks as Dana from then on (a new person the first time, with the console account
``dana``), ``#circle TEXT`` says one line in the console group ``#circle`` (where circles can
meet: ``/circle here``, ``/circle start``). Every reply is printed with who receives it:
``[@dana DM]`` for a private chat, ``[#circle group]`` for the group. Buttons become numbered
choices per chat (type the number or the label in that chat); images and files (the ``/mydata``
export) are written to a folder and their path printed.

Interactive use has line editing and in-session history (the standard ``readline``, when
stdin is a terminal; the history is never written to a file: it is what people said).
Piped input works too: each line is echoed with its speaker so the transcript reads as a
conversation, and the console stops at the end of input. Scheduled prompts print by
themselves while it waits for a line.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import queue
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.adapters import console_texts as texts
from handlers import markup
from handlers.dispatcher import Dispatcher
from handlers.messaging import (
    Button,
    ButtonPress,
    Capabilities,
    ChatKind,
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
from storage.circles import VenueKind

PLATFORM = "console"
DEFAULT_USER = "console-user"
"""The account of whoever types before any ``@name`` (the console's one person of old)."""
LEGACY_CHAT = "console"
"""The chat id older versions stored for that person."""
DEFAULT_GROUP = "circle"
GROUP_MARK = "#"
CONSOLE_REF = ConversationRef(platform=PLATFORM, chat_id=DEFAULT_USER, user_id=DEFAULT_USER)
"""The default speaker's private chat."""

_NAME = re.compile(r"[^\W_][\w-]{0,31}")


def user_id_for(name: str) -> str:
    """The console account a typed ``@name`` speaks for (``@you`` is the default speaker)."""
    key = name.casefold()
    return DEFAULT_USER if key == texts.YOU else key


def shown(user_id: str) -> str:
    """``@dana``, or ``you`` for the default speaker."""
    return texts.YOU if user_id in (DEFAULT_USER, LEGACY_CHAT, "") else f"@{user_id}"


def dm_ref(user_id: str) -> ConversationRef:
    """A person's private chat: its id is theirs, as the core's ``private_ref`` expects."""
    return ConversationRef(PLATFORM, chat_id=user_id, user_id=user_id)


def group_ref(group: str, user_id: str) -> ConversationRef:
    return ConversationRef(PLATFORM, chat_id=GROUP_MARK + group, user_id=user_id)


def is_group(ref: ConversationRef) -> bool:
    return ref.chat_id.startswith(GROUP_MARK)


def chat_key(ref: ConversationRef) -> str:
    """Whose screen a message lands on: the group's, or the person's private chat."""
    if is_group(ref):
        return ref.chat_id
    user = ref.user_id or ref.chat_id
    return DEFAULT_USER if user == LEGACY_CHAT else user


def label(ref: ConversationRef) -> str:
    """``[@dana DM]`` or ``[#circle group]``: who receives a message."""
    if is_group(ref):
        return f"[{ref.chat_id} group]"
    return f"[{shown(chat_key(ref))} DM]"


@dataclass(frozen=True, slots=True)
class ConsoleLine:
    """A typed line taken apart: who speaks from now on (when it names someone), the group
    it is said in (for this line only) and what is said."""

    speaker: str | None
    group: str | None
    body: str


def split_line(line: str) -> ConsoleLine:
    """``@dana #circle /circle here`` -> speaker dana, group circle, ``/circle here``.

    The marks may come in either order; an ``@`` or ``#`` not followed by a name is text.
    """
    speaker: str | None = None
    group: str | None = None
    rest = line.strip()
    while rest[:1] in ("@", GROUP_MARK):
        head, _, tail = rest.partition(" ")
        name = head[1:]
        if not _NAME.fullmatch(name):
            break
        if head[0] == "@":
            speaker = name
        else:
            group = name.casefold()
        rest = tail.strip()
    return ConsoleLine(speaker, group, rest)


class ConsoleMessenger:
    """Prints each message with who receives it, to a text stream."""

    platform = PLATFORM
    capabilities = Capabilities(
        buttons=False, images=True, edits=False, venue_kinds=(VenueKind.TEXT,)
    )

    def __init__(self, out: TextIO, image_dir: Path) -> None:
        self.out = out
        self.image_dir = image_dir
        self.choices: dict[str, list[Button]] = {}
        """The numbered choices last shown in each chat (see :func:`chat_key`)."""
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
        lines = text.splitlines() or [""]
        if message.rows:
            self.choices[chat_key(ref)] = list(message.buttons)
        if message.image is not None:
            number = next(self._ids)
            path = self.image_dir / f"{number:04d}-{message.image.filename}"
            self._save(path, message.image.png)
            lines.append(f"[image saved to {path}: {message.image.alt_text}]")
        if message.document is not None:
            path = self.image_dir / f"{next(self._ids):04d}-{message.document.filename}"
            self._save(path, message.document.data)
            lines.append(f"[file saved to {path}]")
        prefix = label(ref)
        self.out.write("".join(f"{prefix} {line}".rstrip() + "\n" for line in lines))
        self.out.flush()
        return SentRef(ref=ref, message_id=str(next(self._ids)))

    def choice_for(self, ref: ConversationRef, line: str) -> Button | None:
        """The button a typed line picks in that chat: its exact label first, else its
        number."""
        choices = self.choices.get(chat_key(ref), [])
        for button in choices:
            if button.label.casefold() == line.casefold():
                return button
        number = read_whole(line, max_digits=3)
        if number is not None and 1 <= number <= len(choices):
            return choices[number - 1]
        return None

    def forget_choices(self, ref: ConversationRef) -> None:
        """A choice was made in a private chat: a later number there is an answer, not an old
        button. A group's buttons stay: the next person may press them too."""
        if not is_group(ref):
            self.choices.pop(chat_key(ref), None)


def parse_line(
    body: str, messenger: ConsoleMessenger, ref: ConversationRef, event_id: str, name: str = ""
) -> IncomingEvent | None:
    """Turn what a person said in ``ref``'s chat into an event (None for nothing)."""
    body = body.strip()
    if not body:
        return None
    kind: Text | Command | ButtonPress
    if body.startswith("/") and len(body) > 1:
        command, *args = body[1:].split()
        kind = Command(name=command.lower(), args=tuple(args))
    elif (button := messenger.choice_for(ref, body)) is not None:
        kind = ButtonPress(payload=button.payload)
    else:
        kind = Text(text=body)
    chat_kind = ChatKind.GROUP if is_group(ref) else ChatKind.DIRECT
    return IncomingEvent(
        ref=ref, kind=kind, display_name=name, chat_kind=chat_kind, event_id=event_id
    )


class LineReader:
    """Typed lines, read by a daemon thread one at a time on request, so scheduled prompts
    still print while a line is awaited and the prompt shows the speaker of the moment; a
    daemon thread, so a blocked read never holds up shutdown on SIGTERM.

    On a terminal it reads with ``input()`` and the standard ``readline`` (arrow keys, history
    for this session); otherwise plain ``readline()`` calls on the stream.
    """

    def __init__(self, stdin: TextIO) -> None:
        self.stdin = stdin
        self.interactive = stdin is sys.stdin and _isatty(stdin)
        self._requests: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._lines: asyncio.Queue[str | None] | None = None

    def _start(self) -> asyncio.Queue[str | None]:
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        if self.interactive:
            try:
                import readline  # noqa: F401  (importing it gives input() line editing)
            except ImportError:  # not on every platform (Windows): plain input() then
                pass

        def pump() -> None:
            while True:
                prompt = self._requests.get()
                line: str | None
                if self.interactive:
                    try:
                        line = input(prompt)
                    except EOFError:
                        line = None
                else:
                    read = self.stdin.readline()
                    line = read if read else None
                try:
                    loop.call_soon_threadsafe(lines.put_nowait, line)
                except RuntimeError:  # the loop has closed: we are shutting down
                    return
                if line is None:
                    return

        threading.Thread(target=pump, name="console-stdin", daemon=True).start()
        return lines

    async def next(self, prompt: str) -> str | None:
        """The next line (without its newline), or None at the end of input."""
        if self._lines is None:
            self._lines = self._start()
        self._requests.put(prompt)
        line = await self._lines.get()
        return None if line is None else line.rstrip("\r\n")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class ConsoleAdapter:
    """Reads lines, works out who says them where, and answers each through the core's reply
    path, which prints the replies."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        messenger: ConsoleMessenger,
        stdin: TextIO | None = None,
        *,
        banner_extra: str = "",
    ) -> None:
        self.dispatcher = dispatcher
        self.messenger = messenger
        self.replies = ReplyPath(dispatcher, messenger)
        self.reader = LineReader(stdin or sys.stdin)
        self.banner_extra = banner_extra
        self.speaker = DEFAULT_USER
        self.names: dict[str, str] = {}
        """The name each speaker was first called by (``@Dana``), handed on as the
        event's display name."""

    def _print(self, text: str) -> None:
        self.messenger.out.write(text + "\n")
        self.messenger.out.flush()

    async def run(self) -> None:
        """Chat until the end of input."""
        self._print(
            texts.BANNER.format(
                speaker=shown(self.speaker), group=DEFAULT_GROUP, extra=self.banner_extra
            )
        )
        for n in itertools.count(1):
            raw = await self.reader.next(f"{shown(self.speaker)}> ")
            if raw is None:
                return
            line = split_line(raw)
            if line.speaker is not None:
                self.speaker = user_id_for(line.speaker)
                self.names.setdefault(self.speaker, line.speaker)
            if not line.body:
                continue
            where = f" in #{line.group}" if line.group else ""
            if not self.reader.interactive:  # piped: show what was said, by whom, where
                self._print(f"{shown(self.speaker)}{where}> {line.body}")
            ref = (
                group_ref(line.group, self.speaker)
                if line.group is not None
                else dm_ref(self.speaker)
            )
            event = parse_line(
                line.body, self.messenger, ref, f"console-{n}", self.names.get(self.speaker, "")
            )
            if event is None:
                continue
            if isinstance(event.kind, ButtonPress):
                self.messenger.forget_choices(ref)
            await self.replies.answer(event)
