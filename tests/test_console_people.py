"""The console as several people and a group (issue 16, item 3), driven as a newcomer would:
``peerbot run`` in a subprocess, lines typed through a pipe.

One session: a coordinator makes invites, a mentor and two mentees join, one mentee reports a
use, the mentor gets the ping and acknowledges it, and a facilitator runs a circle in the
console group with /next and the check-out pulse. Every reply is labelled with who gets it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.support.console import Console, cli, run_console

pytestmark = pytest.mark.e2e  # each test runs `peerbot run` as a subprocess

CODE = re.compile(r"code: ([A-Z2-9]{8})")
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (DEBUG|INFO|WARNING|ERROR) ")


def onboard(
    console: Console, who: str, name: str, code: str | None = None, *, staff: bool = False
) -> list[str]:
    """``@who /start [CODE]`` and ordinary answers to onboarding's questions, until the person
    is set up; returns everything printed on the way. ``staff`` are not asked for a check-in
    time or a recovery date; mentees skip the recovery date."""
    start = f"@{who} /start {code}" if code else f"@{who} /start"
    seen = console.type(start, "Is that okay?")
    seen += console.type("1", "What name would you like")
    seen += console.type(name, "Which city's time")
    seen += console.type("New York", "Is that right?")
    if staff:
        return seen + console.type("1", "You're all set")
    seen += console.type("1", "What time of day")
    seen += console.type("8pm", "date you count your recovery from")
    seen += console.type("Skip", "You're all set")
    return seen


def in_chat(lines: list[str], label: str) -> str:
    """What of ``lines`` was printed into one chat (``[@dana DM]``, ``[#circle group]``)."""
    return "\n".join(line for line in lines if line.startswith(label))


def test_a_whole_program_in_one_console(tmp_path: Path) -> None:
    made = cli(tmp_path, "invite", "--role", "coordinator")
    assert made.returncode == 0, made.stderr
    coordinator_code = made.stdout.split()[0]

    console = Console(tmp_path)
    console.expect("End with Ctrl-D")

    # The coordinator joins and makes invites in the chat.
    seen = onboard(console, "cora", "Cora", coordinator_code, staff=True)
    assert "coordinator" in in_chat(seen, "[@cora DM]")
    seen = console.type("/invite mentor", "mentor invite code")
    mentor_code = CODE.search(in_chat(seen, "[@cora DM]"))
    assert mentor_code is not None
    seen = console.type("/invite facilitator", "facilitator invite code")
    facilitator_code = CODE.search(in_chat(seen, "[@cora DM]"))
    assert facilitator_code is not None

    # A mentor joins and invites two mentees, who join and are paired with her.
    onboard(console, "riley", "Riley", mentor_code.group(1), staff=True)
    mentee_codes = []
    for _ in range(2):
        seen = console.type("/invite", "Here's your invite code")
        found = CODE.search(in_chat(seen, "[@riley DM]"))
        assert found is not None
        mentee_codes.append(found.group(1))
    seen = onboard(console, "sam", "Sam", mentee_codes[0])
    assert "paired with a mentor: Riley" in in_chat(seen, "[@sam DM]")
    onboard(console, "alex", "Alex", mentee_codes[1])

    # Sam reports a use; Riley is pinged in her own chat, and acknowledges.
    console.type("@sam /checkin", "How are you feeling today?")
    console.type("2", "craving")
    console.type("6", "used")
    console.type("yes", "Anything you'd like to note")
    seen = console.type("Skip", "Acknowledge")
    seen += console.expect("[@sam DM]")
    ping = in_chat(seen, "[@riley DM]")
    assert "Sam" in ping and "Acknowledge" in ping
    assert "Acknowledge" not in in_chat(seen, "[@sam DM]")  # the ping is Riley's alone
    seen = console.type("@riley Acknowledge", "[@riley DM]")
    assert "Traceback" not in "\n".join(seen)
    seen = console.type("/alerts", "[@riley DM]")

    # A facilitator joins, sets up a circle that meets soon, and brings it to #circle.
    onboard(console, "fran", "Fran", facilitator_code.group(1), staff=True)
    starts = (datetime.now(UTC) + timedelta(minutes=20)).astimezone(ZoneInfo("America/New_York"))
    starts = starts.replace(minute=starts.minute // 5 * 5)
    console.type("/circle create", "What's it called?")
    console.type("Evening circle", "A sentence or two")
    console.type("Skip", "What guidelines")
    console.type("1", "Which day")
    console.type(f"{starts:%a}", "What time does it start")
    console.type(f"{starts:%H:%M}", "New York time?")
    console.type("1", "every other week?")
    console.type("Every week", "How long is each session?")
    console.type("1 h", "How many people can join")
    console.type("No limit", "Where does it meet?")
    console.type("1", "Shall I create it?")
    seen = console.type("Create it", "/circle here")
    assert "Evening circle" in in_chat(seen, "[@fran DM]")
    seen = console.type("#circle /circle here", "[#circle group]")
    assert "Evening circle" in "\n".join(console.transcript[-20:])

    # The session: I'm here (numbered choices of the group), the round with /next, the end.
    seen = console.type("#circle /circle start", "I'm here")
    assert "Our guidelines" in in_chat(seen, "[#circle group]")
    console.type("@sam #circle I'm here", "here so far")
    console.type("@alex #circle 1", "2 here so far")
    seen = console.type("@fran #circle /next", "the floor is yours")
    assert "Sam" in in_chat(seen, "[#circle group]")
    seen = console.type("#circle /next", "the floor is yours")
    assert "Alex" in in_chat(seen, "[#circle group]")
    console.type("#circle /next", "opening round")
    seen = console.type("#circle /circle end", "How are you leaving?")
    seen += console.expect("How are you leaving?")
    pulses = [line for line in seen if "How are you leaving?" in line]
    assert {line.split("]")[0] + "]" for line in pulses} == {"[@sam DM]", "[@alex DM]"}
    console.type("@sam 4", "Thank you")
    console.type("@alex 5", "Summary of")
    summary = console.expect("Check-out pulse")
    # Two answers: the pulse is counted but not shown (fewer than three could be picked out).
    assert "Here: 2 (Sam, Alex)" in summary[0] and "(2 so far)" in summary[-1], summary
    assert all(line.startswith("[@fran DM]") for line in summary)

    status, _, stderr = console.close()
    assert status == 0, stderr
    out = "\n".join(console.transcript)
    assert "Traceback" not in out + stderr
    # The chat is the chat: log lines go to stderr, never among the replies.
    assert not [line for line in console.transcript if LOG_LINE.match(line)]
    assert LOG_LINE.match(stderr.splitlines()[0])


def test_console_lines_speak_for_people_and_the_group(tmp_path: Path) -> None:
    script = (
        "@dana /start\n"
        "1\n"
        "@lee /help\n"  # a new person, not set up yet
        "@dana Dana\n"  # back to Dana, who was asked her name
        "#circle hello everyone\n"  # said in the group: only the crisis screen reads it
        "/days\n"  # still Dana
    )
    result = run_console(tmp_path, script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "@name TEXT" in out and "#circle TEXT" in out  # the banner says how
    assert "[@dana DM] What name would you like me to use?" in out
    assert "[@lee DM]" in out
    assert "[@dana DM] Nice to meet you, Dana." in out
    assert "@dana in #circle> hello everyone" in out  # piped lines are echoed with who and where
    assert not in_chat(out.splitlines(), "[#circle group]")  # group chatter gets no answer
    assert out.rstrip().splitlines()[-1].startswith("[@dana DM]")


def test_demo_opens_on_a_ready_program(tmp_path: Path) -> None:
    real = tmp_path / "console.db"
    script = "@riley /mentees\n@fran #circle /circle start\n@sam #circle 1\n"
    result = run_console(tmp_path, script, "--demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "@cora (coordinator)" in out and "@sam (mentee)" in out
    mentees = in_chat(out.splitlines(), "[@riley DM]")
    assert "Sam" in mentees and "Alex" in mentees
    assert "[#circle group] Evening circle is starting" in out
    assert "1 here so far" in out
    assert (tmp_path / "peerbot-demo.db").exists()
    assert not real.exists()  # the program's own database is never touched
    again = run_console(tmp_path, "@riley /mentees\n", "--demo")
    assert again.returncode == 0, again.stderr
    assert "Evening circle is starting" not in again.stdout  # a fresh demo each time


def test_in_a_terminal_arrow_keys_recall_lines_and_logs_stay_out(tmp_path: Path) -> None:
    """On a terminal (a pseudo-terminal here) the console reads with readline: the up arrow
    brings back the previous line instead of printing ``^[[A``; log lines go to peerbot.log."""
    import os
    import pty
    import select
    import subprocess
    import sys

    from tests.support.console import console_env

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=tmp_path,
        env=console_env(tmp_path),
        close_fds=True,
    )
    os.close(follower)
    seen = b""

    def read_until(part: bytes, times: int = 1) -> None:
        nonlocal seen
        while seen.count(part) < times:
            ready, _, _ = select.select([leader], [], [], 30)
            assert ready, seen.decode(errors="replace")
            seen += os.read(leader, 4096)

    try:
        read_until(b"you> ")
        os.write(leader, b"/days\r")
        read_until(b"set up first")
        read_until(b"you> ", times=2)  # readline waits for the next line
        os.write(leader, b"\x1b[A\r")  # the up arrow, then Enter: /days again
        read_until(b"set up first", times=2)
        read_until(b"you> ", times=3)
        os.write(leader, b"\x04")  # Ctrl-D ends the input
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    text = seen.decode(errors="replace")
    assert "^[[A" not in text
    assert not [line for line in text.splitlines() if LOG_LINE.match(line.strip())]
    assert "Log lines go to peerbot.log" in text
    assert "starting the console adapter" in (tmp_path / "peerbot.log").read_text()
