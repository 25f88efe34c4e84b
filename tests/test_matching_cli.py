"""The coordinator's command line for matching and training, on the demo program
(``peerbot demo-data``): suggestions with reasons and nothing paired until ``peerbot pair``,
who is due or lapsed, and outcomes broken down by match with small cells suppressed."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest

from bot.cli import main
from handlers.reporting import texts as report_texts
from handlers.reporting.by_match import MatchInputs, by_match_sections
from storage.matching import MatchPair, MatchProfile, Pathway, PersonCompletion, PersonRetention
from storage.sqlite import SqliteStorage


async def _active_pairings(path: Path) -> int:
    store = SqliteStorage(path)
    await store.open()
    try:
        return len(await store.active_pairings())
    finally:
        await store.close()


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    database = tmp_path / "demo.db"
    assert main(["demo-data", "--database", str(database)]) == 0
    assert "4 mentees waiting for a mentor" in capsys.readouterr().out
    return database


def test_suggestions_on_the_demo_pair_nobody_until_approved(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = asyncio.run(_active_pairings(demo))
    assert main(["match", "--suggest", "--database", str(demo)]) == 0
    out = capsys.readouterr().out
    # Rae wants a Spanish speaker on medication-assisted recovery; Jun a woman (12-step).
    assert "speaks Spanish · medication-assisted recovery" in out
    assert "(asked for a different mentor)" in out
    assert "approve: peerbot pair" in out
    assert asyncio.run(_active_pairings(demo)) == before
    first = next(line for line in out.splitlines() if "approve: peerbot pair" in line)
    mentee, mentor = first.split()[-2:]
    assert main(["pair", mentee, mentor, "--database", str(demo)]) == 0
    assert asyncio.run(_active_pairings(demo)) == before + 1
    capsys.readouterr()
    assert main(["match", "--database", str(demo)]) == 2
    assert "nothing is paired without it" in capsys.readouterr().err
    assert main(["match", "--suggest", "--mentee", "99999", "--database", str(demo)]) == 1
    assert "is not a mentee" in capsys.readouterr().err


def test_training_lists_who_is_due(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["training", "--database", str(demo)]) == 0
    out = capsys.readouterr().out
    assert "Expiring soon: Naloxone" in out and "Expired: Naloxone" in out
    assert main(["training", "--due", "--database", str(demo)]) == 0
    due = capsys.readouterr().out
    assert due.count(" due ") == 2 and " ok " not in due


def test_report_by_match_on_the_demo(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["report", "--database", str(demo), "--since", "90d", "--format", "csv", "--by-match"]
    assert main(args) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    groups = {r["group"] for r in rows if r["section"] == "completion_by_match"}
    assert {"pathway: same", "pathway: different", "language: same"} <= groups
    assert {r["section"] for r in rows} >= {"completion_by_match", "retention_by_match"}


def test_report_by_match_in_spanish(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--lang es --by-match``: the breakdown's headings and group labels come through the
    catalogue like the rest of the report; the section keys tools read stay the same."""
    args = ["report", "--database", str(demo), "--since", "90d", "--by-match", "--lang", "es"]
    assert main([*args, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    groups = {r["group"] for r in rows if r["section"] == "completion_by_match"}
    assert {"camino: igual", "camino: distinto", "idioma: igual"} <= groups
    assert not any("pathway" in group or "language" in group for group in groups)
    assert main(args) == 0
    table = capsys.readouterr().out
    assert "Registros diarios completados por emparejamiento" in table
    assert "Permanencia a 30 días por emparejamiento" in table
    assert "by match" not in table


def test_by_match_suppresses_small_groups() -> None:
    pairs = [MatchPair(mentee, 1) for mentee in range(10, 17)]
    smart = frozenset({Pathway.SMART})
    profiles = {1: MatchProfile(1, pathways=smart)}
    profiles |= {m: MatchProfile(m, pathways=smart) for m in range(10, 15)}  # five the same
    profiles |= {m: MatchProfile(m, pathways=frozenset({Pathway.FAITH})) for m in (15, 16)}
    completion = [PersonCompletion(m, 10, 5 if m < 15 else 9) for m in range(10, 17)]
    retention = [PersonRetention(m, m % 2 == 0) for m in range(10, 17)]
    done, kept = by_match_sections(MatchInputs(pairs, profiles, completion, retention))
    rows = {row.group: row for row in done.rows}
    same = rows["pathway: same"]
    assert same.values == {"prompted": 50, "answered": 25, "rate": 0.5} and same.people == 5
    different = rows["pathway: different"]  # two people: withheld
    assert set(different.values.values()) == {None} and different.note == report_texts.SUPPRESSED
    assert rows["pathway: unknown"].note == report_texts.NO_DATA
    assert rows["language: unknown"].people == 7
    kept_rows = {row.group: row for row in kept.rows}
    assert kept_rows["pathway: same"].values["retained"] == 3  # 10, 12, 14
