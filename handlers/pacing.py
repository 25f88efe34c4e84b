"""Pacing sends to a platform's limits, urgent ones first.

A platform allows so many messages per window for the whole bot (Telegram: 30 per second)
and for each chat (Telegram: 1 per second in a private chat, 20 per minute in a group); beyond
that it answers "429, retry after N seconds". :class:`SendPacer` keeps under those budgets
instead of tripping them, and serves waiting sends by **lane**:

* :attr:`Lane.URGENT`: crisis replies, ``/sos``, escalation pings and their climbs, and every
  direct reply to what a person just did. The default: a send nobody labelled is urgent, so a
  new send can only ever be too early, never stuck behind a fan-out.
* :attr:`Lane.ROUTINE`: scheduled work (daily prompts, reminders, circle reminders, weekly
  reviews): the due worker runs the kinds a capability declares ``routine`` in this lane.

The lane travels with the task (a :mod:`contextvars` variable, set with :func:`in_lane`), so it
crosses the :class:`~handlers.messaging.Messenger` port and the platform library untouched and
reaches the adapter's pacer; tasks started inside inherit it.

How the budgets are kept: a send holds its place in every window it counts in (the bot's, its
chat's) from the moment it is let go until the platform has answered, and only then starts
its window's clock. The platform counts a message when it arrives, which is between the two,
so network jitter can never squeeze more than the budget into one of the platform's windows.
A ``margin`` stretches each window a little more. A chat held by a 429 waits out its
``retry_after`` alone (:meth:`SendPacer.hold`); everything else goes on.

Nothing is queued here that is not also written down: the pacer holds a send only while its
caller awaits it, and every proactive send's caller has its delivery-ledger row (and due row)
written before it asks (:mod:`handlers.outbox`, :mod:`handlers.checkins.batch`), so a crash
while sends wait here loses none of them: they are claimed again when their lease runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import enum
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterator
from dataclasses import dataclass


class Lane(enum.IntEnum):
    """Which sends go first when a budget is short (lower goes first)."""

    URGENT = 0
    ROUTINE = 1


_LANE: contextvars.ContextVar[Lane] = contextvars.ContextVar("send_lane", default=Lane.URGENT)


def current_lane() -> Lane:
    """The lane of sends made from here: :attr:`Lane.URGENT` unless :func:`in_lane` says."""
    return _LANE.get()


@contextlib.contextmanager
def in_lane(lane: Lane) -> Iterator[None]:
    """Make every send within (and in tasks started within) go in ``lane``."""
    token = _LANE.set(lane)
    try:
        yield
    finally:
        _LANE.reset(token)


@dataclass(frozen=True, slots=True)
class Budget:
    """At most ``count`` sends in any ``seconds``-long window."""

    count: int
    seconds: float

    def __post_init__(self) -> None:
        if self.count < 1 or self.seconds <= 0:
            raise ValueError("a budget needs a count of at least 1 and a positive window")

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    def stretched(self, margin: float) -> Budget:
        """The same count over a window ``margin`` (a fraction) longer."""
        return Budget(self.count, self.seconds * (1 + margin))


class _Window:
    """The sends of one budget: those in flight, and the finish times of the recent ones."""

    __slots__ = ("budget", "finished", "in_flight")

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.finished: deque[float] = deque()
        self.in_flight = 0

    def free_at(self, now: float) -> float:
        """When the next send may go: ``now`` if the window has room, else when it will
        (``inf`` while only sends still in flight fill it: their end will wake the pacer)."""
        seconds = self.budget.seconds
        finished = self.finished
        while finished and finished[0] <= now - seconds:
            finished.popleft()
        used = len(finished) + self.in_flight
        if used < self.budget.count:
            return now
        if len(finished) > used - self.budget.count:
            return finished[used - self.budget.count] + seconds
        return float("inf")

    def idle(self, now: float) -> bool:
        return self.in_flight == 0 and self.free_at(now) == now and not self.finished


@dataclass(slots=True)
class _Waiter:
    key: Hashable
    budget: Budget | None
    granted: asyncio.Future[_Granted]
    """Set once the send may go."""


@dataclass(frozen=True, slots=True)
class _Granted:
    windows: tuple[_Window, ...]
    """The windows the send counts in, until it ends."""
    paid: bool


@dataclass(frozen=True, slots=True)
class Pass:
    """What :meth:`SendPacer.slot` gives a send that may go."""

    paid: bool = False
    """The overall budget was full and this send goes on the paid ``overflow`` budget: the
    adapter must mark it so (Telegram's ``allow_paid_broadcast``) or the platform refuses it."""


Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class SendPacer:
    """Lets sends go within an overall budget and each key's own budget, urgent lane first.

    ``key`` names what a per-key budget counts (a chat); a send without a budget counts only
    against the overall one. With an ``overflow`` budget (Telegram's paid broadcasts), a send
    that finds the overall budget full may go on that one instead, and is told so
    (:attr:`Pass.paid`); the overflow budget counts every send, free or paid. Within a lane,
    sends go in the order they asked, except that a send whose chat has no room (or is held)
    lets the next one by, so one busy chat never holds up the rest. ``clock``/``sleep`` are
    injectable so tests run on a clock they move.
    """

    def __init__(
        self,
        overall: Budget,
        *,
        margin: float = 0.0,
        overflow: Budget | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.margin = margin
        self._overall = _Window(overall.stretched(margin))
        self._overflow = _Window(overflow.stretched(margin)) if overflow is not None else None
        self._clock = clock
        self._sleep = sleep
        self._windows: dict[Hashable, _Window] = {}
        self._held_until: dict[Hashable, float] = {}
        self._all_held_until = 0.0
        self._queues: tuple[OrderedDict[Hashable, deque[_Waiter]], ...] = tuple(
            OrderedDict() for _ in Lane
        )
        self._changed = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None
        self._since_prune = 0

    @property
    def overall(self) -> Budget:
        return self._overall.budget

    def waiting(self, lane: Lane | None = None) -> int:
        """How many sends wait (in ``lane``, or in all)."""
        queues = self._queues if lane is None else (self._queues[lane],)
        return sum(len(q) for queue in queues for q in queue.values())

    @contextlib.asynccontextmanager
    async def slot(
        self, key: Hashable, budget: Budget | None = None, lane: Lane | None = None
    ) -> AsyncIterator[Pass]:
        """Wait for room for one send to ``key`` (in ``lane``, default the current one), and
        hold it while the body runs: the send counts from now until the body ends."""
        granted = await self._acquire(key, budget, current_lane() if lane is None else lane)
        try:
            yield Pass(paid=granted.paid)
        finally:
            self._release(granted.windows)

    def hold(self, key: Hashable, seconds: float) -> None:
        """The platform asked to wait ``seconds`` before writing to ``key`` again."""
        until = self._clock() + seconds
        if until > self._held_until.get(key, 0.0):
            self._held_until[key] = until
        self._changed.set()

    def hold_all(self, seconds: float) -> None:
        """The platform says the bot as a whole is over its limit: everything waits."""
        self._all_held_until = max(self._all_held_until, self._clock() + seconds)
        self._changed.set()

    async def close(self) -> None:
        """Stop the pacer's task (sends still waiting are cancelled)."""
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
            self._pump = None
        for queue in self._queues:
            for waiters in queue.values():
                for waiter in waiters:
                    waiter.granted.cancel()
            queue.clear()

    # ---- inside ------------------------------------------------------------------------

    async def _acquire(self, key: Hashable, budget: Budget | None, lane: Lane) -> _Granted:
        granted: asyncio.Future[_Granted] = asyncio.get_running_loop().create_future()
        waiters = self._queues[lane].get(key)
        if waiters is None:
            waiters = self._queues[lane][key] = deque()
        waiters.append(_Waiter(key, budget, granted))
        self._changed.set()
        if self._pump is None or self._pump.done():
            self._pump = asyncio.get_running_loop().create_task(self._run())
        try:
            return await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():  # let go just as we gave up
                self._release(granted.result().windows)
            raise

    def _release(self, windows: tuple[_Window, ...]) -> None:
        now = self._clock()
        for window in windows:
            window.in_flight -= 1
            window.finished.append(now)
        self._changed.set()

    async def _run(self) -> None:
        while self.waiting():
            self._changed.clear()
            wake_at = self._grant_what_may_go()
            if not self.waiting():
                return
            now = self._clock()
            if wake_at <= now:
                continue
            changed = asyncio.ensure_future(self._changed.wait())
            if wake_at == float("inf"):
                await changed
                continue
            timer = asyncio.ensure_future(self._sleep(wake_at - now))
            try:
                await asyncio.wait((changed, timer), return_when=asyncio.FIRST_COMPLETED)
            finally:
                changed.cancel()
                timer.cancel()

    def _grant_what_may_go(self) -> float:
        """Let go every send that may go now, urgent lane first; returns when to look again."""
        while True:
            now = self._clock()
            if self._all_held_until > now:
                return self._all_held_until
            free_at = self._overall.free_at(now)
            paid = free_at > now
            if paid:
                if self._overflow is None:
                    return free_at
                overflow_at = self._overflow.free_at(now)
                if overflow_at > now:
                    return min(free_at, overflow_at)
            waiter = self._next_ready(now)
            if isinstance(waiter, float):
                return min(waiter, free_at) if paid else waiter
            self._grant(waiter, now, paid)

    def _next_ready(self, now: float) -> _Waiter | float:
        """The first waiter, urgent lane first, whose key has room; else when one will."""
        soonest = float("inf")
        for queue in self._queues:
            found: _Waiter | None = None
            emptied = []
            for key, waiters in queue.items():
                while waiters and waiters[0].granted.done():  # given up (cancelled)
                    waiters.popleft()
                if not waiters:
                    emptied.append(key)
                    continue
                ready_at = self._key_free_at(key, waiters[0].budget, now)
                if ready_at <= now:
                    found = waiters[0]
                    break
                soonest = min(soonest, ready_at)
            for key in emptied:
                del queue[key]
            if found is not None:
                return found
        return soonest

    def _key_free_at(self, key: Hashable, budget: Budget | None, now: float) -> float:
        held = self._held_until.get(key, 0.0)
        if held and held <= now:
            del self._held_until[key]
            held = 0.0
        free = self._window_for(key, budget).free_at(now) if budget is not None else now
        return max(held, free)

    def _window_for(self, key: Hashable, budget: Budget) -> _Window:
        stretched = budget.stretched(self.margin)
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = _Window(stretched)
        else:  # the same chat under another budget (it became a group): keep what it sent
            window.budget = stretched
        return window

    def _grant(self, waiter: _Waiter, now: float, paid: bool) -> None:
        for queue in self._queues:
            waiters = queue.get(waiter.key)
            if waiters and waiters[0] is waiter:
                waiters.popleft()
                if not waiters:
                    del queue[waiter.key]
                break
        windows = [] if paid else [self._overall]
        if self._overflow is not None:
            windows.append(self._overflow)
        if waiter.budget is not None:
            windows.append(self._window_for(waiter.key, waiter.budget))
        for window in windows:
            window.in_flight += 1
        waiter.granted.set_result(_Granted(tuple(windows), paid))
        self._since_prune += 1
        if self._since_prune >= 1024:
            self._prune(now)

    def _prune(self, now: float) -> None:
        """Forget the windows of chats with nothing recent (memory stays bounded)."""
        self._since_prune = 0
        for key in [k for k, w in self._windows.items() if w.idle(now)]:
            del self._windows[key]
