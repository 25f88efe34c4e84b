"""Several real ``peerbot run`` processes on one PostgreSQL database, observed from outside.

Each member is ``python -m bot.cli run`` with no platform token, so it runs the console
adapter: its messenger prints every message it sends, with the person it goes to
(``[@p17 DM] Hi P17, it's time...``), to the member's stdout, which is a file (flushed line by
line: a line in the file is a message the "platform" accepted, even if the process is killed
right after). Its stdin is a pipe nobody writes to, so the console waits for input that never
comes instead of ending. Nothing in the core is replaced: the members run what a deployment
runs, and the test reads the files and the database.

:func:`seed_due_prompts` puts N onboarded mentees, each with a console account, in the
database with their daily check-in due now, in one transaction (2,000 people due at once);
:func:`prompts_seen` counts, per person, the check-in prompts the members printed.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from handlers.checkins.texts import PROMPT_OPENING
from storage.timestamps import to_db

ROOT = Path(__file__).resolve().parent.parent.parent

PROMPT_LINE = re.compile(
    r"^\[@(p\d+) DM\] " + re.escape(PROMPT_OPENING.split("{name}")[0]), re.MULTILINE
)
"""A check-in prompt's first line as the console prints it, naming its person."""


@dataclass
class Member:
    """One running ``peerbot run``; its stdout and stderr are files in its folder."""

    name: str
    folder: Path
    process: asyncio.subprocess.Process
    _stdin_keepalive: object = field(default=None, repr=False)

    @property
    def out(self) -> Path:
        return self.folder / "stdout.txt"

    @property
    def err(self) -> Path:
        return self.folder / "stderr.txt"

    def log(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")

    def printed(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    def prompts(self) -> Counter[str]:
        return Counter(PROMPT_LINE.findall(self.printed()))

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """``kill -9``: no shutdown, no drain, its claims left leased."""
        self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), timeout=30)
        except TimeoutError:
            self.process.kill()
            return await self.process.wait()


async def start_member(
    name: str,
    folder: Path,
    database_url: str,
    config: str = "",
    *,
    telegram_token: str | None = None,
) -> Member:
    """Start ``peerbot run`` on ``database_url`` with ``config`` as its config file: the
    console, or Telegram when ``telegram_token`` is given (``config`` names the Bot API)."""
    config_file = _prepare(folder, config)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERBOT_")}
    env.update(PEERBOT_DATABASE_URL=database_url, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    if telegram_token is not None:
        env.update(PEERBOT_TELEGRAM_TOKEN=telegram_token)
    stdout = (folder / "stdout.txt").open("wb")
    stderr = (folder / "stderr.txt").open("wb")
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", "--config", str(config_file),
            cwd=folder, env=env, stdin=asyncio.subprocess.PIPE, stdout=stdout, stderr=stderr,
        )  # fmt: skip
    finally:
        stdout.close()
        stderr.close()
    return Member(name, folder, process)


def _prepare(folder: Path, config: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config_file = folder / "config.toml"
    config_file.write_text(config, encoding="utf-8")
    return config_file


async def until_all_prompted(members: list[Member], people: int, within: float) -> None:
    """Until ``people`` distinct people got a prompt from the members (or ``within`` s)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        if len(prompts_seen(members)) >= people or loop.time() > deadline:
            return
        await asyncio.sleep(0.2)


async def wait_for_log(member: Member, part: str, within: float = 60.0) -> None:
    """Until ``member``'s log has a line with ``part`` (raises with the log if it ended)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while part not in member.log():
        if member.process.returncode is not None:
            raise AssertionError(f"{member.name} ended before logging {part!r}:\n{member.log()}")
        if loop.time() > deadline:
            raise AssertionError(f"{member.name} did not log {part!r}:\n{member.log()}")
        await asyncio.sleep(0.1)


async def seed_due_prompts(database_url: str, people: int, *, due: datetime | None = None) -> None:
    """``people`` onboarded mentees (``p1``...), each with a console account and a check-in
    due now (UTC zone, today's occurrence), written in one transaction."""
    now = datetime.now(UTC)
    due = due or now - timedelta(seconds=5)
    created = to_db(now - timedelta(days=3))
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            ids = [
                row[0]
                for row in await conn.fetch(
                    "INSERT INTO people (display_name, created_at, onboarded_at)"
                    " SELECT 'P' || g, $1::text, $1::text FROM generate_series(1, $2) AS g"
                    " RETURNING id",
                    created,
                    people,
                )
            ]
            numbered = list(enumerate(ids, start=1))
            await conn.executemany(
                "INSERT INTO accounts (platform, platform_user_id, person_id, chat_id, created_at)"
                " VALUES ('console', $1, $2, $1, $3)",
                [(f"p{n}", pid, created) for n, pid in numbered],
            )
            await conn.executemany(
                "INSERT INTO roles (person_id, role, granted_at) VALUES ($1, 'mentee', $2)",
                [(pid, created) for pid in ids],
            )
            await conn.executemany(
                "INSERT INTO consent (person_id, topic, granted_at) VALUES ($1, 'storage', $2)",
                [(pid, created) for pid in ids],
            )
            await conn.executemany(
                "INSERT INTO settings (person_id, timezone, checkin_time) VALUES ($1, 'UTC', $2)",
                [(pid, due.strftime("%H:%M")) for pid in ids],
            )
            await conn.executemany(
                "INSERT INTO due_work (kind, subject, person_id, due_at, occurrence)"
                " VALUES ('checkin', $1, $2, $3, $4)",
                [(str(pid), pid, to_db(due), due.date().isoformat()) for pid in ids],
            )
    finally:
        await conn.close()


async def scalar(database_url: str, sql: str, *args: object) -> object:
    """One value read with asyncpg (what the members left in the database)."""
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


def prompts_seen(members: list[Member]) -> Counter[str]:
    """How many prompts each person got, over every member's output."""
    total: Counter[str] = Counter()
    for member in members:
        total += member.prompts()
    return total


async def kill_while_holding_claims(member: Member, database_url: str, day: str) -> int:
    """``kill -9`` ``member`` as soon as it has sent prompts and holds claimed rows (in the
    middle of its work); returns how many claimed rows it left behind (its lease on them runs
    out for the others). Raises if the fan-out (``day``'s rows) ended before that moment."""
    owner = f"%:{member.pid}:%"
    held_sql = "SELECT count(*) FROM due_work WHERE lease_owner LIKE $1"
    while True:
        if await scalar(database_url, held_sql, owner) and member.prompts():
            member.kill()
            break
        left = await scalar(
            database_url, "SELECT count(*) FROM due_work WHERE occurrence = $1", day
        )
        if not left:
            raise AssertionError("the fan-out finished before the member held any claim")
        await asyncio.sleep(0.02)
    await member.process.wait()
    stranded = await scalar(database_url, held_sql, owner)
    assert isinstance(stranded, int)
    return stranded
