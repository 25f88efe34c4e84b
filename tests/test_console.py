"""The console adapter driven as a subprocess with scripted stdin, as a newcomer would."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.console import run_console

pytestmark = pytest.mark.e2e  # each test runs `peerbot run` as a subprocess


def test_console_onboarding_with_piped_stdin(tmp_path: Path) -> None:
    script = "/start\n1\nRiver\nNew York\n1\n8pm\n1\n/help\n"
    result = run_console(tmp_path, script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[you DM] Welcome to Peer Support" in out  # labelled with who receives it
    assert "[you DM]   1. Yes, that's okay" in out  # buttons as numbered choices
    assert "Nice to meet you, River" in out
    assert "America/New_York" in out
    assert "You're all set, River" in out
    assert "/checkin" in out
    assert "Traceback" not in out + result.stderr
    assert "no platform token set: starting the console adapter" in result.stderr


def test_console_state_survives_a_restart(tmp_path: Path) -> None:
    first = run_console(tmp_path, "/start\n1\nRiver\n")
    assert first.returncode == 0, first.stderr
    second = run_console(tmp_path, "London\n")
    assert second.returncode == 0, second.stderr
    assert "Europe/London" in second.stdout


def test_console_exits_cleanly_on_empty_input(tmp_path: Path) -> None:
    result = run_console(tmp_path, "")
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("End with Ctrl-D (or the end of piped input).")
    assert "[you DM]" not in result.stdout  # the banner, and nothing said
