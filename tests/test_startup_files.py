"""Start-up on a database that cannot be used, and the files the bot creates (issue 13, item 7).

A damaged database, a read-only folder and a full disk each stop a command with one line on
stderr and exit status 2, never a traceback, and never leave an empty database file behind.
The database, its WAL and shared-memory files, and the console's image folder are readable by
the bot's user only. Every test uses real files; the read-only and full-disk ones use a small
tmpfs when the tests run as root (where permission bits do not stop a write), and say so.
"""

from __future__ import annotations

import asyncio
import io
import os
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.console import ConsoleMessenger
from bot.cli import main
from handlers.messaging import ConversationRef, Document, Image, OutgoingMessage
from storage.people import InviteCode, Role
from storage.sqlite import SqliteStorage

ROOT = os.geteuid() == 0


@pytest.fixture(autouse=True)
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PEERBOT_DATA_KEY", "PEERBOT_DATA_KEY_OLD", "PEERBOT_TELEGRAM_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("PEERBOT_DISCORD_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)


def use_database(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setenv("PEERBOT_DATABASE_URL", f"sqlite:///{path}")


def one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 2, (out, err)
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def make_database(path: Path) -> None:
    async def make() -> None:
        storage = SqliteStorage(path)
        await storage.open()
        await storage.close()

    asyncio.run(make())


def mount_tmpfs(folder: Path, size: str) -> bool:
    """A tmpfs of ``size`` at ``folder``, if this process may mount one (root)."""
    folder.mkdir()
    if not ROOT:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
        capture_output=True,
    )
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "small"
    if not mount_tmpfs(folder, "64k"):
        pytest.skip("cannot mount a tmpfs here (the simulated full-disk test still runs)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A folder holding a database, and a function's worth of setup: it is made read-only
    (a read-only tmpfs remount as root, where mode bits stop nothing; ``chmod 555`` else)."""
    folder = tmp_path / "locked"
    mounted = mount_tmpfs(folder, "1m")
    if ROOT and not mounted:
        pytest.skip("running as root without a way to make a read-only folder")
    existing = folder / "existing.db"
    make_database(existing)
    if mounted:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    else:
        folder.chmod(0o555)
    try:
        yield folder, existing
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        else:
            folder.chmod(0o755)


def test_a_damaged_database_is_named_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this was never a database " * 200)
    use_database(monkeypatch, garbage)
    assert "damaged" in one_line(["roster"], capsys)  # the schema is read at every open

    # A real database with a page overwritten: the header opens, PRAGMA quick_check does not.
    broken = tmp_path / "broken.db"
    make_database(broken)
    data = bytearray(broken.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    data[2 * page : 4 * page] = b"\xa5" * (2 * page)  # two tables' b-tree pages
    broken.write_bytes(bytes(data))
    before = broken.read_bytes()
    use_database(monkeypatch, broken)
    assert "damaged" in one_line(["run"], capsys)
    assert broken.read_bytes() == before
    assert_check_db_finds_damage(capsys)
    assert broken.read_bytes() == before


def assert_check_db_finds_damage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-db"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    *problems, last = [line for line in err.splitlines() if line.strip()]
    assert problems and "damaged" in last and "check-db" in last


def seeded_with_history(path: Path) -> None:
    from storage.sqlite.bulk import seed_checkin_history

    asyncio.run(seed_checkin_history(path, people=20, days=60, last_day=datetime.now(UTC).date()))


def overwrite_root(path: Path, index: str) -> None:
    """Overwrites the first page of ``index``'s b-tree: every read through it meets it."""
    with sqlite3.connect(path) as conn:
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)
        ).fetchone()
        (page,) = conn.execute("PRAGMA page_size").fetchone()
    with path.open("r+b") as file:
        file.seek((root - 1) * page)
        file.write(b"\xa5" * page)


def test_damage_in_the_history_stops_the_commands_that_read_it_and_the_bot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The short commands do not read the whole file first (seconds on a year of data):
    damage in the check-in history, which `invite` never reads, lets `invite` work; the
    report, which reads it, stops with the one line (no traceback); `peerbot run` reads the
    whole file before it writes anything and refuses; `check-db` lists the damage."""
    db = tmp_path / "year.db"
    seeded_with_history(db)
    overwrite_root(db, "checkins_date")
    use_database(monkeypatch, db)
    assert main(["invite"]) == 0
    capsys.readouterr()
    assert "damaged" in one_line(["report", "--since", "30d"], capsys)
    before = db.read_bytes()
    assert "damaged" in one_line(["run"], capsys)
    assert db.read_bytes() == before
    assert_check_db_finds_damage(capsys)


def test_a_pending_migration_reads_the_whole_file_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A migration may rewrite whole tables: before one runs, even a short command reads the
    whole file, and refuses a damaged one without writing."""
    db = tmp_path / "older.db"
    seeded_with_history(db)
    with sqlite3.connect(db) as conn:  # as a database from before migration 0022
        conn.executescript(
            "DROP INDEX checkins_date; DROP INDEX checkin_scores;"
            " DELETE FROM schema_migrations WHERE version = 22;"
        )
    overwrite_root(db, "deliveries_kind_person")
    before = db.read_bytes()
    use_database(monkeypatch, db)
    assert "damaged" in one_line(["invite"], capsys)
    assert db.read_bytes() == before


def test_a_read_only_folder_is_named_and_leaves_no_file(
    read_only: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, existing = read_only
    new = folder / "new.db"
    use_database(monkeypatch, new)
    assert "read-only" in one_line(["roster"], capsys)
    assert not new.exists()
    use_database(monkeypatch, existing)
    assert "read-only" in one_line(["invite"], capsys)


def test_a_full_disk_is_named_and_leaves_no_empty_database(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real full disk: a 64 KB tmpfs filled up by a file, then a new database on it."""
    descriptor = os.open(small_disk / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(descriptor, b"\0" * 4096):
            pass
    except OSError:
        pass  # ENOSPC: the disk is full
    finally:
        os.close(descriptor)
    db = small_disk / "program.db"
    use_database(monkeypatch, db)
    assert "disk full" in one_line(["roster"], capsys)
    assert not db.exists()


def test_a_full_disk_simulated_is_named_and_leaves_no_empty_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Simulated (monkeypatched): SQLite's "database or disk is full" error (SQLITE_FULL) on
    the first statement of a new database, as a full disk gives it, where no tmpfs can be
    mounted. The file is real: the bot creates it, and must remove it again."""
    real_connect = sqlite3.connect

    class FullDisk(sqlite3.Connection):
        def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
            if sql.startswith("PRAGMA journal_mode"):
                error = sqlite3.OperationalError("database or disk is full")
                error.sqlite_errorcode = sqlite3.SQLITE_FULL
                raise error
            return super().execute(sql, *args)  # type: ignore[arg-type]

    def connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        return real_connect(*args, factory=FullDisk, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(sqlite3, "connect", connect)
    db = tmp_path / "program.db"
    use_database(monkeypatch, db)
    line = one_line(["roster"], capsys)
    assert "disk full" in line
    assert not db.exists()


def modes(path: Path) -> dict[str, int]:
    """The permission bits of a database, its WAL, its shared memory and its folder."""
    found = {"folder": stat.S_IMODE(path.parent.stat().st_mode)}
    for suffix in ("", "-wal", "-shm"):
        file = Path(f"{path}{suffix}")
        if file.exists():
            found[suffix] = stat.S_IMODE(file.stat().st_mode)
    return found


async def test_database_wal_and_shm_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # the usual one, which leaves new files world-readable
    try:
        path = tmp_path / "data" / "program.db"
        storage = SqliteStorage(path)
        await storage.open()
        try:
            now = datetime.now(UTC)
            await storage.create_invite(
                InviteCode("ABCDEFGH", Role.MENTEE, 1, now, now + timedelta(days=1))
            )
            assert modes(path) == {"": 0o600, "-wal": 0o600, "-shm": 0o600, "folder": 0o700}
        finally:
            await storage.close()
    finally:
        os.umask(old_umask)


async def test_console_image_folder_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        folder = tmp_path / "peerbot-images"
        messenger = ConsoleMessenger(io.StringIO(), folder)
        ref = ConversationRef("console", "1", "1")
        await messenger.send(ref, OutgoingMessage("chart", image=Image(b"\x89PNG", "a chart")))
        await messenger.send(ref, OutgoingMessage("data", document=Document(b"{}", "me.json")))
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        for file in folder.iterdir():
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
    finally:
        os.umask(old_umask)


def test_check_db_on_a_sound_file_and_on_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sound = tmp_path / "sound.db"
    make_database(sound)
    use_database(monkeypatch, sound)
    assert main(["check-db"]) == 0
    out, err = capsys.readouterr()
    assert "no damage found" in out and err == ""
    missing = tmp_path / "missing.db"
    use_database(monkeypatch, missing)
    assert "There is no database at" in one_line(["check-db"], capsys)
    assert not missing.exists()
    monkeypatch.setenv("PEERBOT_DATABASE_URL", "postgresql://peerbot@127.0.0.1:1/none")
    assert "PostgreSQL" in one_line(["check-db"], capsys)
