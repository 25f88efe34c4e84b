"""How long `peerbot` takes to start: `--help`, `invite`, and the console's first reply.

    .venv/bin/python bench/bench_startup.py [--runs 5]

Each figure is the median wall time of ``--runs`` fresh processes (after one warm-up that
creates the database in a temporary folder, and warms the OS's file cache):

- ``help_s``: ``peerbot --help`` to exit;
- ``invite_s``: ``peerbot invite --role mentee`` to exit (opens the database, writes a code);
- ``console_first_reply_s``: ``peerbot run`` with no platform token (the console adapter),
  ``/help`` written to its stdin at once, until the first line of the answer (``[you DM] ...``);
- ``report_help_s``: ``peerbot report --help`` (a command's help, which loads no command);
- ``python_bare_s``: ``python -c pass``, the floor on this machine at that moment.

Also prints which of python-telegram-bot, discord.py, matplotlib, numpy, aiosqlite and asyncpg
``peerbot --help`` loads, and how many modules. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PEERBOT = Path(sys.executable).with_name("peerbot")
HEAVY = ("telegram", "discord", "matplotlib", "numpy", "aiosqlite", "asyncpg")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    env.pop("PEERBOT_DATA_KEY", None)
    return env


def _timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=_env(), capture_output=True, check=True)
    return time.perf_counter() - started


def _first_reply(cwd: Path) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(PEERBOT), "run"],
        cwd=cwd,
        env=_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("/help\n")
    process.stdin.flush()
    try:
        for line in process.stdout:
            if line.startswith("[you DM]"):  # the console marks each reply with its chat
                return time.perf_counter() - started
        raise SystemExit("the console closed without answering /help")
    finally:
        process.stdin.close()
        process.terminate()
        process.wait(timeout=30)


def _median(name: str, runs: int, measure: Callable[[], float]) -> None:
    times = [measure() for _ in range(runs)]
    print(
        f"{name}: median {statistics.median(times):.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in times)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    probe = (
        "import contextlib, io, sys\n"
        "from bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules) or 'none of them',"
        " len(sys.modules), 'modules')"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    print(f"peerbot --help loads: {loaded.stdout.strip()}")
    print(f"load average: {os.getloadavg()[0]:.1f} (2 CPUs shared)")
    with tempfile.TemporaryDirectory(prefix="peerbot-startup-") as folder:
        cwd = Path(folder)
        invite = [str(PEERBOT), "invite", "--role", "mentee"]
        _timed(invite, cwd)  # warm-up: creates the database
        _first_reply(cwd)
        _median("help_s", args.runs, lambda: _timed([str(PEERBOT), "--help"], cwd))
        report_help = [str(PEERBOT), "report", "--help"]
        _median("report_help_s", args.runs, lambda: _timed(report_help, cwd))
        _median("invite_s", args.runs, lambda: _timed(invite, cwd))
        _median("console_first_reply_s", args.runs, lambda: _first_reply(cwd))
        _median("python_bare_s", args.runs, lambda: _timed([sys.executable, "-c", "pass"], cwd))


if __name__ == "__main__":
    main()
