"""Outside calendars that mirror circle occurrences (a Discord server's Events list).

People look for "what's on" in their platform's own calendar as much as in the bot's
announcements, so an adapter may keep a copy of each occurrence there. The core only says
what happened to an occurrence; each mirror decides what that means in its calendar, which
keeps the core free of any platform (the Discord one is ``bot.adapters.discord_events``).

A mirror is a courtesy, never part of the circle itself: :class:`CalendarMirrors` calls each
one in turn, bounded in time, and logs a failure by exception type and circle id only (an
exception's message may quote a title or what someone typed), so the circle flow always goes
on as if no calendar existed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from typing import Protocol

from handlers.logsafe import describe_exception
from storage.circles import Circle, Occurrence

log = logging.getLogger(__name__)

MIRROR_TIMEOUT_S = 20.0
"""The longest one mirror may hold up a circle flow (or a due-queue tick, whose lease is 5
minutes); a platform that is rate-limiting us is waited for no longer than this."""


class CalendarMirror(Protocol):
    """One outside calendar. Each method may raise; :class:`CalendarMirrors` contains it."""

    async def occurrence_scheduled(self, circle: Circle, occurrence: Occurrence) -> None:
        """The occurrence is the circle's next one: newly scheduled, moved to another time,
        or the circle's title, length or venue changed. Create or update its copy; a venue
        this calendar does not cover means removing a copy it made earlier."""
        ...

    async def occurrence_cancelled(self, circle: Circle, occurrence: Occurrence) -> None:
        """That one date is off (the series may go on: its next date comes separately)."""
        ...

    async def circle_ended(self, circle: Circle, occurrences: Sequence[Occurrence]) -> None:
        """The whole series was cancelled; ``occurrences`` are the dates that went with it."""
        ...

    async def occurrence_started(self, circle: Circle, occurrence: Occurrence) -> None:
        """Its session began (``/circle start``): show it as under way."""
        ...

    async def occurrence_finished(self, circle: Circle, occurrence: Occurrence) -> None:
        """Its session ended (``/circle end``): show it as over."""
        ...


class CalendarMirrors:
    """The mirrors of every running adapter; empty unless an adapter registers one.

    Held by the :class:`~handlers.context.Context`, filled in after it is built (an adapter's
    mirror needs the adapter's client), like :class:`~handlers.messaging.Messengers`.
    """

    def __init__(self, mirrors: Iterable[CalendarMirror] = ()) -> None:
        self._mirrors: list[CalendarMirror] = list(mirrors)

    def add(self, mirror: CalendarMirror) -> None:
        self._mirrors.append(mirror)

    def __iter__(self) -> Iterator[CalendarMirror]:
        return iter(tuple(self._mirrors))

    def __len__(self) -> int:
        return len(self._mirrors)

    async def scheduled(self, circle: Circle, occurrence: Occurrence) -> None:
        """See :meth:`CalendarMirror.occurrence_scheduled`. Never raises."""
        await self._each("schedule", circle, lambda m: m.occurrence_scheduled(circle, occurrence))

    async def cancelled(self, circle: Circle, occurrence: Occurrence) -> None:
        """See :meth:`CalendarMirror.occurrence_cancelled`. Never raises."""
        await self._each("cancel", circle, lambda m: m.occurrence_cancelled(circle, occurrence))

    async def ended(self, circle: Circle, occurrences: Sequence[Occurrence]) -> None:
        """See :meth:`CalendarMirror.circle_ended`. Never raises."""
        await self._each("end", circle, lambda m: m.circle_ended(circle, occurrences))

    async def started(self, circle: Circle, occurrence: Occurrence) -> None:
        """See :meth:`CalendarMirror.occurrence_started`. Never raises."""
        await self._each("start", circle, lambda m: m.occurrence_started(circle, occurrence))

    async def finished(self, circle: Circle, occurrence: Occurrence) -> None:
        """See :meth:`CalendarMirror.occurrence_finished`. Never raises."""
        await self._each("finish", circle, lambda m: m.occurrence_finished(circle, occurrence))

    async def _each(
        self, what: str, circle: Circle, call: Callable[[CalendarMirror], Awaitable[None]]
    ) -> None:
        for mirror in self:
            try:
                async with asyncio.timeout(MIRROR_TIMEOUT_S):
                    await call(mirror)
            except Exception as exc:
                log.warning(
                    "calendar %s: %s for circle %s failed: %s",
                    type(mirror).__name__,
                    what,
                    circle.id,
                    describe_exception(exc),
                )
