"""The console adapter as a newcomer runs it: ``peerbot run`` in a subprocess, stdin piped."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

from bot.adapters.console import split_line

ROOT = Path(__file__).resolve().parents[2]
"""The repository, put on the subprocess's ``PYTHONPATH``."""


def run_console(
    tmp_path: Path, script: str, *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run the console bot in ``tmp_path`` (no config file: built-in defaults) on ``script``;
    ``args`` go to ``peerbot run``."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", *args],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,  # no config.toml here: built-in defaults
        env=console_env(tmp_path),
        timeout=timeout,
    )


def console_env(tmp_path: Path, database: str = "console.db") -> dict[str, str]:
    """The environment the console runs in: no tokens or keys, this test's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERBOT_")}
    env["PEERBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / database}"
    return {**env, "PYTHONPATH": str(ROOT)}


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A ``peerbot`` command on the same database as :func:`run_console` and :class:`Console`."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=console_env(tmp_path),
        timeout=60,
    )


class Console:
    """``peerbot run`` as a subprocess driven line by line through a pipe: type a line, then
    wait for what the bot prints in answer (a bounded wait, never a timing assertion).

    A conversation with codes the bot makes up (invites) cannot be one script written
    beforehand, so this reads each answer before typing the next line.
    """

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env=console_env(tmp_path),
        )
        self.transcript: list[str] = []
        self._lines: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def expect(self, text: str, within: float = 30) -> list[str]:
        """Read printed lines until one contains ``text``; returns the lines read."""
        read: list[str] = []
        while True:
            try:
                line = self._lines.get(timeout=within)
            except queue.Empty:
                raise AssertionError(f"{text!r} never printed; got:\n" + "\n".join(read)) from None
            if line is None:
                raise AssertionError(f"the console ended before {text!r}:\n" + "\n".join(read))
            read.append(line)
            self.transcript.append(line)
            if text in line:
                return read

    def type(self, line: str, expect: str | None = None) -> list[str]:
        """Type ``line``; with ``expect``, read until the answer containing it.

        Piped lines are echoed (``@dana> TEXT``), so what was printed before the echo (the
        end of the previous answer) is read first, and the answer starts after it.
        """
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        if expect is None:
            return []
        body = split_line(line).body
        read = self.expect(f"> {body}") if body else []
        return read + self.expect(expect)

    def close(self) -> tuple[int, str, str]:
        """End the input; the exit status, the rest of stdout and stderr."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        rest: list[str] = []
        while (line := self._lines.get(timeout=60)) is not None:
            rest.append(line)
        self.transcript += rest
        status = self.process.wait(timeout=60)
        assert self.process.stderr is not None
        return status, "\n".join(rest), self.process.stderr.read()
