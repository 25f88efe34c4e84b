"""Export, erasure, retention purge and key rotation on PostgreSQL (see :mod:`storage.privacy`).

The tables holding personal data, and how each is exported and erased, are one registry for
both backends (:mod:`storage.sqlite.privacy_rules`): adding a table there adds it here. Its
statements are read through :func:`postgres_sql`, which turns SQLite's JSON list parameter
(``json_each``) into PostgreSQL's (``jsonb_array_elements_text``).

PostgreSQL never reuses a deleted id (identity columns), so SQLite's id floors have no
counterpart here. Deleted rows stay in the table's pages until a ``VACUUM``, which an erasure,
a purge and a key rotation run on the tables they changed (:meth:`PostgresConnection.vacuum`).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.attempts import FAILURES_KEPT
from storage.crypto import CipherError, TextCipher, is_sealed, key_check, opens_key_check
from storage.mentoring import POSSIBLE_FLAGS_KEPT
from storage.postgres.connection import Repository, Row
from storage.privacy import Erasure, ExportedRows, LedgerKinds, PurgeCounts, PurgeCutoffs
from storage.sqlite.privacy_rules import ENCRYPTED_COLUMNS, SEALED, TableRule
from storage.sqlite.privacy_rules import PERSONAL_TABLES as SQLITE_RULES
from storage.timestamps import from_db, to_db


def _params(person_id: int, kinds: LedgerKinds, tomb: str = "") -> dict[str, Any]:
    return {
        "pid": person_id,
        "spid": str(person_id),
        "tomb": tomb,
        "person_kinds": json.dumps(list(kinds.person)),
        "alert_kinds": json.dumps(list(kinds.alert)),
        "pairing_kinds": json.dumps(list(kinds.pairing)),
    }


def postgres_sql(sql: str) -> str:
    """A statement of the shared privacy registry in PostgreSQL's words."""
    return _JSON_LIST.sub(r"SELECT jsonb_array_elements_text(\1::jsonb)", sql)


_JSON_LIST = re.compile(r"SELECT value FROM json_each\((:\w+|\?)\)")

PERSONAL_TABLES = {
    table: TableRule(
        export=postgres_sql(rule.export), erase=tuple(postgres_sql(s) for s in rule.erase)
    )
    for table, rule in SQLITE_RULES.items()
}

_ALERT_KINDS = "kind IN (SELECT jsonb_array_elements_text(?::jsonb))"
_OLD_ALERT_SUBJECTS = "SELECT CAST(id AS TEXT) FROM alerts WHERE created_at < ?"


class PostgresPrivacy(Repository):
    @property
    def encrypts_text(self) -> bool:
        return self._db.cipher is not None

    async def export_person(self, person_id: int, kinds: LedgerKinds) -> ExportedRows:
        params = _params(person_id, kinds)
        exported: ExportedRows = {}
        # Inside one snapshot, so every table is read at the same moment.
        async with self._db.snapshot() as db:
            for table, rule in PERSONAL_TABLES.items():
                rows = await db.execute_fetchall(rule.export, params)
                exported[table] = [self._readable(table, row) for row in rows]
        return exported

    def _readable(self, table: str, row: Row) -> dict[str, Any]:
        values = dict(zip(row.keys(), row, strict=True))
        for column, value in values.items():
            if (table, column) in SEALED and isinstance(value, str):
                values[column] = self._db.unseal(value)
        return values

    async def erase_person(self, person_id: int, erasure: Erasure, kinds: LedgerKinds) -> bool:
        params = _params(person_id, kinds, erasure.id)
        async with self._db.write() as db:
            found = await db.execute_fetchall("SELECT 1 FROM people WHERE id = ?", (person_id,))
            if not list(found):
                return False
            for table in reversed(PERSONAL_TABLES):
                for statement in PERSONAL_TABLES[table].erase:
                    await db.execute(statement, params)
            await db.execute(
                "INSERT INTO erasures (id, erased_at, requested_by) VALUES (?, ?, ?)",
                (erasure.id, to_db(erasure.erased_at), erasure.requested_by),
            )
        await self._db.vacuum(PERSONAL_TABLES)
        return True

    async def erasures(self) -> list[Erasure]:
        rows = await self._db.fetchall("SELECT * FROM erasures ORDER BY erased_at, id")
        return [Erasure(row["id"], from_db(row["erased_at"]), row["requested_by"]) for row in rows]

    async def purge_expired(self, cutoffs: PurgeCutoffs, kinds: LedgerKinds) -> PurgeCounts:
        counts: dict[str, int] = {}
        async with self._db.write() as db:

            async def delete(name: str, sql: str, params: tuple[Any, ...]) -> None:
                changed = await db.execute(sql, params)
                counts[name] = counts.get(name, 0) + max(changed, 0)

            if cutoffs.checkins is not None:
                cut = to_db(cutoffs.checkins)
                await db.execute(
                    "DELETE FROM checkin_answers WHERE checkin_id IN"
                    " (SELECT id FROM checkins WHERE started_at < ?)",
                    (cut,),
                )
                await delete("checkins", "DELETE FROM checkins WHERE started_at < ?", (cut,))
                await delete(
                    "deliveries",
                    "DELETE FROM deliveries WHERE created_at < ? AND status <> 'pending'",
                    (cut,),
                )
                await delete(
                    "conversations", "DELETE FROM conversation_state WHERE updated_at < ?", (cut,)
                )
            await delete(
                "conversations",
                "DELETE FROM conversation_state WHERE updated_at < ? AND NOT EXISTS (SELECT 1"
                " FROM accounts a WHERE a.platform = conversation_state.platform"
                " AND a.platform_user_id = conversation_state.platform_user_id)",
                (to_db(cutoffs.pre_consent),),
            )
            if cutoffs.alerts is not None:
                cut, alert_kinds = to_db(cutoffs.alerts), json.dumps(list(kinds.alert))
                for table in ("deliveries", "due_work"):
                    await delete(
                        "deliveries" if table == "deliveries" else "due",
                        f"DELETE FROM {table} WHERE {_ALERT_KINDS}"
                        f" AND subject IN ({_OLD_ALERT_SUBJECTS})",
                        (alert_kinds, cut),
                    )
                await db.execute(
                    "DELETE FROM escalation_steps WHERE alert_id IN"
                    " (SELECT id FROM alerts WHERE created_at < ?)",
                    (cut,),
                )
                await delete("alerts", "DELETE FROM alerts WHERE created_at < ?", (cut,))
            if cutoffs.audit is not None:
                await delete("audit", "DELETE FROM audit_log WHERE at < ?", (to_db(cutoffs.audit),))
            await delete(
                "link_codes",
                "DELETE FROM link_codes WHERE expires_at < ?",
                (to_db(cutoffs.now),),
            )
            await db.execute(  # unanswered long ago: the due queue has told the asking account
                "DELETE FROM link_requests WHERE expires_at < ?",
                (to_db(cutoffs.now - timedelta(days=7)),),
            )
            kept_since = to_db(cutoffs.now - FAILURES_KEPT)
            await db.execute("DELETE FROM code_failures WHERE at < ?", (kept_since,))
            await db.execute("DELETE FROM code_throttle WHERE last_failure_at < ?", (kept_since,))
            await db.execute(  # the times of 'possible' verdicts of people who had no new one since
                "DELETE FROM possible_flags WHERE at < ?",
                (to_db(cutoffs.now - POSSIBLE_FLAGS_KEPT),),
            )
        result = PurgeCounts(
            checkins=counts.get("checkins", 0),
            deliveries=counts.get("deliveries", 0),
            conversations=counts.get("conversations", 0),
            alerts=counts.get("alerts", 0),
            audit=counts.get("audit", 0),
            link_codes=counts.get("link_codes", 0),
        )
        if result.total:
            await self._db.vacuum(_PURGED)
        return result

    async def rotate_cipher(self, new: TextCipher, old: TextCipher | None) -> int:
        written = 0
        async with self._db.write() as db:
            for table, column, which in ENCRYPTED_COLUMNS:
                rows = await db.execute_fetchall(
                    f"SELECT ctid, {column} FROM {table}"
                    f" WHERE {column} IS NOT NULL AND {column} <> ''"
                    + (f" AND {which}" if which else "")
                )
                updates = [
                    (new.encrypt(_decrypt_either(value, new, old)), ctid) for ctid, value in rows
                ]
                await db.executemany(f"UPDATE {table} SET {column} = ? WHERE ctid = ?", updates)
                written += len(updates)
            # The key check moves to the new key too, and only from a key it was made with.
            row = await db.execute_fetchall("SELECT canary FROM key_check WHERE id = 1")
            if row and not any(
                opens_key_check(cipher, row[0][0]) for cipher in (new, old) if cipher
            ):
                raise CipherError("the key check opens with neither key")
            await db.execute(
                "INSERT INTO key_check (id, canary, set_at) VALUES (1, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET canary = excluded.canary,"
                " set_at = excluded.set_at",
                (key_check(new), to_db(datetime.now(UTC))),
            )
        self._db.cipher = new
        await self._db.vacuum(sorted({table for table, _, _ in ENCRYPTED_COLUMNS}))
        return written


_PURGED = (
    "checkin_answers",
    "checkins",
    "deliveries",
    "conversation_state",
    "due_work",
    "escalation_steps",
    "alerts",
    "audit_log",
    "link_codes",
    "link_requests",
    "code_failures",
    "code_throttle",
    "possible_flags",
)
"""The tables the retention purge deletes from."""


def _decrypt_either(value: str, new: TextCipher, old: TextCipher | None) -> str:
    if not is_sealed(value):
        return value  # plain legacy text: encrypted now for the first time
    try:
        return new.decrypt(value)
    except CipherError:
        if old is None:
            raise
        return old.decrypt(value)
