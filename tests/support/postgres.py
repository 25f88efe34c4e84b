"""A throwaway PostgreSQL cluster for the tests: ``initdb`` + ``pg_ctl`` in a temporary folder.

One cluster per pytest session (``tests/conftest.py``), listening on a free loopback port with
trust authentication and its unix socket in the temporary folder; a migrated template database,
from which each test gets a fresh database (``CREATE DATABASE ... TEMPLATE`` copies files, a
few milliseconds). Nothing is left behind: the cluster is stopped and its folder removed at the
end of the session.

``initdb`` and the server refuse to run as root. Run as root (CI, a container), the cluster
belongs to the ``postgres`` user the Debian package creates (or ``nobody``), through
``runuser``; as anyone else it is theirs.

Where the programs are: ``PEERBOT_PG_BINDIR`` if set, else ``pg_config --bindir`` on the
PATH, else the newest ``/usr/lib/postgresql/*/bin`` (Debian keeps them off the PATH).
``.ci/setup-test`` installs the distribution's ``postgresql`` package when none is found.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

DISABLE = "PEERBOT_TEST_POSTGRES"
"""``PEERBOT_TEST_POSTGRES=off`` skips the tests that need PostgreSQL (with that reason)."""


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server programs on this machine (or they would not start)."""


def wanted() -> bool:
    return os.environ.get(DISABLE, "").strip().lower() not in ("off", "0", "no", "false")


def find_bindir() -> Path:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``."""
    explicit = os.environ.get("PEERBOT_PG_BINDIR")
    if explicit:
        if not (Path(explicit) / "initdb").exists():
            raise PostgresUnavailable(f"PEERBOT_PG_BINDIR={explicit} holds no initdb")
        return Path(explicit)
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if found and (Path(found) / "initdb").exists():
            return Path(found)
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if debian:
        return debian[-1].parent
    raise PostgresUnavailable(
        "no PostgreSQL server programs (initdb, pg_ctl) found: install the distribution's"
        " `postgresql` package (`.ci/setup-test` does so as root), set PEERBOT_PG_BINDIR, or set"
        f" {DISABLE}=off to skip the PostgreSQL tests"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cluster_user() -> str | None:
    """Who runs the cluster when we are root (None: ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise PostgresUnavailable("running as root, and there is no unprivileged user to run initdb")


@dataclass
class PostgresCluster:
    """A running throwaway cluster; :meth:`stop` ends it and removes its folder."""

    bindir: Path
    folder: Path
    port: int
    user: str | None
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://peerbot@127.0.0.1:{self.port}/{database}"

    def next_database_name(self) -> str:
        return f"test_{os.getpid()}_{next(self._names)}"

    def _run(self, *argv: str) -> None:
        command = [str(self.bindir / argv[0]), *argv[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise PostgresUnavailable(
                f"{argv[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}"
            )

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster(*, durable: bool = False, synchronous_commit: bool = True) -> PostgresCluster:
    """initdb a cluster in a new temporary folder and start it on a free loopback port.

    For tests it skips durability (no fsync: a throwaway cluster); ``durable`` keeps the
    server's defaults (fsync on; ``synchronous_commit`` as asked), for benchmarks.
    """
    bindir = find_bindir()
    user = _cluster_user()
    folder = Path(tempfile.mkdtemp(prefix="peerbot-pg-"))
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    cluster = PostgresCluster(bindir=bindir, folder=folder, port=_free_port(), user=user)
    try:
        cluster._run(
            "initdb",
            "-D",
            str(cluster.data),
            "-U",
            "peerbot",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        settings = [
            f"-p {cluster.port}",
            "-c listen_addresses=127.0.0.1",
            f"-k {folder}",
            "-c max_connections=200",
        ]
        if not durable:
            # A throwaway cluster: durability buys nothing, and costs the suite time.
            settings += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        elif not synchronous_commit:
            settings.append("-c synchronous_commit=off")
        options = " ".join(settings)
        cluster._run(
            "pg_ctl",
            "-D",
            str(cluster.data),
            "-o",
            options,
            "-l",
            str(folder / "server.log"),
            "-w",
            "start",
        )
    except BaseException:
        cluster.stop()
        raise
    return cluster


TEMPLATE = "peerbot_template"
"""The database migrated once per session that every test's database is copied from."""


async def make_template(cluster: PostgresCluster) -> None:
    """Create :data:`TEMPLATE` and migrate it as ``peerbot run`` would (no key)."""
    import asyncpg

    from storage.postgres import PostgresStorage

    admin = await asyncpg.connect(cluster.url())
    try:
        await admin.execute(f'CREATE DATABASE "{TEMPLATE}"')
    finally:
        await admin.close()
    store = PostgresStorage(cluster.url(TEMPLATE))
    await store.open()
    await store.close()


async def fresh_database(cluster: PostgresCluster) -> str:
    """A new database copied from the migrated template; its URL."""
    import asyncpg

    name = cluster.next_database_name()
    admin = await asyncpg.connect(cluster.url())
    try:
        # FILE_COPY (PostgreSQL 15+) copies the template's few files; the default WAL_LOG
        # writes them through the WAL, 3x slower for a database this small.
        strategy = " STRATEGY FILE_COPY" if admin.get_server_version().major >= 15 else ""
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"{strategy}')
    finally:
        await admin.close()
    return cluster.url(name)


async def empty_database(cluster: PostgresCluster) -> str:
    """A new database with no tables at all (for tests of migrating)."""
    import asyncpg

    name = cluster.next_database_name()
    admin = await asyncpg.connect(cluster.url())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return cluster.url(name)


async def drop_database(cluster: PostgresCluster, url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[-1]
    admin = await asyncpg.connect(cluster.url())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def server_version(cluster: PostgresCluster) -> str:
    import asyncpg

    admin = await asyncpg.connect(cluster.url())
    try:
        return str(await admin.fetchval("SHOW server_version"))
    finally:
        await admin.close()
