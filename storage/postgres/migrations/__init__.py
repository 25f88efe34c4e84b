"""The PostgreSQL backend's numbered SQL migrations (``0001_schema.sql``, ...), beside this file.

Applied in order on start (:meth:`storage.postgres.connection.PostgresConnection.open`), under
an advisory lock, which records what it applied in ``schema_migrations``. They are numbered on
their own: 0001 is the whole schema SQLite's 0001-0014 built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """Every migration, oldest first."""
    folder = resources.files(__package__)
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two postgres migrations share a number: {versions}")
    return found
