"""The command line loads no platform library nor matplotlib until a command needs one.

python-telegram-bot, discord.py and matplotlib take seconds to import on a small machine;
``peerbot --help``, ``peerbot invite`` and reading a config need none of them. Each check runs
in a fresh interpreter, so modules an earlier test imported do not hide an import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("telegram", "discord", "matplotlib")


def _loaded_after(statement: str, cwd: Path) -> list[str]:
    probe = (
        f"import sys\n{statement}\n"
        "import json\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=cwd,
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize(
    "statement",
    [
        "import bot.cli",
        "import bot.config",
        "import bot.runner",
        "import handlers.app",
        "import handlers.checkins.progress",
        "from bot.cli import build_parser; build_parser()",
        "from bot.config import load_config; load_config(None)",
    ],
)
def test_no_platform_library_or_matplotlib_is_imported(statement: str, tmp_path: Path) -> None:
    assert _loaded_after(statement, tmp_path) == []  # tmp_path: no config.toml there


def test_the_probe_sees_an_import(tmp_path: Path) -> None:
    """The check above can fail: importing an adapter does load its library."""
    assert _loaded_after("import bot.adapters.telegram", tmp_path) == ["telegram"]


PROBE_CHART_IMPORT = """
import asyncio, json, sys, threading
from datetime import date
from handlers.checkins.progress import ProgressData, progress_png
from storage.reporting import DailyScore

importers = set()

def hook(event, args):
    if event == "import" and args[0] == "matplotlib":
        importers.add(threading.get_ident())

sys.addaudithook(hook)
scores = (DailyScore(date(2026, 11, 2), 3, 4),)
data = ProgressData(date(2026, 11, 1), date(2026, 11, 30), scores, ())

async def main():
    loop_thread = threading.get_ident()
    png = await progress_png(data)
    print(json.dumps({"png": png[:4] == b"\\x89PNG", "on_loop": loop_thread in importers,
                      "imported": bool(importers)}))

asyncio.run(main())
"""


def test_the_first_chart_loads_matplotlib_in_the_worker_not_on_the_loop(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE_CHART_IMPORT],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=tmp_path,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"png": True, "on_loop": False, "imported": True}
