"""Drawing the /progress chart (matplotlib is imported here, on the first chart only)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from handlers import charts
from handlers.checkins import progress_texts as texts
from handlers.checkins.progress import MISSED_COLOUR, ProgressData, day_count, show_date


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
    craving_ax.set_xticks(ticks, [show_date(days[n]) for n in ticks])
    figure.suptitle(texts.CHART_TITLE.format(days=data.days), fontsize=22, fontweight="bold")
    checked, total = len(data.scores), data.days
    subtitle = (
        texts.CHART_SUBTITLE_STREAK.format(
            streak=day_count(data.streak_days), checked=checked, days=total
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
