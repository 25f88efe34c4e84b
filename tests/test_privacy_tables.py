"""Export completeness: every table of the migrated database is classified, and every table
that holds personal data is covered by both the export and the erasure.

A table holds personal data when a column refers to people(id) (a foreign key) or is named
like a person or a platform address (``person_id``, ``..._person``, ``platform_user_id``,
``user_id``, ``chat_id``). Such a table must be in ``storage.sqlite.privacy_rules``
(``PERSONAL_TABLES``), which drives both ``export_person`` and ``erase_person``; any other
table must be on the list below, with the reason it holds nothing personal. A new table on
neither list fails here until someone decides.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from handlers.app import REGISTRY
from handlers.privacy.data import SELF, erase_person
from storage.sqlite import SqliteStorage
from storage.sqlite.privacy_rules import PERSONAL_TABLES
from tests.support import FakeClock
from tests.support.privacy import COMMENT, GOAL, NOTE, PLAN, STEP, build_world, tables

NOT_PERSONAL = {
    "schema_migrations": "which migrations ran, and when",
    "key_check": "a fixed phrase encrypted with the data key, to tell a wrong key",
    "erasures": "the tombstones: a random id and a time, nothing that maps back to a person",
    "circle_occurrences": "the dates a circle meets",
    "occurrence_mirrors": "which Discord event shows which circle date: ids only",
    "id_floors": "the highest id each table used: table names and numbers",
    "job_runs": "which process ran a singleton job in which period: process identities",
    "leases": "which process holds a named lease (Telegram polling): process identities",
}
PERSON_NAMES = {"person_id", "platform_user_id", "user_id", "chat_id"}


def holds_personal_data(db: sqlite3.Connection, table: str) -> bool:
    if any(row[2] == "people" for row in db.execute(f"PRAGMA foreign_key_list({table})")):
        return True
    columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
    return (
        any(c in PERSON_NAMES or c.endswith(("_person", "_person_id")) for c in columns)
        or table == "people"
    )


async def test_every_table_is_classified_and_personal_ones_are_exported_and_erased(
    storage: SqliteStorage,
) -> None:
    db = sqlite3.connect(storage.path)
    try:
        found = tables(db)
        personal = {t for t in found if holds_personal_data(db, t)}
    finally:
        db.close()
    assert set(PERSONAL_TABLES) <= set(found), "the registry names a table that is not there"
    unclassified = set(found) - set(PERSONAL_TABLES) - set(NOT_PERSONAL)
    assert not unclassified, f"classify these in storage/sqlite/privacy_rules.py: {unclassified}"
    assert not personal & set(NOT_PERSONAL), "a table on the not-personal list holds person ids"
    missing = personal - set(PERSONAL_TABLES)
    assert not missing, f"personal tables without export and erasure: {missing}"
    for table, rule in PERSONAL_TABLES.items():
        assert rule.export.lstrip().upper().startswith("SELECT") and table in rule.export
        assert rule.erase and all(table in statement for statement in rule.erase)


async def test_export_holds_every_row_and_erasure_removes_each_of_them(
    tmp_path: Path, clock: FakeClock
) -> None:
    storage = SqliteStorage(tmp_path / "export.db")
    await storage.open()
    try:
        world = await build_world(storage, clock)
        exported = await storage.export_person(world.subject_id, REGISTRY.ledger_kinds)
        assert list(exported) == list(PERSONAL_TABLES)
        empty = {table for table, rows in exported.items() if not rows}
        # The world touches every personal table but the coordinator's duty slot.
        assert empty == {"coordinator_on_duty"}, empty
        flat = repr(exported)
        for text in (NOTE, *PLAN, GOAL, STEP, COMMENT):
            assert text in flat

        outcome = await erase_person(world.ctx, world.subject_id, requested_by=SELF)
        assert outcome is not None
        after = await storage.export_person(world.subject_id, REGISTRY.ledger_kinds)
        assert {table: rows for table, rows in after.items() if rows} == {}
    finally:
        await storage.close()
