"""Charts of the report (``peerbot report --charts DIR``), each with an alt text.

Drawn only from the report's rows, so a suppressed figure can never reach a chart either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from handlers import charts
from handlers.reporting import texts
from handlers.reporting.report import MIN_CELL, Report, Section


@dataclass(frozen=True, slots=True)
class Chart:
    name: str
    png: bytes
    alt_text: str


def _section(report: Report, key: str) -> Section | None:
    return next((s for s in report.sections if s.key == key), None)


def report_charts(report: Report) -> list[Chart]:
    """Every chart the report has data for. Draw through ``charts.render`` (one at a time)."""
    found = []
    for key, draw in (("trends", _trends), ("retention", _retention), ("escalations", _acks)):
        section = _section(report, key)
        if section is not None and any(row.values and not row.note for row in section.rows):
            found.append(draw(section))
    return found


def _trends(section: Section) -> Chart:
    figure = charts.new_figure(charts.LANDSCAPE)
    mood_ax, craving_ax = figure.subplots(2, 1, sharex=True)
    x = list(range(len(section.rows)))
    mood = [_value(r.values.get(texts.COL_MOOD)) for r in section.rows]
    craving = [_value(r.values.get(texts.COL_CRAVING)) for r in section.rows]
    mood_ax.plot(x, mood, color=charts.BLUE, marker="o", linewidth=2.5)
    craving_ax.plot(x, craving, color=charts.VERMILLION, marker="s", linewidth=2.5)
    for ax, label, limits in (
        (mood_ax, texts.MOOD, (1.0, 5.0)),
        (craving_ax, texts.CRAVING, (0.0, 10.0)),
    ):
        ax.set_ylim(*limits)
        ax.set_ylabel(label, fontsize=13)
        ax.grid(axis="y", color="#DDDDDD")
        ax.tick_params(labelsize=12)
        for n, row in enumerate(section.rows):
            if row.note:
                ax.axvspan(n - 0.5, n + 0.5, color=charts.GREY, alpha=0.3, linewidth=0)
    step = max(1, math.ceil(len(x) / 8))
    craving_ax.set_xticks(x[::step], [section.rows[n].group[5:] for n in x[::step]])
    craving_ax.set_xlabel(texts.WEEK_OF, fontsize=13)
    figure.suptitle(texts.CHART_TRENDS_TITLE, fontsize=18, fontweight="bold")
    weeks = " ".join(
        texts.CHART_TRENDS_SUPPRESSED.format(week=r.group, n=MIN_CELL)
        if r.note
        else texts.CHART_TRENDS_WEEK.format(
            week=r.group,
            mood=r.values.get(texts.COL_MOOD),
            craving=r.values.get(texts.COL_CRAVING),
            people=r.people,
        )
        for r in section.rows
    )
    return Chart(
        "weekly-trends.png", charts.to_png(figure), texts.CHART_TRENDS_ALT.format(weeks=weeks)
    )


def _retention(section: Section) -> Chart:
    figure = charts.new_figure(charts.LANDSCAPE)
    ax = figure.subplots()
    labels = [r.group for r in section.rows]
    rates = [_value(r.values.get(texts.COL_RATE)) for r in section.rows]
    heights = [0.0 if math.isnan(v) else v * 100 for v in rates]
    bars = ax.bar(labels, heights, color=charts.BLUE, width=0.6)
    for bar, row, rate in zip(bars, section.rows, rates, strict=True):
        text = row.note or f"{rate * 100:.0f}%"
        ax.annotate(
            text,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=14,
            xytext=(0, 4),
            textcoords="offset points",
        )
    ax.set_ylim(0, 110)
    ax.set_ylabel(f"{texts.RATE} (%)", fontsize=13)
    ax.tick_params(labelsize=13)
    figure.suptitle(texts.CHART_RETENTION_TITLE, fontsize=18, fontweight="bold")
    alt = " ".join(
        texts.CHART_RETENTION_HIDDEN.format(days=r.group, status=r.note)
        if r.note
        else texts.CHART_RETENTION_BAR.format(
            days=r.group, rate=f"{(r.values.get(texts.COL_RATE) or 0) * 100:.0f}%", people=r.people
        )
        for r in section.rows
    )
    return Chart("retention.png", charts.to_png(figure), texts.CHART_RETENTION_ALT.format(bars=alt))


def _acks(section: Section) -> Chart:
    rows = [r for r in section.rows if not r.note and r.values.get(texts.COL_MEDIAN) is not None]
    figure = charts.new_figure(charts.LANDSCAPE)
    ax = figure.subplots()
    x = list(range(len(rows)))
    medians = [_value(r.values.get(texts.COL_MEDIAN)) for r in rows]
    p90s = [_value(r.values.get(texts.COL_P90)) for r in rows]
    ax.bar([n - 0.2 for n in x], medians, width=0.4, color=charts.BLUE, label=texts.MEDIAN)
    ax.bar([n + 0.2 for n in x], p90s, width=0.4, color=charts.ORANGE, hatch="//", label=texts.P90)
    ax.set_xticks(x, [r.group for r in rows])
    ax.set_ylabel(texts.MINUTES, fontsize=13)
    ax.tick_params(labelsize=12)
    ax.legend(fontsize=12, frameon=False)
    figure.suptitle(texts.CHART_ACK_TITLE, fontsize=18, fontweight="bold")
    alt = " ".join(
        texts.CHART_ACK_BAR.format(
            trigger=r.group, median=r.values.get(texts.COL_MEDIAN), p90=r.values.get(texts.COL_P90)
        )
        for r in rows
    )
    return Chart("ack-times.png", charts.to_png(figure), texts.CHART_ACK_ALT.format(bars=alt))


def _value(value: object) -> float:
    return float(value) if isinstance(value, int | float) else math.nan
