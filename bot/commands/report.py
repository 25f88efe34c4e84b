"""What the coordinator's ``peerbot report``, ``peerbot resources check`` and
``peerbot demo-data`` do (their parsers: :mod:`bot.cli_report`).

The progress bar is plain text on stderr, drawn only when stderr is a terminal, so piped CSV or
JSON on stdout stays clean and no extra dependency is needed for a handful of steps.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.config import Config
from bot.database import missing_database, opened_storage
from bot.demo_data import MENTEES, seed
from handlers import charts
from handlers.checkins.progress import alt_text, gather, progress_png
from handlers.context import Context
from handlers.i18n import LANGUAGES, speaking, supported
from handlers.reporting.by_match import by_match_sections, collect_by_match
from handlers.reporting.charts import report_charts
from handlers.reporting.format import render
from handlers.reporting.report import build_report, collect
from handlers.resources import texts as resource_texts
from handlers.resources.directory import ResourceFileError, load_directory
from handlers.timing import TimingError, parse_duration
from storage.base import Storage
from storage.sqlite import SqliteStorage

EXIT_USAGE = 2
EXIT_PROBLEMS = 1
REPORT_STEPS = 7


class ProgressBar:
    """``[#####.....] 3/7 Retention`` on one line of a terminal; silent otherwise."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 24) -> None:
        self.total, self.done, self.width = total, 0, width
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()

    def __call__(self, label: str) -> None:
        self.done = min(self.done + 1, self.total)
        if not self.live:
            return
        filled = round(self.width * self.done / self.total) if self.total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} {label[:30]:<30}")
        self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.stream.write("\r" + " " * (self.width + 45) + "\r")
            self.stream.flush()


async def report_command(config: Config, args: argparse.Namespace) -> int:
    language = supported(args.lang)
    if language is None:
        print(
            f'--lang "{args.lang}" is not a language the bot speaks (one of: '
            f"{', '.join(LANGUAGES)})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    with speaking(language):  # headings, columns, charts, dates: all in the chosen language
        return await _report_in_language(config, args)


async def _report_in_language(config: Config, args: argparse.Namespace) -> int:
    try:
        period = parse_duration(args.since)
    except TimingError:
        print(
            f'--since "{args.since}" is not a duration (write it like 30d or 12w)', file=sys.stderr
        )
        return EXIT_USAGE
    missing = missing_database(config)
    if missing is not None:  # reading must not leave an empty database behind
        print(
            f"There is no database at {missing}, so there is nothing to report yet. Run "
            "`peerbot report` where the bot runs, or name the file with --database FILE.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.charts is not None and (problem := _folder_problem(args.charts)) is not None:
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    now = datetime.now(UTC)
    progress = ProgressBar(REPORT_STEPS + (1 if args.charts else 0))
    async with opened_storage(config) as storage:  # not read whole first: see check-db
        inputs = await collect(storage, config.program.name, now - period, now, progress)
        matched = await collect_by_match(storage, now - period, now) if args.by_match else None
    report = build_report(inputs)
    if matched is not None and not report.empty:
        report = replace(report, sections=(*report.sections, *by_match_sections(matched)))
    written = []
    if args.charts is not None and not report.empty:
        progress("charts")
        try:
            args.charts.mkdir(exist_ok=True)
            for chart in await charts.render(lambda: report_charts(report)):
                written.append(_write_chart(args.charts / chart.name, chart.png, chart.alt_text))
        except OSError as err:
            progress.close()
            print(f"Cannot write the charts into {args.charts}: {err.strerror}.", file=sys.stderr)
            return EXIT_PROBLEMS
    progress.close()
    sys.stdout.write(render(report, args.format))
    for path in written:
        print(f"chart: {path} (alt text in {path.with_suffix('.txt').name})", file=sys.stderr)
    return 0


async def resources_check_command(config: Config, args: argparse.Namespace) -> int:
    try:
        directory = load_directory(args.file)
    except ResourceFileError as err:
        for problem in err.problems:
            print(problem)
        print(resource_texts.CHECK_PROBLEMS.format(count=len(err.problems)))
        return EXIT_PROBLEMS
    counts = Counter(r.category for r in directory.resources)
    summary = ", ".join(f"{category} {counts[category]}" for category in directory.categories())
    print(
        resource_texts.CHECK_OK.format(
            file=args.file, count=len(directory.resources), summary=summary
        )
    )
    return 0


async def demo_data_command(config: Config, args: argparse.Namespace) -> int:
    path: Path = args.database
    chart: Path | None = args.progress_chart
    for target in (path, chart):
        if target is not None and (problem := _target_problem(target, args.replace)):
            print(problem, file=sys.stderr)
            return EXIT_USAGE
    if _is_program_database(path, config):
        print(
            f"{path} is the program's own database; the demo needs a file of its own",
            file=sys.stderr,
        )
        return EXIT_USAGE
    _fresh_file(path, replace=args.replace)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    storage = SqliteStorage(path, cipher=config.cipher)
    await storage.open()
    progress = ProgressBar(MENTEES)
    try:
        summary = await seed(storage, now, progress)
        progress.close()
        if args.progress_chart is not None:
            await _sample_chart(storage, summary.sample_person_id, now, args.progress_chart)
    finally:
        await storage.close()
    print(
        f"{path}: {summary.staff} staff, {summary.mentees} mentees, {summary.prompts} prompts, "
        f"{summary.checkins} check-ins, {summary.goals} goals, {summary.alerts} alerts, "
        f"{summary.circles if summary.circles is not None else 'no'} circle sessions, "
        f"{summary.waiting} mentees waiting for a mentor, {summary.trainings} trainings logged."
    )
    print(f"See it with: peerbot report --database {path} --since 90d", file=sys.stderr)
    print(
        f"Matching and training: peerbot match --suggest --database {path}; "
        f"peerbot training --database {path}",
        file=sys.stderr,
    )
    return 0


async def _sample_chart(storage: Storage, person_id: int, now: datetime, target: Path) -> None:
    person = await storage.get_person(person_id)
    assert person is not None
    ctx = Context(storage=storage, clock=lambda: now)
    data = await gather(ctx, person, 30)
    png = await progress_png(data)
    _write_chart(target, png, alt_text(data))
    print(f"chart: {target} (alt text in {target.with_suffix('.txt').name})", file=sys.stderr)


def _write_chart(path: Path, png: bytes, alt: str) -> Path:
    """The PNG, and its alt text beside it in a .txt of the same name (the folder exists)."""
    path.write_bytes(png)
    path.with_suffix(".txt").write_text(alt + "\n", encoding="utf-8")
    return path


def _folder_problem(folder: Path) -> str | None:
    """Why charts cannot go into ``folder`` (made if missing, but never its parents)."""
    if folder.exists() and not folder.is_dir():
        return f"--charts {folder}: that is a file, not a folder."
    if not folder.exists() and not folder.parent.is_dir():
        return f"--charts {folder}: the folder {folder.parent} does not exist."
    return None


def _target_problem(path: Path, replace: bool) -> str | None:
    """Why demo-data will not write ``path``: a folder that does not exist (it creates none,
    least of all at the filesystem root), a file already there without --replace, or a file
    the project's git tracks (the README's own pictures)."""
    if not path.parent.is_dir():
        return f"{path}: the folder {path.parent} does not exist; demo-data makes no folders."
    if path.exists() and not replace:
        return f"{path} already exists; pass --replace to write over it."
    if path.exists() and _tracked_by_git(path):
        return f"{path} is part of the project's own files; write the demo somewhere else."
    return None


def _tracked_by_git(path: Path) -> bool:
    """Whether ``path`` is a file a git checkout tracks (False without git or a checkout)."""
    git = shutil.which("git")
    if git is None:
        return False
    found = subprocess.run(
        [git, "ls-files", "--error-unmatch", path.name],
        cwd=path.parent,
        capture_output=True,
        check=False,
    )
    return found.returncode == 0


def _is_program_database(path: Path, config: Config) -> bool:
    url = config.database_url
    if not url.startswith("sqlite:///"):
        return False
    return path.resolve() == Path(url.removeprefix("sqlite:///")).resolve()


def _fresh_file(path: Path, *, replace: bool) -> bool:
    """Make way for a new database at ``path``; False if one is there and may not go."""
    if path.exists():
        if not replace:
            return False
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            stale.unlink(missing_ok=True)
    return True
