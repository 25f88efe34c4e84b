"""The command line loads no platform library nor matplotlib until a command needs one.

python-telegram-bot, discord.py and matplotlib take seconds to import on a small machine;
``peerbot --help``, ``peerbot invite`` and reading a config need none of them. Each check runs
in a fresh interpreter, so modules an earlier test imported do not hide an import.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli
from bot.commands import Lazy

HEAVY = ("telegram", "discord", "matplotlib")
HELP_MUST_NOT_LOAD = ("numpy", "matplotlib", "telegram", "discord", "aiosqlite", "asyncpg")
"""What ``peerbot --help`` must answer without: the crisis model's numpy, the charts, the
platform libraries and both database drivers."""


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


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


PROBE_HELP = """
import contextlib, io, json, sys
from bot.cli import main
helped = []
for argv in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()) as out:
        try:
            main(argv)
        except SystemExit:
            pass
    helped.append(out.getvalue().startswith("usage: peerbot"))
heavy = json.loads(sys.argv[2])
core = sorted(m for m in sys.modules if m.split(".")[0] in ("handlers", "storage"))
print(json.dumps({"help": all(helped),
                  "loaded": sorted(m for m in heavy if m in sys.modules), "core": core}))
"""


def _after(argvs: list[list[str]], cwd: Path) -> dict[str, object]:
    """Runs ``main`` on each argument list in turn in one fresh interpreter: whether each
    printed a usage, and which heavy libraries and core modules were loaded by the end."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE_HELP, json.dumps(argvs), json.dumps(HELP_MUST_NOT_LOAD)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=cwd,
    )
    seen: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return seen


def test_help_loads_no_heavy_library_nor_the_core(tmp_path: Path) -> None:
    """``peerbot --help`` alone, then ``peerbot COMMAND --help`` for every command in one
    interpreter (whose modules then hold what any of them loaded): no numpy, matplotlib,
    platform library, database driver, nor any module of the core."""
    names = sorted(_subcommands())
    assert {"run", "invite", "report", "roster", "export"} <= set(names)
    assert _after([["--help"]], tmp_path) == {"help": True, "loaded": [], "core": []}
    every = [[name, "--help"] for name in names] + [["resources", "check", "--help"]]
    assert _after(every, tmp_path) == {"help": True, "loaded": [], "core": []}


def test_the_help_probe_sees_a_heavy_import(tmp_path: Path) -> None:
    """The check above can fail: a command that runs (``resources check`` on a missing file)
    loads the core and numpy with it, and the probe says so."""
    seen = _after([["resources", "check", "missing.toml"]], tmp_path)
    assert seen["help"] is False
    assert "numpy" in seen["loaded"]  # type: ignore[operator]
    assert seen["core"]


def test_every_command_names_a_function_that_exists() -> None:
    """A ``Lazy`` handler is only imported when its command runs: a wrong name here would be
    found by the first person to run it. Each one resolves to an async function taking
    ``(config, args)``."""
    handlers = {name: command.get_default("handler") for name, command in _subcommands().items()}
    handlers.pop("init")  # main() runs init itself, before any config exists
    resources = _subcommands()["resources"]
    action = next(a for a in resources._actions if isinstance(a, argparse._SubParsersAction))
    handlers |= {f"resources {n}": c.get_default("handler") for n, c in action.choices.items()}
    handlers.pop("resources")
    for name, handler in handlers.items():
        assert isinstance(handler, Lazy), name
        function = getattr(importlib.import_module(handler.module), handler.function)
        assert inspect.iscoroutinefunction(function), name
        assert list(inspect.signature(function).parameters) == ["config", "args"], name


def test_the_parsers_copies_of_core_names_match_the_core() -> None:
    """The parsers keep their own copies of a few choices so that they need not import the
    core; these are the core's."""
    from bot import cli_report
    from handlers.reporting.format import FORMATS
    from storage.people import Role

    assert cli.ROLES == tuple(role.value for role in Role)
    assert cli_report.FORMATS == FORMATS
