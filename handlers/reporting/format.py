"""The report as a plain-text table, CSV (one figure per line) or JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from handlers.reporting import texts
from handlers.reporting.report import MIN_CELL, Report, ReportRow, Section, Value

CSV_HEADER = ("section", "group", "metric", "value", "people", "note")
FORMATS = ("table", "csv", "json")


def render(report: Report, fmt: str) -> str:
    if fmt == "csv":
        return to_csv(report)
    if fmt == "json":
        return to_json(report)
    return to_table(report)


def _title(report: Report) -> str:
    return texts.TITLE.format(
        program=report.program,
        since=f"{report.since:%Y-%m-%d}",
        until=f"{report.until:%Y-%m-%d}",
    )


def _cell(row: ReportRow, column: str, *, percent: bool) -> str:
    value = row.values.get(column)
    if value is None:
        return row.note_for(column) or "-"
    if percent and column == texts.COL_RATE:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def to_table(report: Report) -> str:
    lines = [_title(report)]
    if report.empty:
        return "\n".join([*lines, "", texts.EMPTY]) + "\n"
    lines.append(texts.SUPPRESSION_NOTE.format(n=MIN_CELL))
    for section in report.sections:
        lines += ["", section.title]
        if section.note:
            lines.append(f"  {section.note}")
        if section.rows:
            lines += _grid(section)
    return "\n".join(lines) + "\n"


def _grid(section: Section) -> list[str]:
    header = [texts.GROUP, *section.columns]
    body = [
        [row.group, *(_cell(row, c, percent=True) for c in section.columns)] for row in section.rows
    ]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  " + "  ".join([first, *rest])

    return [line(header), *(line(r) for r in body)]


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    if report.empty:
        writer.writerow(("program", "", "", "", "", texts.EMPTY))
        return out.getvalue()
    for section in report.sections:
        if not section.rows:
            writer.writerow((section.key, "", "", "", "", section.note))
        for row in section.rows:
            for column in section.columns:
                value: Value = row.values.get(column)
                note = "" if value is not None else row.note_for(column)
                if value is None and not note:
                    continue  # a figure this row does not have (e.g. "set" on reached goals)
                people = "" if row.people is None else row.people
                shown = "" if value is None else value
                writer.writerow((section.key, row.group, column, shown, people, note))
    return out.getvalue()


def to_json(report: Report) -> str:
    document: dict[str, Any] = {
        "program": report.program,
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "min_cell": MIN_CELL,
        "empty": report.empty,
    }
    if report.empty:
        document["message"] = texts.EMPTY
    document["sections"] = [
        {
            "key": s.key,
            "title": s.title,
            "note": s.note,
            "columns": list(s.columns),
            "rows": [
                {
                    "group": r.group,
                    "people": r.people,
                    "note": r.note,
                    "suppressed": sorted(r.hidden),
                    "values": r.values,
                }
                for r in s.rows
            ],
        }
        for s in report.sections
    ]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def cell_text(row: ReportRow, column: str) -> str:
    """One cell as the table shows it (a rate as a percentage; a withheld value's reason),
    for other renderings of the report such as the dashboard's page."""
    return _cell(row, column, percent=True)
