"""The console adapter as a newcomer runs it: ``peerbot run`` in a subprocess, stdin piped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository, put on the subprocess's ``PYTHONPATH``."""


def run_console(
    tmp_path: Path, script: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run the console bot in ``tmp_path`` (no config file: built-in defaults) on ``script``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERBOT_")}
    env["PEERBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'console.db'}"
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,  # no config.toml here: built-in defaults
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=timeout,
    )
