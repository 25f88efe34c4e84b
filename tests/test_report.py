"""The coordinator's report, checked against figures worked out by hand on a small program."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.demo_data import MENTEES, WAITING
from handlers.charts import png_size
from handlers.reporting.charts import report_charts
from handlers.reporting.format import render, to_csv, to_json, to_table
from handlers.reporting.report import (
    MIN_CELL,
    Report,
    build_report,
    collect,
    guarded,
    percentile_90,
)
from storage.base import Storage
from storage.checkins import Answer
from storage.deliveries import DeliveryStatus
from storage.goals import GoalTerm
from storage.mentoring import Trigger
from storage.people import Account, AccountAddress, Role

pytestmark = pytest.mark.backends("sqlite", "postgres")

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # a Friday
SINCE = NOW - timedelta(days=30)  # 28 Oct 15:00
LONG_AGO = NOW - timedelta(days=100)  # onboarded 19 Aug: day 30 is 18 Sep, 60 is 18 Oct...


async def person(store: Storage, key: str, role: Role, onboarded: datetime) -> int:
    account = Account(AccountAddress("test", key), person_id=0, chat_id=key)
    created = await store.create_person(account, role=role, consented_at=onboarded)
    await store.mark_onboarded(created.id, onboarded)
    return created.id


async def checkin(store: Storage, pid: int, day: str, mood: int, craving: int) -> None:
    at = datetime.fromisoformat(f"{day}T20:00:00+00:00")
    opened = await store.open_checkin(pid, date.fromisoformat(day), "scheduled", at)
    await store.record_answer(opened.id, Answer("mood", number=float(mood)), at)
    await store.record_answer(opened.id, Answer("craving", number=float(craving)), at)
    await store.complete_checkin(opened.id, at)


async def prompt(store: Storage, pid: int, day: str, status: DeliveryStatus) -> None:
    at = datetime.fromisoformat(f"{day}T19:00:00+00:00")
    await store.finish_delivery("checkin", str(pid), day, status, at, person_id=pid)


async def seed(store: Storage) -> list[int]:
    """Five long-standing mentees, one new one, two mentors and a coordinator."""
    mentees = [await person(store, f"m{n}", Role.MENTEE, LONG_AGO) for n in range(5)]
    new = await person(store, "m5", Role.MENTEE, NOW - timedelta(days=10))
    for n in range(2):
        await person(store, f"mentor{n}", Role.MENTOR, LONG_AGO)
    await person(store, "coord", Role.COORDINATOR, LONG_AGO)
    m0, m1, m2, m3, m4 = mentees
    # Retention windows (days 24-30, 54-60, 84-90 after 19 Aug).
    for pid in (m0, m1, m2, m3):
        await checkin(store, pid, "2026-09-15", 3, 5)
    for pid in (m0, m1):
        await checkin(store, pid, "2026-10-15", 3, 5)
    await checkin(store, m4, "2026-09-01", 3, 5)  # outside every window
    # The period: prompts on 10, 15 and 20 Nov for the five; answered 7 of 15.
    for n, pid in enumerate(mentees):
        await prompt(store, pid, "2026-11-10", DeliveryStatus.SENT)
        await checkin(store, pid, "2026-11-10", n + 1, 2 * (n + 1))
        await prompt(store, pid, "2026-11-15", DeliveryStatus.SENT)
        await prompt(store, pid, "2026-11-20", DeliveryStatus.MISSED)
    await checkin(store, m0, "2026-11-15", 5, 0)  # also day 88 for m0 and m3: 90-day retained
    await checkin(store, m3, "2026-11-15", 3, 4)
    await prompt(store, m0, "2026-10-01", DeliveryStatus.SENT)  # before the period
    await prompt(store, m1, "2026-11-21", DeliveryStatus.SKIPPED)  # not prompted
    await prompt(store, m2, "2026-11-22", DeliveryStatus.FAILED)  # not delivered
    # The new mentee alone in the week of 16 Nov: too few people to show.
    await checkin(store, new, "2026-11-18", 4, 3)
    await checkin(store, new, "2026-11-19", 4, 3)
    # Goals: six set in the period by five people; two reached, by two people.
    in_period = NOW - timedelta(days=5)
    for pid in (*mentees, m0):
        await store.create_goal(
            pid, title="Walk", term=GoalTerm.SHORT, target_date=None, steps=(), now=in_period
        )
    goals = await store.goals_of(m0) + await store.goals_of(m1)
    for goal in goals[1:]:
        await store.set_goal_done(goal.id, True, in_period + timedelta(days=1))
    await store.create_goal(
        m2, title="Old", term=GoalTerm.LONG, target_date=None, steps=(), now=LONG_AGO
    )
    # Craving alerts for the five, acknowledged after 10..50 minutes; one SOS, open.
    for n, pid in enumerate(mentees):
        raised = NOW - timedelta(days=3, hours=n)
        alert, _ = await store.create_alert(pid, Trigger.CRAVING, raised)
        await store.ack_alert(alert.id, pid, raised + timedelta(minutes=10 * (n + 1)))
    await store.create_alert(m0, Trigger.SOS, NOW - timedelta(days=1))
    await store.create_alert(m1, Trigger.USE, NOW - timedelta(days=60))  # before the period
    return mentees


async def report_of(store: Storage) -> Report:
    return build_report(await collect(store, "Test Program", SINCE, NOW))


def values(report: Report, key: str, group: str) -> dict[str, object]:
    section = next(s for s in report.sections if s.key == key)
    row = next(r for r in section.rows if r.group == group)
    return {**row.values, "_note": row.note, "_people": row.people, "_hidden": row.hidden}


async def test_figures_match_the_hand_count(storage: Storage) -> None:
    await seed(storage)
    report = await report_of(storage)
    assert not report.empty
    mentees = values(report, "people", "mentee")
    assert mentees["people"] == 6 and mentees["_hidden"] == {"joined"}  # 1 joined: hidden
    assert mentees["stopped"] == 0
    assert values(report, "people", "mentee")["joined"] is None
    assert values(report, "people", "mentor")["_hidden"] == {"people"}  # 2 mentors
    assert values(report, "people", "facilitator")["people"] == 0  # none: safe to say

    completion = values(report, "completion", "all")
    assert (completion["prompted"], completion["answered"]) == (15, 7)
    assert completion["rate"] == round(7 / 15, 3) and completion["_people"] == 5

    assert values(report, "retention", "30 days")["retained"] == 4
    assert values(report, "retention", "30 days")["rate"] == 0.8
    assert values(report, "retention", "60 days")["rate"] == 0.4
    ninety = values(report, "retention", "90 days")
    assert (ninety["eligible"], ninety["retained"], ninety["rate"]) == (5, 2, 0.4)

    week = values(report, "trends", "2026-11-09")  # 10 Nov (5) and 15 Nov (2): 7 check-ins
    assert week["check-ins"] == 7 and week["_people"] == 5
    assert week["mood avg (1-5)"] == round(23 / 7, 1)  # 1+2+3+4+5 + 5+3
    assert week["craving avg (0-10)"] == round(34 / 7, 1)  # 2+4+6+8+10 + 0+4
    lonely = values(report, "trends", "2026-11-16")
    assert lonely["_note"] == "suppressed" and lonely["mood avg (1-5)"] is None

    cravings = values(report, "escalations", "craving")
    assert (cravings["alerts"], cravings["acknowledged"], cravings["not acknowledged"]) == (5, 5, 0)
    assert cravings["median min to ack"] == 30.0  # 10, 20, 30, 40, 50
    assert cravings["p90 min to ack"] == 46.0  # interpolated between 40 and 50
    assert values(report, "escalations", "sos")["_note"] == "suppressed"
    assert "use" not in [r.group for s in report.sections for r in s.rows if s.key == "escalations"]

    goals_set = values(report, "goals", "set in period")
    assert (goals_set["set"], goals_set["_people"]) == (6, 5)
    assert values(report, "goals", "reached in period")["_note"] == "suppressed"  # 2 people

    circles = next(s for s in report.sections if s.key == "circles")
    assert circles.note == "no data yet" and not circles.rows


async def test_csv_reads_back_with_the_csv_module(storage: Storage) -> None:
    await seed(storage)
    text = to_csv(await report_of(storage))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["section", "group", "metric", "value", "people", "note"]
    found = {(r["section"], r["group"], r["metric"]): r for r in rows}
    rate = found[("completion", "all", "rate")]
    assert float(rate["value"]) == round(7 / 15, 3) and rate["people"] == "5"
    assert found[("retention", "90 days", "retained")]["value"] == "2"
    hidden = found[("people", "mentee", "joined")]
    assert hidden["value"] == "" and hidden["note"] == "suppressed"
    assert found[("people", "mentee", "stopped")]["note"] == ""
    assert found[("circles", "", "")]["note"] == "no data yet"
    assert ("goals", "reached in period", "set") in found  # suppressed cells are listed
    assert ("goals", "set in period", "reached") not in found  # figures a row has not: omitted


async def test_table_and_json(storage: Storage) -> None:
    await seed(storage)
    report = await report_of(storage)
    table = to_table(report)
    assert "Test Program: outcomes from 2026-10-28 to 2026-11-27" in table
    assert "46.7%" in table and "suppressed" in table and "no data yet" in table
    document = json.loads(to_json(report))
    assert document["min_cell"] == MIN_CELL and document["empty"] is False
    completion = next(s for s in document["sections"] if s["key"] == "completion")
    assert completion["rows"][0]["values"]["answered"] == 7
    assert render(report, "csv") == to_csv(report)


async def test_an_empty_program_says_so(storage: Storage) -> None:
    report = await report_of(storage)
    assert report.empty and report.sections == ()
    assert "no one in it yet" in to_table(report)
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert len(rows) == 1 and "no one in it yet" in rows[0]["note"]
    assert json.loads(to_json(report))["empty"] is True
    assert report_charts(report) == []


async def test_a_program_too_small_to_show_anything(storage: Storage) -> None:
    mentees = [await person(storage, f"m{n}", Role.MENTEE, LONG_AGO) for n in range(3)]
    for pid in mentees:
        await prompt(storage, pid, "2026-11-10", DeliveryStatus.SENT)
        await checkin(storage, pid, "2026-11-10", 4, 2)
    report = await report_of(storage)
    assert values(report, "completion", "all")["_note"] == "suppressed"
    assert values(report, "completion", "all")["rate"] is None
    assert values(report, "retention", "30 days")["_note"] == "suppressed"
    assert values(report, "people", "mentee")["_hidden"] == {"people"}
    assert "3" not in [str(v) for v in values(report, "completion", "all").values()]


def test_guarded_and_percentile() -> None:
    assert guarded("g", 4, {"x": 1}).note == "suppressed"
    assert guarded("g", 0, {"x": 1}).note == "no data yet"
    assert guarded("g", 5, {"x": 1}).values == {"x": 1}
    assert percentile_90([7.0]) == 7.0
    assert percentile_90([10.0, 20.0]) == 19.0


async def test_report_charts_are_pngs(storage: Storage) -> None:
    await seed(storage)
    charts = report_charts(await report_of(storage))
    assert [c.name for c in charts] == ["weekly-trends.png", "retention.png", "ack-times.png"]
    for chart in charts:
        assert png_size(chart.png) == (1200, 800) and chart.alt_text
    assert "30 days: 80% of 5 mentees." in charts[1].alt_text
    assert "craving: median 30.0 minutes, 90th percentile 46.0 minutes." in charts[2].alt_text


def test_cli_demo_data_then_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "demo.db"
    chart = tmp_path / "docs" / "demo-progress.png"
    chart.parent.mkdir()  # demo-data makes no folders
    assert main(["demo-data", "--database", str(database), "--progress-chart", str(chart)]) == 0
    assert png_size(chart.read_bytes()) == (1080, 1350)
    assert chart.with_suffix(".txt").read_text(encoding="utf-8").startswith("Chart of your mood")
    assert main(["demo-data", "--database", str(database)]) == 2  # never seeds twice
    capsys.readouterr()
    charts = tmp_path / "charts"
    args = ["report", "--database", str(database), "--since", "90d", "--format", "csv"]
    assert main([*args, "--charts", str(charts)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    sections = {r["section"] for r in rows}
    assert {"people", "completion", "retention", "trends", "escalations", "goals"} <= sections
    mentees = next(r for r in rows if r["section"] == "people" and r["metric"] == "people")
    assert mentees["group"] == "mentee" and mentees["value"] == str(MENTEES + WAITING)
    assert (charts / "retention.png").exists() and (charts / "retention.txt").exists()
    assert main(["report", "--database", str(database), "--since", "soon"]) == 2


def test_report_in_spanish(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``peerbot report --lang es``: the table's headings and the charts' alt texts in Spanish,
    the default still English."""
    database = tmp_path / "demo.db"
    assert main(["demo-data", "--database", str(database)]) == 0
    capsys.readouterr()
    charts = tmp_path / "graficos"
    args = ["report", "--database", str(database), "--since", "90d"]
    assert main([*args, "--lang", "es", "--charts", str(charts)]) == 0
    table = capsys.readouterr().out
    assert "resultados del" in table and "Permanencia" in table
    assert "Retention" not in table
    alt = (charts / "retention.txt").read_text(encoding="utf-8")
    assert alt.startswith("Gráfico de barras de permanencia.")
    assert main(args) == 0
    assert "Retention" in capsys.readouterr().out
    assert main([*args, "--lang", "xx"]) == 2  # not a language we speak: one clear line
    assert "is not a language the bot speaks" in capsys.readouterr().err
