"""The send pacer (handlers.pacing): budgets per chat and overall, 429 holds per chat, the
urgent lane first, and every send let go exactly once. On a stepped clock: time moves only
when the test says, so each assertion is about the pacer's decisions, never the wall clock."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Hashable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.pacing import Budget, Lane, SendPacer, current_lane, in_lane
from tests.support.clock import SteppedClock, settle

PRIVATE = Budget(1, 1.0)
GROUP = Budget(20, 60.0)
TELEGRAM = Budget(30, 1.0)


class Sends:
    """Runs sends through a pacer and records when each one went (and how long it took)."""

    def __init__(self, pacer: SendPacer, clock: SteppedClock, takes: float = 0.0) -> None:
        self.pacer = pacer
        self.clock = clock
        self.takes = takes
        self.went: list[tuple[float, Hashable, str]] = []
        self.tasks: list[asyncio.Task[None]] = []

    def start(
        self, key: Hashable, budget: Budget | None, name: str = "", lane: Lane | None = None
    ) -> asyncio.Task[None]:
        async def send() -> None:
            async with self.pacer.slot(key, budget, lane):
                self.went.append((self.clock(), key, name))
                if self.takes:
                    await self.clock.sleep(self.takes)

        task = asyncio.get_running_loop().create_task(send())
        self.tasks.append(task)
        return task

    def times(self, key: Hashable | None = None) -> list[float]:
        return [t for t, k, _ in self.went if key is None or k == key]


def most_in_any_window(times: list[float], seconds: float) -> int:
    """The most sends that started within any window of ``seconds`` (half-open)."""
    times = sorted(times)
    return max(
        (sum(1 for t in times[i:] if t < start + seconds) for i, start in enumerate(times)),
        default=0,
    )


async def test_a_private_chat_gets_one_message_a_second() -> None:
    clock = SteppedClock()
    sends = Sends(SendPacer(Budget(1000, 1.0), clock=clock, sleep=clock.sleep), clock)
    for n in range(3):
        sends.start("chat-a", PRIVATE, str(n))
    await clock.run_until(10)
    assert sends.times() == [0.0, 1.0, 2.0]
    assert [name for _, _, name in sends.went] == ["0", "1", "2"]  # in the order asked


async def test_a_group_gets_twenty_a_minute() -> None:
    clock = SteppedClock()
    sends = Sends(SendPacer(TELEGRAM, clock=clock, sleep=clock.sleep), clock)
    for n in range(25):
        sends.start("group", GROUP, str(n))
    await clock.run_until(59)
    assert sends.times() == [0.0] * 20
    await clock.run_until(200)
    assert sends.times()[20:] == [60.0] * 5


async def test_the_bot_as_a_whole_keeps_its_rolling_window() -> None:
    clock = SteppedClock()
    sends = Sends(SendPacer(TELEGRAM, clock=clock, sleep=clock.sleep), clock, takes=0.01)
    for n in range(100):
        sends.start(f"chat-{n}", PRIVATE)
    await clock.run_until(0.5)
    assert len(sends.went) == 30
    await clock.run_until(10)
    assert len(sends.went) == 100
    # A window counts from when the send ended, so no rolling second ever holds more than 30.
    assert most_in_any_window(sends.times(), 1.0) == 30
    assert max(sends.times()) < 3.1  # and it keeps up the pace: 100 sends in ~3.3 windows


async def test_a_send_counts_until_its_answer_came() -> None:
    clock = SteppedClock()
    sends = Sends(SendPacer(Budget(1, 1.0), clock=clock, sleep=clock.sleep), clock, takes=0.5)
    sends.start("a", None)
    sends.start("b", None)
    await clock.run_until(5)
    assert sends.times() == [0.0, 1.5]  # the first ended at 0.5; its second starts then


async def test_the_safety_margin_stretches_each_window() -> None:
    clock = SteppedClock()
    pacer = SendPacer(Budget(1000, 1.0), margin=0.25, clock=clock, sleep=clock.sleep)
    sends = Sends(pacer, clock)
    for _ in range(3):
        sends.start("chat-a", PRIVATE)
    await clock.run_until(10)
    assert sends.times() == [0.0, 1.25, 2.5]


async def test_retry_after_for_one_chat_does_not_block_another() -> None:
    clock = SteppedClock()
    pacer = SendPacer(TELEGRAM, clock=clock, sleep=clock.sleep)
    sends = Sends(pacer, clock)
    pacer.hold("chat-a", 5.0)  # "429: retry after 5" for chat a
    sends.start("chat-a", PRIVATE, "a")
    for n in range(3):
        sends.start(f"chat-{n}", PRIVATE, f"other-{n}")
    await clock.run_until(4.9)
    assert sorted(name for _, _, name in sends.went) == ["other-0", "other-1", "other-2"]
    await clock.run_until(10)
    assert sends.went[-1] == (5.0, "chat-a", "a")


async def test_a_hold_on_the_whole_bot_stops_everyone() -> None:
    clock = SteppedClock()
    pacer = SendPacer(TELEGRAM, clock=clock, sleep=clock.sleep)
    sends = Sends(pacer, clock)
    pacer.hold_all(2.0)
    sends.start("chat-a", PRIVATE)
    sends.start("chat-b", PRIVATE)
    await clock.run_until(10)
    assert sends.times() == [2.0, 2.0]


async def test_urgent_sends_overtake_queued_scheduled_ones() -> None:
    clock = SteppedClock()
    sends = Sends(SendPacer(Budget(1, 1.0), clock=clock, sleep=clock.sleep), clock)
    for n in range(5):
        sends.start(f"person-{n}", PRIVATE, f"prompt-{n}", Lane.ROUTINE)
    await settle()
    assert [name for _, _, name in sends.went] == ["prompt-0"]  # the budget is spent
    sends.start("mentor", PRIVATE, "ping")  # no lane given: urgent is the default
    await clock.run_until(20)
    names = [name for _, _, name in sends.went]
    assert names == ["prompt-0", "ping", "prompt-1", "prompt-2", "prompt-3", "prompt-4"]
    assert sends.went[1][0] == 1.0


async def test_an_urgent_send_to_a_busy_chat_lets_others_by() -> None:
    clock = SteppedClock()
    sends = Sends(SendPacer(TELEGRAM, clock=clock, sleep=clock.sleep), clock)
    sends.start("mentor", PRIVATE, "first")
    await settle()
    sends.start("mentor", PRIVATE, "second")  # the mentor's chat has had its one this second
    sends.start("person", PRIVATE, "prompt", Lane.ROUTINE)
    await clock.run_until(0.5)
    assert [name for _, _, name in sends.went] == ["first", "prompt"]
    await clock.run_until(2)
    assert sends.went[-1] == (1.0, "mentor", "second")


async def test_the_lane_follows_the_task_and_defaults_to_urgent() -> None:
    assert current_lane() is Lane.URGENT
    with in_lane(Lane.ROUTINE):
        assert current_lane() is Lane.ROUTINE

        async def inner() -> Lane:
            return current_lane()

        assert await asyncio.create_task(inner()) is Lane.ROUTINE
        with in_lane(Lane.URGENT):
            assert current_lane() is Lane.URGENT
        assert current_lane() is Lane.ROUTINE
    assert current_lane() is Lane.URGENT


async def test_a_send_that_gives_up_waiting_takes_no_place() -> None:
    clock = SteppedClock()
    pacer = SendPacer(Budget(1, 1.0), clock=clock, sleep=clock.sleep)
    sends = Sends(pacer, clock)
    sends.start("a", None, "a")
    gives_up = sends.start("b", None, "b")
    sends.start("c", None, "c")
    await settle()
    gives_up.cancel()  # an inline ping's timeout: the due queue retries it later
    await clock.run_until(5)
    assert [(t, name) for t, _, name in sends.went] == [(0.0, "a"), (1.0, "c")]
    assert pacer.waiting() == 0


async def test_paid_overflow_goes_beyond_the_free_budget_and_says_so() -> None:
    clock = SteppedClock()
    pacer = SendPacer(Budget(2, 1.0), overflow=Budget(5, 1.0), clock=clock, sleep=clock.sleep)
    paid: list[bool] = []

    async def send(n: int) -> None:
        async with pacer.slot(f"chat-{n}", PRIVATE) as ticket:
            paid.append(ticket.paid)

    tasks = [asyncio.create_task(send(n)) for n in range(7)]
    await clock.run_until(0.5)
    assert paid == [False, False, True, True, True]  # 2 free, then 3 more paid: 5 in all
    await clock.run_until(2)
    assert len(paid) == 7 and paid[5:] == [False, False]  # a new second: free again
    await asyncio.gather(*tasks)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plan=st.lists(
        st.tuples(
            st.integers(0, 6),  # which chat (0-1 are groups)
            st.sampled_from(list(Lane)),
            st.floats(0, 3),  # when it is asked for
            st.sampled_from([0.0, 0.05, 0.3]),  # how long the platform takes to answer
        ),
        min_size=1,
        max_size=40,
    ),
    holds=st.lists(st.tuples(st.integers(0, 6), st.floats(0, 3)), max_size=3),
)
def test_every_send_goes_once_within_every_budget(
    plan: list[tuple[int, Lane, float, float]], holds: list[tuple[int, float]]
) -> None:
    async def scenario() -> None:
        clock = SteppedClock()
        pacer = SendPacer(Budget(3, 1.0), clock=clock, sleep=clock.sleep)
        went: list[tuple[float, float, int, int]] = []  # start, end, chat, send number

        async def send(number: int, chat: int, lane: Lane, at: float, takes: float) -> None:
            await clock.sleep(at)
            budget = Budget(2, 5.0) if chat < 2 else PRIVATE
            async with pacer.slot(chat, budget, lane):
                start = clock()
                await clock.sleep(takes)
                went.append((start, clock(), chat, number))

        for chat, seconds in holds:
            pacer.hold(chat, seconds)
        tasks = [
            asyncio.create_task(send(n, chat, lane, at, takes))
            for n, (chat, lane, at, takes) in enumerate(plan)
        ]
        await clock.run_until(400)
        await asyncio.gather(*tasks)
        assert Counter(number for *_, number in went) == Counter(range(len(plan)))  # once each
        for start, _, chat, number in went:  # each chat: its places, each held until its
            count, seconds = (2, 5.0) if chat < 2 else (1, 1.0)  # window after its end
            holding = [n for s, e, c, n in went if c == chat and s <= start < e + seconds - 1e-9]
            assert len(holding) <= count, (number, holding)
        for start, _, _, number in went:  # overall: 3 places, each held until 1 s after its end
            holding = [n for s, e, _, n in went if s <= start < e + 1.0 - 1e-9]
            assert len(holding) <= 3, (number, holding)

    asyncio.run(scenario())
