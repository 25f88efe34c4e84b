"""Config loading: defaults, validation with one clear line, secrets only from the environment."""

from __future__ import annotations

import subprocess
import sys
from datetime import time, timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, Secrets, load_config

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads_with_documented_defaults() -> None:
    config = load_config(ROOT / "config.example.toml", env={})
    assert config.database_url == "sqlite:///peerbot.db"
    assert config.program.checkin.default_time == time(20, 0)
    assert config.program.checkin.max_lateness == timedelta(hours=2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[checkin]\ndefault_time = "25:00"\n',
            '[checkin] default_time = "25:00" is not a time of day',
        ),
        ("[checkin]\ntick_seconds = 0\n", "[checkin] tick_seconds = 0 must be between 1 and 60"),
        ('[checkin]\nmax_lateness = "soon"\n', '[checkin] max_lateness = "soon" is not a duration'),
        ('[storage]\nurl = "mysql://x"\n', '[storage] url = "mysql://x" is not a database URL'),
        ("[checkin]\ncolour = 3\n", "[checkin] colour is not a setting this program knows"),
        ("[nope]\n", "[nope] is not a section this program knows"),
        ('[logging]\nlevel = "LOUD"\n', '[logging] level = "LOUD" must be one of'),
        ("[checkin\n", "is not valid TOML"),
    ],
)
def test_bad_values_name_file_key_and_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text), env={})
    assert str(err.value).startswith(f"{tmp_path / 'config.toml'}: ")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_database_url_from_environment(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""), env={"PEERBOT_DATABASE_URL": "sqlite:///other.db"})
    assert config.database_url == "sqlite:///other.db"


def test_secrets_come_from_env_and_never_print() -> None:
    secrets = Secrets.from_env({"PEERBOT_TELEGRAM_TOKEN": "123:SECRET-TOKEN"})
    assert secrets.telegram_token == "123:SECRET-TOKEN"
    assert "SECRET" not in repr(secrets) and "SECRET" not in str(secrets)


@pytest.mark.e2e
def test_cli_missing_config_exits_2_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "--config", str(tmp_path / "missing.toml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "missing.toml: no such file" in result.stderr


@pytest.mark.e2e
def test_cli_malformed_config_exits_2(tmp_path: Path) -> None:
    path = write(tmp_path, '[checkin]\ndefault_time = "25:00"\n')
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(path), "run"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2
    expected = f'{path}: [checkin] default_time = "25:00" is not a time of day'
    assert result.stderr.strip() == expected
