"""The data key (issue 13, item 4): a database knows which key its text was encrypted with.

A missing or wrong ``PEERBOT_DATA_KEY``, or a key set over plain text that was never
encrypted, stops ``peerbot run`` and every command that opens the database with one line on
stderr and exit status 2, before anything is written. ``peerbot rotate-key`` moves a
database from plain text (or an old key) to the new key.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from storage.crypto import TextCipher
from storage.sqlite import SqliteStorage
from tests.support import FakeClock
from tests.support.privacy import FREE_TEXT, NOTE, build_world, raw_bytes

KEY = TextCipher.generate_key()
OTHER_KEY = TextCipher.generate_key()


@dataclass(frozen=True)
class Templates:
    plain: Path
    encrypted: Path
    """Encrypted with ``KEY``."""
    subject: int
    mentor: int


def _build(path: Path, cipher: TextCipher | None) -> tuple[int, int]:
    async def build() -> tuple[int, int]:
        storage = SqliteStorage(path, cipher=cipher)
        await storage.open()
        try:
            world = await build_world(storage, FakeClock(datetime(2026, 11, 27, 15, tzinfo=UTC)))
            return world.subject_id, world.mentor_id
        finally:
            await storage.close()

    return asyncio.run(build())


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    folder = tmp_path_factory.mktemp("key-templates")
    subject, mentor = _build(folder / "plain.db", None)
    _build(folder / "encrypted.db", TextCipher(KEY))
    return Templates(folder / "plain.db", folder / "encrypted.db", subject, mentor)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in ("PEERBOT_DATA_KEY", "PEERBOT_DATA_KEY_OLD", "PEERBOT_TELEGRAM_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("PEERBOT_DISCORD_TOKEN", raising=False)
    path = tmp_path / "program.db"
    monkeypatch.setenv("PEERBOT_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.chdir(tmp_path)
    # `peerbot run` with no token is the console: give it no input, so a start that is
    # (wrongly) allowed ends at once instead of waiting for a person.
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    yield path


def commands(t: Templates) -> list[list[str]]:
    """Every command that opens the program's database (with ids that exist)."""
    return [
        ["run"],
        ["invite"],
        ["pair", str(t.subject), str(t.mentor)],
        ["unpair", str(t.subject)],
        ["roster"],
        ["audit"],
        ["oncall", "--clear"],
        ["capacity", str(t.mentor), "3"],
        ["report"],
        ["export", str(t.subject)],
        ["erase", str(t.subject), "--yes"],
        ["purge"],
    ]


COMMAND_NAMES = [
    "run",
    "invite",
    "pair",
    "unpair",
    "roster",
    "audit",
    "oncall",
    "capacity",
    "report",
    "export",
    "erase",
    "purge",
]


def command(t: Templates, name: str) -> list[str]:
    return next(c for c in commands(t) if c[0] == name)


def fingerprint(path: Path) -> str:
    return hashlib.sha256(raw_bytes(path)).hexdigest()


def refused(
    argv: list[str], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> str:
    """Runs the command, checks it was refused in one line without a key in it; the line."""
    with caplog.at_level(logging.DEBUG):
        status = main(argv)
    out, err = capsys.readouterr()
    assert status == 2, (argv, out, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for key in (KEY, OTHER_KEY):
        assert key not in out + err + caplog.text
    return lines[0]


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_missing_key_on_an_encrypted_database_is_refused(
    name: str,
    templates: Templates,
    db: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    shutil.copyfile(templates.encrypted, db)
    before = fingerprint(db)
    line = refused(command(templates, name), capsys, caplog)
    assert "encrypted" in line and "PEERBOT_DATA_KEY is not set" in line
    assert fingerprint(db) == before  # nothing written, not even plain text beside the rest


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_wrong_key_is_refused_and_nothing_is_written(
    name: str,
    templates: Templates,
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    shutil.copyfile(templates.encrypted, db)
    monkeypatch.setenv("PEERBOT_DATA_KEY", OTHER_KEY)
    before = fingerprint(db)
    line = refused(command(templates, name), capsys, caplog)
    assert "PEERBOT_DATA_KEY does not match" in line
    assert fingerprint(db) == before


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_key_over_plain_text_points_at_rotate_key(
    name: str,
    templates: Templates,
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    shutil.copyfile(templates.plain, db)
    monkeypatch.setenv("PEERBOT_DATA_KEY", KEY)
    before = fingerprint(db)
    line = refused(command(templates, name), capsys, caplog)
    assert "peerbot rotate-key" in line
    assert fingerprint(db) == before


def test_the_right_key_and_no_key_on_plain_text_still_start(
    templates: Templates, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copyfile(templates.encrypted, db)
    monkeypatch.setenv("PEERBOT_DATA_KEY", KEY)
    assert main(["run"]) == 0
    assert main(command(templates, "export")) == 0
    shutil.copyfile(templates.plain, db)
    monkeypatch.delenv("PEERBOT_DATA_KEY")
    assert main(["run"]) == 0


def test_a_new_database_made_with_a_key_refuses_to_start_without_it(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PEERBOT_DATA_KEY", KEY)
    assert main(["roster"]) == 0  # creates the database, with the key's check in it
    monkeypatch.delenv("PEERBOT_DATA_KEY")
    capsys.readouterr()
    assert main(["roster"]) == 2
    assert "PEERBOT_DATA_KEY is not set" in capsys.readouterr().err


def test_an_encrypted_database_from_before_the_check_is_checked_by_its_text(
    templates: Templates,
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A database encrypted before the key check existed has no check row: its ciphertext
    decides, and the right key writes the check."""
    shutil.copyfile(templates.encrypted, db)
    raw = sqlite3.connect(db)
    raw.execute("DELETE FROM key_check")
    raw.commit()
    raw.close()
    assert refused(["roster"], capsys, caplog).startswith("The database")
    monkeypatch.setenv("PEERBOT_DATA_KEY", OTHER_KEY)
    assert "does not match" in refused(["roster"], capsys, caplog)
    monkeypatch.setenv("PEERBOT_DATA_KEY", KEY)
    assert main(["roster"]) == 0
    raw = sqlite3.connect(db)
    assert raw.execute("SELECT count(*) FROM key_check").fetchone() == (1,)
    raw.close()


def test_rotate_key_round_trip(
    templates: Templates,
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    shutil.copyfile(templates.plain, db)
    export = command(templates, "export")
    # Plain text, then a key: refused until rotate-key encrypts it.
    monkeypatch.setenv("PEERBOT_DATA_KEY", KEY)
    refused(["run"], capsys, caplog)
    assert main(["rotate-key"]) == 0
    assert all(text.encode() not in raw_bytes(db) for text in FREE_TEXT)
    capsys.readouterr()
    assert main(export) == 0
    assert NOTE in capsys.readouterr().out
    assert main(["run"]) == 0

    # A new key: refused until rotate-key moves the text over from the old one.
    monkeypatch.setenv("PEERBOT_DATA_KEY", OTHER_KEY)
    refused(["run"], capsys, caplog)
    before = fingerprint(db)
    assert main(["rotate-key"]) == 1  # without the old key it changes nothing
    assert fingerprint(db) == before
    monkeypatch.setenv("PEERBOT_DATA_KEY_OLD", OTHER_KEY)
    assert main(["rotate-key"]) == 1  # nor with a wrong old key
    monkeypatch.setenv("PEERBOT_DATA_KEY_OLD", KEY)
    capsys.readouterr()
    assert main(["rotate-key"]) == 0
    out, err = capsys.readouterr()
    assert KEY not in out + err and OTHER_KEY not in out + err
    monkeypatch.delenv("PEERBOT_DATA_KEY_OLD")
    assert main(["run"]) == 0
    assert main(export) == 0
    assert NOTE in capsys.readouterr().out

    # The old key is refused now.
    monkeypatch.setenv("PEERBOT_DATA_KEY", KEY)
    assert "does not match" in refused(["run"], capsys, caplog)
