"""The coordinator's data-rights commands, the [privacy] settings and the data key."""

from __future__ import annotations

import asyncio
import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_config
from handlers.app import assemble
from handlers.context import Context
from handlers.messaging import Messengers
from handlers.privacy import texts
from handlers.program import ProgramSettings
from scheduling.due import DueWorker
from storage.crypto import TextCipher
from storage.sqlite import SqliteStorage
from tests.support import FakeClock, RecordingMessenger
from tests.support.console import run_console
from tests.support.privacy import FREE_TEXT, NAME, NOTE, build_world, raw_bytes


def make_world(path: Path) -> tuple[int, int]:
    """A rich database at ``path``; returns the subject's and their mentor's ids."""

    async def build() -> tuple[int, int]:
        storage = SqliteStorage(path)
        await storage.open()
        try:
            world = await build_world(storage, FakeClock(datetime(2026, 11, 27, 15, tzinfo=UTC)))
            return world.subject_id, world.mentor_id
        finally:
            await storage.close()

    return asyncio.run(build())


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("PEERBOT_DATA_KEY", "PEERBOT_DATA_KEY_OLD", "PEERBOT_TELEGRAM_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "cli.db"
    monkeypatch.setenv("PEERBOT_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.chdir(tmp_path)
    return db


def test_export_writes_the_mydata_json_and_is_audited(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sid, _ = make_world(env)
    out = tmp_path / "request.json"
    assert main(["export", str(sid), "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["person_id"] == sid and data["tables"]["people"][0]["display_name"] == NAME
    assert any(row["action"] == "export" for row in data["tables"]["audit_log"])
    capsys.readouterr()
    assert main(["export", str(sid)]) == 0
    assert json.loads(capsys.readouterr().out)["person_id"] == sid
    assert main(["export", "999"]) == 1


def test_erase_asks_for_yes_and_names_who_to_tell(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sid, mentor_id = make_world(env)
    assert main(["erase", str(sid)]) == 2
    assert "--yes" in capsys.readouterr().err
    assert main(["erase", str(sid), "--yes"]) == 0
    printed = capsys.readouterr()
    assert printed.out.startswith(f"erased #{sid} ")  # named, so the coordinator can check
    assert "Tombstone " in printed.out
    # No adapter runs here: the notice waits in the due queue for the running bot.
    assert f"The running bot tells #{mentor_id} Mo" in printed.err
    assert main(["erase", str(sid), "--yes"]) == 1


def test_erase_from_the_command_line_tells_the_mentor_through_the_bot(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sid, _ = make_world(env)
    assert main(["erase", str(sid), "--yes", "--database", str(env)]) == 0
    assert f"erased #{sid} {NAME}." in capsys.readouterr().out

    async def bot_runs_later() -> list[str]:
        """The bot starts after the erasure: its first ticks send the notice, once."""
        storage = SqliteStorage(env)
        await storage.open()
        messenger = RecordingMessenger(platform="test")
        clock = FakeClock(datetime.now(UTC))
        ctx = assemble(Context(storage, ProgramSettings(), Messengers({"test": messenger}), clock))
        try:
            await DueWorker(ctx).tick()
            clock.advance(minutes=5)
            await DueWorker(ctx).tick()
            return [m.text for _, m in messenger.sent]
        finally:
            await storage.close()

    sent = asyncio.run(bot_runs_later())
    left = [text for text in sent if "has left the program" in text]
    assert left == [texts.MENTEE_LEFT.format(name=NAME)]


def test_rotate_key_encrypts_then_rotates(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sid, _ = make_world(env)
    assert main(["rotate-key"]) == 2  # no key set: it says what to do
    assert "peerbot new-data-key" in capsys.readouterr().err

    assert main(["new-data-key"]) == 0
    first = capsys.readouterr().out.strip()
    monkeypatch.setenv("PEERBOT_DATA_KEY", first)
    assert main(["rotate-key"]) == 0
    assert "re-encrypted" in capsys.readouterr().out
    raw = raw_bytes(env)
    assert [t for t in FREE_TEXT if t.encode() in raw] == []

    second = TextCipher.generate_key()
    monkeypatch.setenv("PEERBOT_DATA_KEY", second)
    assert main(["rotate-key"]) == 1  # the old key is needed: nothing changes
    assert "nothing was changed" in capsys.readouterr().err
    monkeypatch.setenv("PEERBOT_DATA_KEY_OLD", first)
    assert main(["rotate-key"]) == 0
    monkeypatch.delenv("PEERBOT_DATA_KEY_OLD")
    assert main(["export", str(sid)]) == 0
    printed = capsys.readouterr()
    assert NOTE in printed.out  # read with the new key alone
    assert first not in printed.out + printed.err and second not in printed.out + printed.err


def test_privacy_settings_and_key_are_checked_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[privacy]\nretain_checkins_days = 10\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[privacy\] retain_checkins_days = 10 must be 0"):
        load_config(config, env={})
    config.write_text(
        "[privacy]\nretain_checkins_days = 0\nretain_alerts_days = 90\n", encoding="utf-8"
    )
    loaded = load_config(config, env={})
    assert loaded.program.privacy.retain_checkins_days == 0
    assert loaded.program.privacy.retain_alerts_days == 90
    assert loaded.program.privacy.retain_audit_days == 2190
    assert loaded.cipher is None

    with pytest.raises(ConfigError) as bad:
        load_config(config, env={"PEERBOT_DATA_KEY": "not-a-key"})
    assert "\n" not in str(bad.value) and "not-a-key" not in str(bad.value)
    key = TextCipher.generate_key()
    keyed = load_config(config, env={"PEERBOT_DATA_KEY": key})
    assert keyed.cipher is not None
    assert key not in repr(keyed) and key not in repr(keyed.secrets)
    assert "data_key" in repr(keyed.secrets)


def test_example_config_documents_privacy(tmp_path: Path) -> None:
    example = (Path(__file__).resolve().parent.parent / "config.example.toml").read_text()
    for name in ("[privacy]", "retain_checkins_days", "PEERBOT_DATA_KEY", "rotate-key"):
        assert name in example


@pytest.mark.e2e
def test_console_saves_the_export_and_warns_once_without_a_key(tmp_path: Path) -> None:
    script = "/start\n1\nRiver\nNew York\n1\n8pm\n1\n/mydata\n"
    result = run_console(tmp_path, script)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("PEERBOT_DATA_KEY is not set") == 1
    saved = next(line for line in result.stdout.splitlines() if "[file saved to " in line)
    path = tmp_path / saved.split("[file saved to ")[1].rstrip("]")
    assert (
        json.loads(path.read_text(encoding="utf-8"))["tables"]["people"][0]["display_name"]
        == "River"
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
