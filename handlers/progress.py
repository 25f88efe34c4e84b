"""``/progress [days]``: a chart of one's mood and cravings, the streak, and missed days.

The chart is a PNG (matplotlib, Agg, drawn off the event loop) sized for a phone held upright,
in the colour-blind-safe Okabe-Ito palette with a different marker per series. Its alt text
says the same facts in words, for screen readers and for platforms that show it as a caption.
Someone with nothing to chart gets a kind sentence instead of an empty picture.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from handlers import charts
from handlers.checkin import local_today
from handlers.context import Capability, CommandSpec, Context, Replies, Turn
from handlers.messaging import Image, OutgoingMessage
from handlers.texts import progress as texts
from storage.models import Person, Role
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


def _days(n: int) -> str:
    return texts.DAY_COUNT.get(n) or texts.DAYS.format(n=n)


def draw_chart(data: ProgressData) -> bytes:
    """The chart as PNG bytes, ``charts.PHONE_PORTRAIT`` pixels. Call through ``charts.render``."""
    figure = charts.new_figure(charts.PHONE_PORTRAIT)
    mood_ax, craving_ax = figure.subplots(2, 1, sharex=True)
    days = [data.start + timedelta(days=n) for n in range(data.days)]
    x = list(range(data.days))  # day numbers; the ticks are labelled with dates below
    by_day = {score.local_date: score for score in data.scores}

    def series(pick: str) -> list[float]:
        values = []
        for day in days:
            value = getattr(by_day[day], pick) if day in by_day else None
            values.append(math.nan if value is None else float(value))
        return values

    mood_ax.plot(x, series("mood"), color=charts.BLUE, marker="o", linewidth=2.5, markersize=7)
    craving_ax.plot(
        x, series("craving"), color=charts.VERMILLION, marker="s", linewidth=2.5, markersize=6
    )
    _style(mood_ax, texts.MOOD_AXIS, (0.5, 5.5), [1, 2, 3, 4, 5], data)
    _style(craving_ax, texts.CRAVING_AXIS, (-0.5, 10.5), [0, 2, 4, 6, 8, 10], data)
    step = 7 if data.days <= 45 else 14 if data.days <= 100 else 30 if data.days <= 200 else 61
    ticks = list(range(data.days - 1, -1, -step))[::-1]
    craving_ax.set_xticks(ticks, [_show(days[n]) for n in ticks])
    figure.suptitle(texts.CHART_TITLE.format(days=data.days), fontsize=22, fontweight="bold")
    checked, total = len(data.scores), data.days
    subtitle = (
        texts.CHART_SUBTITLE_STREAK.format(
            streak=_days(data.streak_days), checked=checked, days=total
        )
        if data.streak_days
        else texts.CHART_SUBTITLE.format(checked=checked, days=total)
    )
    mood_ax.set_title(subtitle, fontsize=14, color=charts.INK, loc="left", pad=10)
    handles: list[Artist | tuple[Artist, ...]] = [
        Line2D([], [], color=charts.BLUE, marker="o", linewidth=2.5, label=texts.MOOD_LEGEND),
        Line2D(
            [], [], color=charts.VERMILLION, marker="s", linewidth=2.5, label=texts.CRAVING_LEGEND
        ),
    ]
    if data.missed:
        handles.append(
            (
                Patch(facecolor=charts.GREY, alpha=0.35, label=texts.MISSED_LEGEND),
                Line2D(
                    [],
                    [],
                    color=MISSED_COLOUR,
                    marker="x",
                    markersize=8,
                    markeredgewidth=2,
                    linestyle="none",
                ),
            )
        )
    figure.legend(
        handles=handles,
        labels=[texts.MOOD_LEGEND, texts.CRAVING_LEGEND, texts.MISSED_LEGEND][: len(handles)],
        loc="outside lower center",
        ncols=len(handles),
        fontsize=13,
        frameon=False,
    )
    return charts.to_png(figure)


def _style(
    ax: Axes, label: str, limits: tuple[float, float], ticks: Sequence[int], data: ProgressData
) -> None:
    ax.set_ylim(*limits)
    ax.set_yticks(list(ticks))
    ax.set_ylabel(label, fontsize=14, color=charts.INK)
    ax.tick_params(labelsize=13, colors=charts.INK)
    ax.grid(axis="y", color="#DDDDDD", linewidth=1)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlim(-0.5, data.days - 0.5)
    missed = [(day - data.start).days for day in data.missed]
    for n in missed:
        ax.axvspan(n - 0.5, n + 0.5, color=charts.GREY, alpha=0.35, linewidth=0)
    if missed:
        ax.plot(
            missed,
            [limits[0] + 0.25] * len(missed),
            linestyle="none",
            marker="x",
            markersize=8,
            markeredgewidth=2,
            color=MISSED_COLOUR,
        )


def alt_text(data: ProgressData) -> str:
    """Every fact the chart shows, in words."""
    parts = [
        texts.ALT_INTRO.format(days=data.days, start=_show(data.start), end=_show(data.end)),
        texts.ALT_CHECKED.format(checked=_days(len(data.scores))),
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
        named = ", ".join(_show(d) for d in data.missed[:MAX_MISSED_NAMED])
        if len(data.missed) > MAX_MISSED_NAMED:
            named = texts.ALT_MISSED_MORE.format(
                dates=named, more=len(data.missed) - MAX_MISSED_NAMED
            )
        parts.append(texts.ALT_MISSED.format(count=len(data.missed), dates=named))
    else:
        parts.append(texts.ALT_MISSED_NONE)
    if data.streak_days:
        parts.append(texts.ALT_STREAK.format(streak=_days(data.streak_days)))
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


def _show(day: date) -> str:
    return f"{day:%-d %b}"


async def progress_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    assert turn.person is not None
    days = DEFAULT_DAYS
    if args:
        if not args[0].isdigit() or not MIN_DAYS <= int(args[0]) <= MAX_DAYS:
            return [OutgoingMessage(texts.BAD_DAYS.format(low=MIN_DAYS, high=MAX_DAYS))]
        days = int(args[0])
    data = await gather(ctx, turn.person, days)
    if not data.scores:
        earlier = await ctx.storage.daily_scores(turn.person.id, date.min, data.start)
        if not earlier:
            return [OutgoingMessage(texts.NOTHING_YET)]
        return [OutgoingMessage(texts.NOTHING_IN_WINDOW.format(days=days))]
    png = await charts.render(lambda: draw_chart(data))
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
