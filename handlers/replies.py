"""The one reply path: how an adapter answers a person, whatever the platform.

Telegram, Discord and the console all come through here:

1. **In order per person.** :meth:`ReplyPath.turn` is that person's turn, keyed by platform
   and user id (the core keeps conversation state per account: two presses of one person must
   not race, a person writing in a group and in their DM at once neither). Concurrent across
   people. In this process it is an asyncio lock (the map holds a lock only while someone
   waits on or holds it: weak values, so memory stays bounded by the events in flight);
   across processes sharing a database, storage's ``person_turn`` (a PostgreSQL advisory
   lock per person; nothing more on SQLite, one process by design), taken inside the local
   lock so a process asks the database once per person at a time.
2. **Dispatch** through the :class:`~handlers.dispatcher.Dispatcher`, which never raises.
3. **Delivery** of each reply, in order, through ``send`` (the messenger by default; an
   adapter may pass its own, such as a Discord interaction's follow-up), with the proactive
   sends' retry policy (:func:`handlers.outbox.with_retries`, on the context's clock), in the
   urgent lane of :mod:`handlers.pacing`: ahead of any scheduled fan-out.

What happens when a reply cannot be delivered: the failure is logged by event id and reason
(never what was sent), the replies after it are not attempted (they would make no sense
without it), and the outcome says so (:class:`Delivery`). Nothing raises to the adapter. The
crisis reply is the first and only reply of a crisis hit, so it is never skipped for an
earlier one; an adapter with a second way to reach the person (Discord's DM when an
interaction expired) chooses ``send`` before asking, so that way is used from the start.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.logsafe import describe_exception
from handlers.messaging import (
    ConversationRef,
    DeliveryError,
    DeliveryFailure,
    IncomingEvent,
    Messenger,
    OutgoingMessage,
)
from handlers.outbox import with_retries
from handlers.pacing import Lane, in_lane

log = logging.getLogger(__name__)

Send = Callable[[OutgoingMessage], Awaitable[object]]
"""Delivers one reply; raises :class:`DeliveryError` (``permanent`` or not) when it could not."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """How answering one event went: how many replies went out, and the failure that stopped
    the rest (None when every reply was delivered)."""

    replies: Sequence[OutgoingMessage]
    delivered: int
    failure: DeliveryError | None = None

    @property
    def complete(self) -> bool:
        return self.failure is None


class ReplyPath:
    """One per adapter (or shared): the ordering locks, dispatch and delivery."""

    def __init__(self, dispatcher: Dispatcher, messenger: Messenger | None = None) -> None:
        """``messenger``: the adapter's own, which replies go through by default (else the
        context's messenger for the event's platform)."""
        self.dispatcher = dispatcher
        self.messenger = messenger
        self.ctx: Context = dispatcher.ctx
        """Delivery's messengers and clock (the dispatcher may be swapped, the context not)."""
        self._turns: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()  # a lock lives while an event of its person does
        )

    def local_turn(self, platform: str, user_id: str) -> asyncio.Lock:
        """The person's ordering lock in this process.

        Taken without awaiting anything first, events are handled in the order they came."""
        key = (platform, user_id)
        lock = self._turns.get(key)
        if lock is None:
            lock = self._turns[key] = asyncio.Lock()
        return lock

    @contextlib.asynccontextmanager
    async def turn(self, platform: str, user_id: str) -> AsyncIterator[None]:
        """The person's turn: hold it for everything done for one of their events, in this
        process (:meth:`local_turn`) and then across every process on the database."""
        async with (
            self.local_turn(platform, user_id),
            self.ctx.storage.person_turn(f"{platform}:{user_id}"),
        ):
            yield

    async def answer(
        self,
        event: IncomingEvent,
        send: Send | None = None,
        *,
        when_silent: Callable[[], Awaitable[object]] | None = None,
    ) -> Delivery:
        """Take the person's turn, then :meth:`respond`."""
        async with self.turn(event.ref.platform, event.ref.user_id):
            return await self.respond(event, send, when_silent=when_silent)

    async def respond(
        self,
        event: IncomingEvent,
        send: Send | None = None,
        *,
        when_silent: Callable[[], Awaitable[object]] | None = None,
    ) -> Delivery:
        """Dispatch and deliver, for a caller already holding the person's :meth:`turn`.

        ``when_silent`` runs when the core has nothing to say (a Discord "thinking..." to
        clear); its failure is logged and ignored."""
        replies = await self.dispatcher.handle(event)
        if not replies and when_silent is not None:
            try:
                await when_silent()
            except Exception as exc:
                log.info("event %s: clean-up failed: %s", event.event_id, describe_exception(exc))
        return await self.deliver(event.event_id, event.ref, replies, send)

    async def deliver(
        self,
        event_id: str,
        ref: ConversationRef,
        replies: Sequence[OutgoingMessage],
        send: Send | None = None,
    ) -> Delivery:
        """Send ``replies`` in order (to ``ref`` through the messenger unless ``send`` is
        given), each with retries; stop at the first that cannot be delivered. Never raises."""
        ctx = self.ctx
        messenger = self.messenger

        def through_messenger(reply: OutgoingMessage) -> Awaitable[object]:
            if messenger is not None:
                return messenger.send(ref, reply)
            return ctx.messengers.send(ref, reply)

        sender = send or through_messenger
        for number, reply in enumerate(replies):
            try:
                with in_lane(Lane.URGENT):  # an answer to what the person just did
                    await with_retries(ctx, functools.partial(sender, reply), ref.platform)
            except DeliveryError as err:
                log.warning("reply to %s not delivered: %s", event_id, err.reason)
                return Delivery(replies, number, err)
            except Exception as exc:  # a send that broke its contract: same outcome, by type
                log.error("reply to %s failed: %s", event_id, describe_exception(exc))
                return Delivery(replies, number, DeliveryError(DeliveryFailure.UNEXPECTED))
        return Delivery(replies, len(replies))
