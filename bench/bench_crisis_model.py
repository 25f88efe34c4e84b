"""Benchmark the crisis screen's two stages: cost per message, and the event loop under load.

Run from the repository root::

    python bench/bench_crisis_model.py [--rounds 60] [--people 50]

Prints, for short (~30 characters), typical (~120) and long (4,000) messages, the phrase
stage's and the model stage's cost per message (p50 and p99, each stage alone, the model
called directly in this thread), then runs ``--people`` simulated people sending texts at
once through the screen as the dispatcher runs it (phrase stage on the loop, model stage on
its worker thread) and prints the event loop's longest stall, each message's screening
latency, how many model verdicts missed the turn (the phrase verdict answered it) and how
long after the message those late verdicts came (the dispatcher follows them up).
Goals (issue 14): no stall over 20 ms; model p99 under 100 ms on 2 cores.
Messages are drawn from the training split (never the test split); the long ones are made of
its negatives, joined as sentences, so the model (not the phrase screen) decides them.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from train_crisis_head import read_old, read_split  # noqa: E402

from handlers.crisis.model import MIN_WORDS, PIECE, STAGE, windows  # noqa: E402
from handlers.crisis.screen import assess_every_locale  # noqa: E402
from handlers.screening import Late, screen  # noqa: E402


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def messages(rng: random.Random) -> dict[str, list[str]]:
    try:
        rows, _ = read_split("train")
    except (SystemExit, FileNotFoundError, IndexError):
        rows, _ = read_old()
    texts = [row.text for row in rows]
    calm = [row.text for row in rows if row.label == "none"] or texts
    short = [t for t in texts if 20 <= len(t) <= 40] or texts
    typical = [t for t in texts if 100 <= len(t) <= 140] or texts
    long = []  # of negatives, so the phrase screen seldom answers first and the model runs
    for _ in range(20):
        parts: list[str] = []
        while sum(len(p) + 2 for p in parts) < 4_000:
            parts.append(rng.choice(calm))
        long.append(". ".join(parts)[:4_000])
    return {"short": short, "typical": typical, "long": long}


def timed(function: object, texts: list[str], rounds: int) -> list[float]:
    call = function  # type: ignore[assignment]
    samples = []
    for index in range(rounds):
        text = texts[index % len(texts)]
        started = time.perf_counter()
        call(text)  # type: ignore[operator]
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def under_load(sizes: dict[str, list[str]], people: int, each: int) -> None:
    rng = random.Random(3)
    stalls: list[float] = []
    latencies: dict[str, list[float]] = {"short": [], "typical": [], "long": []}
    timeouts: dict[str, int] = {"short": 0, "typical": 0, "long": 0}
    stop = asyncio.Event()
    following: list[asyncio.Task[None]] = []
    late_after: dict[str, list[float]] = {"short": [], "typical": [], "long": []}
    gave_up: dict[str, int] = {"short": 0, "typical": 0, "long": 0}

    async def follow(size: str, late: Late, started: float) -> None:
        """How long after the message a late verdict came, or that it never did."""
        if await late.wait() is None:
            gave_up[size] += 1
        else:
            late_after[size].append((time.perf_counter() - started) * 1000)

    async def watch() -> None:
        tick = 0.001
        while not stop.is_set():
            started = time.perf_counter()
            await asyncio.sleep(tick)
            stalls.append((time.perf_counter() - started - tick) * 1000)

    async def person(number: int) -> None:
        for turn in range(each):
            size = "long" if (number + turn) % 10 == 0 else rng.choice(["short", "typical"])
            text = rng.choice(sizes[size])
            answered = True  # unless the model was asked and had no verdict in time
            started = time.perf_counter()

            async def second(chunk: str, size: str = size, started: float = started) -> object:
                nonlocal answered
                verdict = await STAGE.assess(chunk)
                if isinstance(verdict, Late):
                    following.append(asyncio.create_task(follow(size, verdict, started)))
                if verdict is None or isinstance(verdict, Late):
                    answered = answered and len(PIECE.findall(chunk)) < MIN_WORDS
                return verdict

            await screen(assess_every_locale, text, second)  # type: ignore[arg-type]
            latencies[size].append((time.perf_counter() - started) * 1000)
            timeouts[size] += not answered
            await asyncio.sleep(rng.uniform(0, 0.05))

    watcher = asyncio.create_task(watch())
    started = time.perf_counter()
    await asyncio.gather(*(person(n) for n in range(people)))
    wall = time.perf_counter() - started
    await asyncio.gather(*following)
    stop.set()
    await watcher
    total = people * each
    print(
        f"{people} people x {each} messages at once ({total} messages, 10% long): {wall:.1f} s wall"
    )
    print(
        f"  event loop longest stall {max(stalls):.1f} ms (p99 {percentile(stalls, 0.99):.1f} ms)"
    )
    for size, found in latencies.items():
        print(
            f"  {size:8} screening latency p50 {percentile(found, 0.5):5.0f} ms, "
            f"p99 {percentile(found, 0.99):5.0f} ms; model verdicts timed out (phrase verdict "
            f"stood alone): {timeouts[size]} of {len(found)}"
        )
        if late_after[size] or gave_up[size]:
            came = late_after[size] or [0.0]
            print(
                f"  {'':8} late verdicts followed up: {len(late_after[size])}, p50 "
                f"{percentile(came, 0.5):5.0f} ms, max {max(came):5.0f} ms after the message; "
                f"given up: {gave_up[size]}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60, help="messages timed per size")
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--each", type=int, default=4, help="messages per person under load")
    parser.add_argument("--workers", type=int, default=STAGE.workers, help="model worker threads")
    args = parser.parse_args()
    sizes = messages(random.Random(1))
    started = time.perf_counter()
    STAGE.workers = args.workers
    STAGE.load()
    print(f"model stage loaded in {time.perf_counter() - started:.2f} s")
    head, embed = STAGE.head, STAGE._embed  # the model itself, even for messages under MIN_WORDS
    assert head is not None and embed is not None
    for text in sizes["typical"][:20]:
        assess_every_locale(text)
    print(f"{'size':8}{'chars':>6}  {'phrase p50':>11}{'p99':>9}  {'model p50':>10}{'p99':>9}")
    for name, texts in sizes.items():
        rounds = args.rounds if name != "long" else max(10, args.rounds // 3)
        phrase = timed(assess_every_locale, texts, rounds * 10)
        model = timed(lambda text: head.probabilities(embed(windows(text))), texts, rounds)
        chars = sum(len(t) for t in texts[:rounds]) // min(rounds, len(texts))
        print(
            f"{name:8}{chars:6}  {percentile(phrase, 0.5):9.2f}ms{percentile(phrase, 0.99):7.2f}ms"
            f"  {percentile(model, 0.5):8.1f}ms{percentile(model, 0.99):7.1f}ms"
        )
    asyncio.run(under_load(sizes, args.people, args.each))
    STAGE.stop()


if __name__ == "__main__":
    main()
