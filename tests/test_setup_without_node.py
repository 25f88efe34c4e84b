"""The README's "Try it" command on a machine without Node (issue 16, item 4).

A copy of the checkout is set up and started with a PATH that holds bash and Python only
(no npm, no node, not even coreutils): ``.ci/setup`` installs the runtime only, and the
console starts. To keep it quick, the copy's new virtualenv sees this one's installed
dependencies (a path line in a ``.pth`` file), so pip installs the project itself and nothing
has to be downloaded; everything ``.ci/setup`` does still runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e  # runs .ci/setup (pip) and `peerbot run` as subprocesses

ROOT = Path(__file__).resolve().parent.parent
TRY_IT = "bash .ci/setup && .venv/bin/peerbot run --demo"
"""The README's "Try it" command (checked against the README below)."""
SKIPPED = (".git", ".venv", "node_modules", "__pycache__", "*.db", "*.db-*", ".*_cache")


def checkout_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "checkout"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*SKIPPED), symlinks=True)
    return copy


def python_only_path(tmp_path: Path) -> str:
    """A PATH with bash and python3 on it and nothing else."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    bash = shutil.which("bash")
    assert bash is not None
    (bin_dir / "bash").symlink_to(bash)
    return str(bin_dir)


def venv_seeing_our_packages(copy: Path) -> None:
    """The copy's .venv, made as .ci/setup would, that also sees what this venv installed."""
    subprocess.run([sys.executable, "-m", "venv", str(copy / ".venv")], check=True)
    ours = sysconfig.get_paths()["purelib"]
    theirs = next((copy / ".venv" / "lib").glob("python3*/site-packages"))
    (theirs / "borrowed-deps.pth").write_text(ours + "\n")


def run_setup(
    copy: Path, command: str, path: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEERBOT_", "PYTHON"))}
    env["PATH"] = path
    bash = shutil.which("bash")
    assert bash is not None
    return subprocess.run(
        [bash, "-c", command],
        cwd=copy,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_try_it_starts_the_console_without_npm(tmp_path: Path) -> None:
    assert f"```sh\n{TRY_IT}\n```" in (ROOT / "README.md").read_text(encoding="utf-8")
    copy = checkout_copy(tmp_path)
    path = python_only_path(tmp_path)
    assert shutil.which("npm", path=path) is None and shutil.which("node", path=path) is None
    venv_seeing_our_packages(copy)

    result = run_setup(copy, TRY_IT, path, stdin="@sam /checkin\n")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "End with Ctrl-D" in result.stdout
    assert "[@sam DM] Let's do a check-in." in result.stdout
    assert "npm" not in result.stderr and "Traceback" not in result.stderr
    assert not (copy / "tests" / "telegram_emulator" / "node_modules").exists()

    # A second setup with nothing changed does not run pip at all: with a pip that only
    # complains in its place, it still succeeds; once pyproject.toml changes it runs pip.
    site = next((copy / ".venv" / "lib").glob("python3*/site-packages"))
    (site / "pip").rename(site / "pip-away")
    (site / "pip").mkdir()
    (site / "pip" / "__init__.py").write_text("")
    (site / "pip" / "__main__.py").write_text("import sys\nsys.exit('pip was run')\n")
    again = run_setup(copy, "bash .ci/setup", path)
    assert again.returncode == 0, again.stderr
    with (copy / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write("\n# changed\n")
    changed = run_setup(copy, "bash .ci/setup", path)
    assert changed.returncode != 0
    assert "pip was run" in changed.stderr
