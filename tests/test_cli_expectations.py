"""The command line as people expect it (issue 16, item 6): --version, help for every option,
--database and --config on every command with program data, and one clear line (never a
traceback) for the mistakes a person can make."""

from __future__ import annotations

import argparse
import shutil
import socket
from pathlib import Path

import pytest

from bot.cli import WITHOUT_PROGRAM_DATA, build_parser, main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "PEERBOT_DATA_KEY",
        "PEERBOT_TELEGRAM_TOKEN",
        "PEERBOT_DISCORD_TOKEN",
        "PEERBOT_DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def one_error_line(status: int, capsys: pytest.CaptureFixture[str], expected: int = 2) -> str:
    out, err = capsys.readouterr()
    assert status == expected, (out, err)
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    return lines[-1]


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("peerbot 0.")


def test_every_option_says_what_it_does_and_data_commands_take_database() -> None:
    for name, command in subcommands().items():
        for action in command._actions:
            if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                continue
            assert action.help, f"peerbot {name} {action.option_strings or action.dest}"
        options = {s for action in command._actions for s in action.option_strings}
        if name not in WITHOUT_PROGRAM_DATA:
            assert {"--config", "--database"} <= options, name


def test_database_option_picks_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invite", "--role", "mentor", "--database", "other.db"]) == 0
    assert (tmp_path / "other.db").exists() and not (tmp_path / "peerbot.db").exists()
    assert "1 use," in capsys.readouterr().err  # a plural form, not "1 use(s)"
    assert main(["roster", "--database", "other.db"]) == 0
    assert not (tmp_path / "peerbot.db").exists()


def test_report_in_an_empty_folder_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = one_error_line(main(["report"]), capsys)
    assert "There is no database at peerbot.db" in line
    assert list(tmp_path.iterdir()) == []


def test_a_bad_charts_folder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invite", "--database", "p.db"]) == 0
    capsys.readouterr()
    line = one_error_line(main(["report", "--database", "p.db", "--charts", "no/such/dir"]), capsys)
    assert line == "--charts no/such/dir: the folder no/such does not exist."
    (tmp_path / "file").write_text("x")
    line = one_error_line(main(["report", "--database", "p.db", "--charts", "file"]), capsys)
    assert "that is a file, not a folder" in line


def test_demo_data_makes_no_folders_and_keeps_tracked_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = one_error_line(main(["demo-data", "--progress-chart", "/peerbot-nowhere/c.png"]), capsys)
    assert "the folder /peerbot-nowhere does not exist" in line
    assert not Path("/peerbot-nowhere").exists() and not (tmp_path / "demo.db").exists()
    tracked = ROOT / "docs" / "demo-progress.png"
    before = tracked.read_bytes()
    line = one_error_line(main(["demo-data", "--progress-chart", str(tracked)]), capsys)
    assert "already exists" in line
    if shutil.which("git") is not None and (ROOT / ".git").exists():
        args = ["demo-data", "--replace", "--progress-chart", str(tracked)]
        line = one_error_line(main(args), capsys)
        assert "part of the project's own files" in line
    assert tracked.read_bytes() == before
    line = one_error_line(main(["demo-data", "--database", "peerbot.db"]), capsys)
    assert "the program's own database" in line


def test_an_unreachable_telegram_api_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as closed:  # a loopback port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    config = tmp_path / "config.toml"
    config.write_text(f'[telegram]\napi_base_url = "http://127.0.0.1:{port}"\n')
    monkeypatch.setenv("PEERBOT_TELEGRAM_TOKEN", "123456:SECRETSECRET")
    assert main(["run", "--config", str(config)]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    line = err.strip().splitlines()[-1]
    assert line.startswith("Could not start the Telegram adapter (NetworkError)")
    assert "PEERBOT_TELEGRAM_TOKEN" in line
    assert "SECRETSECRET" not in out + err  # the token is in the API's URLs: never printed
