"""``/progress [days]``: a chart of one's mood and cravings, the streak, and missed days.

The chart is a PNG (matplotlib, Agg, drawn off the event loop) sized for a phone held upright,
in the colour-blind-safe Okabe-Ito palette with a different marker per series. Its alt text
says the same facts in words, for screen readers and for platforms that show it as a caption.
Someone with nothing to chart gets a kind sentence instead of an empty picture.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from handlers import charts
from handlers.checkins import progress_texts as texts
from handlers.context import Capability, CommandSpec, Context, Replies, Turn
from handlers.messaging import Image, OutgoingMessage
from handlers.numbers import read_whole
from handlers.profile import DateStyle, format_date, local_today
from handlers.texts.plurals import DAY, counted
from storage.people import Person, Role
from storage.reporting import DailyScore

EVERYONE = frozenset(Role)
DEFAULT_DAYS = 30
MIN_DAYS = 7
MAX_DAYS = 365
MAX_MISSED_NAMED = 6
MISSED_COLOUR = "#555555"


@dataclass(frozen=True, slots=True)
class ProgressData:
    """What one chart shows: a window of local dates ending today."""

    start: date
    end: date
    scores: tuple[DailyScore, ...]
    missed: tuple[date, ...]
    """Days a check-in was prompted and not answered (today never counts yet)."""
    streak_days: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


async def gather(ctx: Context, person: Person, days: int) -> ProgressData:
    today, _ = await local_today(ctx, person.id)
    start = today - timedelta(days=days - 1)
    scores = await ctx.storage.daily_scores(person.id, start, today)
    prompted = await ctx.storage.prompted_days(person.id, start, today)
    answered = {score.local_date for score in scores}
    missed = tuple(day for day in prompted if day not in answered and day < today)
    streak = (today - person.streak_start).days + 1 if person.streak_start else None
    return ProgressData(start, today, tuple(scores), missed, streak)


def day_count(n: int) -> str:
    return counted(DAY, n)


def alt_text(data: ProgressData) -> str:
    """Every fact the chart shows, in words."""
    parts = [
        texts.ALT_INTRO.format(
            days=data.days, start=show_date(data.start), end=show_date(data.end)
        ),
        texts.ALT_CHECKED.format(checked=day_count(len(data.scores))),
    ]
    ordered = sorted(data.scores, key=lambda s: s.local_date)
    moods = [s.mood for s in ordered if s.mood is not None]
    cravings = [s.craving for s in ordered if s.craving is not None]
    if moods:
        parts.append(
            _describe(texts.ALT_MOOD, moods, 0.3, texts.ALT_TREND_UP, texts.ALT_TREND_DOWN)
        )
    if cravings:
        parts.append(
            _describe(
                texts.ALT_CRAVING,
                cravings,
                0.5,
                texts.ALT_TREND_CRAVING_UP,
                texts.ALT_TREND_CRAVING_DOWN,
            )
        )
    if data.missed:
        named = ", ".join(show_date(d) for d in data.missed[:MAX_MISSED_NAMED])
        if len(data.missed) > MAX_MISSED_NAMED:
            named = texts.ALT_MISSED_MORE.format(
                dates=named, more=len(data.missed) - MAX_MISSED_NAMED
            )
        parts.append(texts.ALT_MISSED.format(count=len(data.missed), dates=named))
    else:
        parts.append(texts.ALT_MISSED_NONE)
    if data.streak_days:
        parts.append(texts.ALT_STREAK.format(streak=day_count(data.streak_days)))
    return " ".join(parts)


def _describe(template: str, values: list[float], flat: float, up: str, down: str) -> str:
    sentence = template.format(
        avg=_number(statistics.fmean(values)), low=_number(min(values)), high=_number(max(values))
    )
    if len(values) < 4:
        return sentence + texts.ALT_NO_TREND
    half = len(values) // 2
    first, second = statistics.fmean(values[:half]), statistics.fmean(values[half:])
    if abs(second - first) < flat:
        return sentence + texts.ALT_TREND_FLAT
    trend = up if second > first else down
    return sentence + trend.format(first=_number(first), second=_number(second))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def show_date(day: date) -> str:
    return format_date(day, DateStyle.DAY_MONTH)


async def progress_png(data: ProgressData) -> bytes:
    """The chart as a PNG, drawn in a worker thread (see :func:`handlers.charts.render`)."""
    return await charts.render(lambda: draw_progress(data))


def draw_progress(data: ProgressData) -> bytes:
    """Draw the chart, on whatever thread calls it: the import is here, not at the top, so
    matplotlib (~0.5-0.8 s to load) is loaded on the first chart, in the worker that draws it,
    never on the event loop nor by a command that draws nothing."""
    from handlers.checkins.progress_chart import draw_chart

    return draw_chart(data)


async def progress_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    assert turn.person is not None
    days = DEFAULT_DAYS
    if args:
        asked = read_whole(args[0], max_digits=4)
        if asked is None or not MIN_DAYS <= asked <= MAX_DAYS:
            return [OutgoingMessage(texts.BAD_DAYS.format(low=MIN_DAYS, high=MAX_DAYS))]
        days = asked
    data = await gather(ctx, turn.person, days)
    if not data.scores:
        earlier = await ctx.storage.daily_scores(turn.person.id, date.min, data.start)
        if not earlier:
            return [OutgoingMessage(texts.NOTHING_YET)]
        return [OutgoingMessage(texts.NOTHING_IN_WINDOW.format(days=days))]
    png = await progress_png(data)
    return [
        OutgoingMessage(
            texts.HERE_IT_IS.format(days=days),
            image=Image(png=png, alt_text=alt_text(data), filename="progress.png"),
        )
    ]


CAPABILITY = Capability(
    commands=(
        CommandSpec(
            "progress",
            "see a chart of your mood and cravings",
            progress_command,
            EVERYONE,
            arg_hint="[days]",
        ),
    ),
)
