"""The batch path of the scheduled check-in prompts (see :mod:`storage.prompt_batches`).

Each method is one round trip or one transaction for a whole batch: the rows of a batch travel
as one JSON parameter read with ``jsonb_array_elements`` (one statement text whatever the batch
size, so asyncpg's prepared statement cache keeps it), or through ``executemany``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage.deliveries import DeliveryStatus
from storage.people import Account, AccountAddress, Person, Settings
from storage.postgres.connection import Repository, Row, Transaction
from storage.prompt_batches import (
    DueOutcome,
    LedgerMark,
    MissToCount,
    PreparedPrompts,
    PromptFacts,
    PromptKey,
    PromptToOpen,
)
from storage.timestamps import (
    from_db,
    maybe_from_db,
    maybe_from_db_date,
    to_db,
    to_db_date,
)

_FACTS = """
WITH batch AS (
    SELECT (j.value->>0)::bigint AS person_id,
           j.value->>1 AS subject,
           j.value->>2 AS day
    FROM jsonb_array_elements(:batch::jsonb) AS j(value)
), keyed AS (
    SELECT b.person_id, b.subject, b.day,
           (SELECT c.local_date FROM checkins c
             WHERE c.person_id = b.person_id AND c.source = :source AND c.local_date < b.day
             ORDER BY c.local_date DESC, c.id DESC LIMIT 1) AS previous_day
    FROM batch b
)
SELECT k.subject, k.previous_day,
       p.id, p.display_name, p.created_at, p.onboarded_at, p.stopped_at, p.journey_start,
       p.streak_start,
       s.person_id AS settings_person_id, s.timezone, s.checkin_time, s.paused_until,
       s.quiet_hours, s.prompt_platform, s.consecutive_misses, s.paused_reason, s.language,
       (SELECT json_agg(json_build_array(a.platform, a.platform_user_id, a.chat_id,
                                         a.thread_id, a.created_at))
          FROM accounts a WHERE a.person_id = k.person_id)::text AS accounts,
       EXISTS (SELECT 1 FROM checkins c WHERE c.person_id = k.person_id
                AND c.local_date = k.day AND c.completed_at IS NOT NULL) AS completed,
       EXISTS (SELECT 1 FROM checkins c WHERE c.person_id = k.person_id
                AND c.local_date = k.previous_day AND c.completed_at IS NOT NULL)
           AS previous_completed,
       (SELECT d.status FROM deliveries d WHERE d.kind = :kind AND d.subject = k.subject
           AND d.occurrence = k.day) AS status,
       (SELECT d.status FROM deliveries d WHERE d.kind = :miss_kind AND d.subject = k.subject
           AND d.occurrence = k.day) AS miss_status,
       (SELECT d.status FROM deliveries d WHERE d.kind = :miss_kind AND d.subject = k.subject
           AND d.occurrence = k.previous_day) AS previous_miss_status
FROM keyed k
JOIN people p ON p.id = k.person_id
LEFT JOIN settings s ON s.person_id = k.person_id
"""

# A final status is never overwritten here: only a missing or 'pending' row takes the mark.
_MARK_IF_UNSETTLED = (
    "INSERT INTO deliveries (kind, subject, occurrence, person_id, status, created_at,"
    " finished_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (kind, subject, occurrence) DO UPDATE SET status = excluded.status,"
    " finished_at = excluded.finished_at, reason = excluded.reason"
    " WHERE deliveries.status = 'pending'"
)

# As finish_delivery: the status after the send (or the failure) is simply recorded.
_MARK = (
    "INSERT INTO deliveries (kind, subject, occurrence, person_id, status, created_at,"
    " finished_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (kind, subject, occurrence) DO UPDATE SET status = excluded.status,"
    " finished_at = excluded.finished_at, reason = excluded.reason"
)

_NEW_MISSES = (
    "INSERT INTO deliveries (kind, subject, occurrence, person_id, status, attempts, created_at)"
    " SELECT :miss_kind::text, j.value->>1, j.value->>2,"
    "        (j.value->>0)::bigint, 'pending', 1, :now::text"
    " FROM jsonb_array_elements(:misses::jsonb) AS j(value)"
    " ON CONFLICT (kind, subject, occurrence) DO NOTHING RETURNING subject, occurrence"
)

# The ledger row before the send, only for rows still leased to their claimant (as
# begin_delivery: a new row is 'pending'; an existing one counts one more attempt).
_BEGIN_PROMPTS = (
    "INSERT INTO deliveries (kind, subject, occurrence, person_id, status, attempts, created_at)"
    " SELECT :kind::text, w.subject, w.occurrence, w.person_id, 'pending', 1, :now::text"
    " FROM jsonb_array_elements(:prompts::jsonb) AS j(value) JOIN due_work w"
    "   ON w.kind = j.value->>0 AND w.subject = j.value->>1"
    " WHERE w.due_at = j.value->>2"
    "   AND w.occurrence = j.value->>3"
    "   AND w.lease_owner = j.value->>4"
    " ON CONFLICT (kind, subject, occurrence) DO UPDATE SET attempts = deliveries.attempts + 1"
    " RETURNING subject, status"
)

_STILL_OURS = "kind = ? AND subject = ? AND due_at = ? AND occurrence = ? AND lease_owner = ?"


class PostgresPromptBatches(Repository):
    # The batch path of scheduled check-in prompts ---------------------------------------------

    async def prompt_batch_facts(
        self, keys: Sequence[PromptKey], *, kind: str, miss_kind: str, source: str
    ) -> dict[str, PromptFacts]:
        if not keys:
            return {}
        batch = json.dumps([[k.person_id, k.subject, to_db_date(k.day)] for k in keys])
        params = {"batch": batch, "source": source, "kind": kind, "miss_kind": miss_kind}
        rows = await self._db.fetchall(_FACTS, params)
        return {row["subject"]: _facts(row) for row in rows}

    async def prepare_prompts(
        self,
        *,
        kind: str,
        miss_kind: str,
        marks: Sequence[LedgerMark],
        misses: Sequence[MissToCount],
        prompts: Sequence[PromptToOpen],
        source: str,
        flow: str,
        step: str,
        now: datetime,
    ) -> PreparedPrompts:
        stamp = to_db(now)
        person_of: dict[str, int] = {}
        for prompt in prompts:
            person_id = prompt.claimed.person_id
            if person_id is None or prompt.claimed.subject in person_of:
                raise ValueError("each prompt needs a person and a subject of its own")
            person_of[prompt.claimed.subject] = person_id
        if len(set(person_of.values())) != len(person_of):
            raise ValueError("each prompt needs a person of its own")
        newly: list[MissToCount] = []
        counts: dict[int, int] = {}
        checkin_ids: dict[str, int] = {}
        if not (marks or misses or prompts):
            return PreparedPrompts(checkin_ids=checkin_ids, newly_counted=newly, miss_counts=counts)
        async with self._db.write() as db:
            if marks:
                await db.executemany(_MARK_IF_UNSETTLED, [_mark_params(m, stamp) for m in marks])
            if misses:
                by_key = {(m.subject, to_db_date(m.day)): m for m in misses}
                payload = json.dumps([[m.person_id, m.subject, to_db_date(m.day)] for m in misses])
                inserted = await db.execute_fetchall(
                    _NEW_MISSES,
                    {"miss_kind": miss_kind, "now": stamp, "misses": payload},
                )
                newly = [by_key[(row[0], row[1])] for row in inserted]
                if newly:
                    await db.executemany(
                        "UPDATE settings SET consecutive_misses = consecutive_misses + 1"
                        " WHERE person_id = ?",
                        [(m.person_id,) for m in newly],
                    )
                people = json.dumps(sorted({m.person_id for m in misses}))
                counts = {m.person_id: 0 for m in misses}
                for row in await db.execute_fetchall(
                    "SELECT person_id, consecutive_misses FROM settings"
                    " WHERE person_id IN (SELECT jsonb_array_elements_text(?::jsonb)::bigint)",
                    (people,),
                ):
                    counts[row[0]] = int(row[1])
            if prompts:
                await self._open_prompts(
                    db, prompts, person_of, checkin_ids, kind, source, flow, step, stamp
                )
        return PreparedPrompts(checkin_ids=checkin_ids, newly_counted=newly, miss_counts=counts)

    async def _open_prompts(
        self,
        db: Transaction,
        prompts: Sequence[PromptToOpen],
        person_of: dict[str, int],
        checkin_ids: dict[str, int],
        kind: str,
        source: str,
        flow: str,
        step: str,
        stamp: str,
    ) -> None:
        leased = json.dumps(
            [
                [
                    p.claimed.kind,
                    p.claimed.subject,
                    to_db(p.claimed.due_at),
                    p.claimed.occurrence,
                    p.claimed.lease_owner,
                ]
                for p in prompts
            ]
        )
        begun = await db.execute_fetchall(
            _BEGIN_PROMPTS,
            {"kind": kind, "now": stamp, "prompts": leased},
        )
        pending = {row[0] for row in begun if row[1] == DeliveryStatus.PENDING.value}
        going = [p for p in prompts if p.claimed.subject in pending]
        if not going:
            return
        people = json.dumps([person_of[p.claimed.subject] for p in going])
        # Only one check-in is answerable at a time: a new one closes the older ones.
        await db.execute(
            "UPDATE checkins SET closed_at = ? WHERE completed_at IS NULL AND closed_at IS NULL"
            " AND person_id IN (SELECT jsonb_array_elements_text(?::jsonb)::bigint)",
            (stamp, people),
        )
        opened = await db.execute_fetchall(
            "INSERT INTO checkins (person_id, local_date, source, started_at)"
            " SELECT (j.value->>0)::bigint, j.value->>1, ?::text, ?::text"
            " FROM jsonb_array_elements(?::jsonb) AS j(value) RETURNING id, person_id",
            (
                source,
                stamp,
                json.dumps([[person_of[p.claimed.subject], to_db_date(p.day)] for p in going]),
            ),
        )
        id_of = {row[1]: row[0] for row in opened}
        for p in going:
            checkin_ids[p.claimed.subject] = id_of[person_of[p.claimed.subject]]
        # As save_conversation (sealed when the store has a cipher), for every account at once.
        await db.executemany(
            "INSERT INTO conversation_state (platform, platform_user_id, flow, step, data,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, platform_user_id) DO UPDATE SET flow = excluded.flow,"
            " step = excluded.step, data = excluded.data, updated_at = excluded.updated_at",
            [
                (
                    p.address.platform,
                    p.address.platform_user_id,
                    flow,
                    step,
                    self._db.seal(json.dumps({"checkin_id": checkin_ids[p.claimed.subject]})),
                    stamp,
                )
                for p in going
            ],
        )

    async def finish_due_batch(self, outcomes: Sequence[DueOutcome], now: datetime) -> None:
        stamp = to_db(now)
        marks = [_mark_params(m, stamp) for o in outcomes for m in o.marks]
        reminders = [
            (r.kind, r.subject, r.person_id, to_db(r.due_at), r.occurrence)
            for o in outcomes
            if (r := o.reminder) is not None
        ]
        pauses = [
            o for o in outcomes if o.paused_until is not None and o.claimed.person_id is not None
        ]
        moves = [
            (to_db(o.next_work.due_at), o.next_work.occurrence, *_claim_key(o))
            for o in outcomes
            if o.advance and o.next_work is not None
        ]
        drops = [_claim_key(o) for o in outcomes if o.advance and o.next_work is None]
        if not (marks or reminders or pauses or moves or drops):
            return
        async with self._db.write() as db:
            if marks:
                await db.executemany(_MARK, marks)
            if reminders:
                # As set_due.
                await db.executemany(
                    "INSERT INTO due_work (kind, subject, person_id, due_at, occurrence)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, subject) DO UPDATE SET"
                    " person_id = excluded.person_id, due_at = excluded.due_at,"
                    " occurrence = excluded.occurrence, lease_owner = NULL, lease_until = NULL",
                    reminders,
                )
            if pauses:
                await db.executemany(
                    "INSERT INTO settings (person_id, paused_until, paused_reason) VALUES (?, ?, ?)"
                    " ON CONFLICT (person_id) DO UPDATE SET paused_until = excluded.paused_until,"
                    " paused_reason = excluded.paused_reason",
                    [
                        (o.claimed.person_id, to_db(o.paused_until), o.paused_reason)
                        for o in pauses
                        if o.paused_until is not None
                    ],
                )
                await db.executemany(
                    "DELETE FROM due_work WHERE kind = ? AND subject = ?",
                    [(o.claimed.kind, o.claimed.subject) for o in pauses],
                )
            if moves:
                # As advance_due: only rows still leased to their claimant move.
                await db.executemany(
                    "UPDATE due_work SET due_at = ?, occurrence = ?, lease_owner = NULL,"
                    f" lease_until = NULL WHERE {_STILL_OURS}",
                    moves,
                )
            if drops:
                await db.executemany(f"DELETE FROM due_work WHERE {_STILL_OURS}", drops)


def _mark_params(mark: LedgerMark, stamp: str) -> tuple[Any, ...]:
    return (
        mark.kind,
        mark.subject,
        mark.occurrence,
        mark.person_id,
        mark.status.value,
        stamp,
        stamp,
        mark.reason,
    )


def _claim_key(outcome: DueOutcome) -> tuple[Any, ...]:
    claimed = outcome.claimed
    return (
        claimed.kind,
        claimed.subject,
        to_db(claimed.due_at),
        claimed.occurrence,
        claimed.lease_owner,
    )


def _status(text: str | None) -> DeliveryStatus | None:
    return DeliveryStatus(text) if text is not None else None


def _facts(row: Row) -> PromptFacts:
    person_id = row["id"]
    person = Person(
        id=person_id,
        display_name=row["display_name"],
        created_at=from_db(row["created_at"]),
        onboarded_at=maybe_from_db(row["onboarded_at"]),
        stopped_at=maybe_from_db(row["stopped_at"]),
        journey_start=maybe_from_db_date(row["journey_start"]),
        streak_start=maybe_from_db_date(row["streak_start"]),
    )
    if row["settings_person_id"] is None:
        settings = Settings(person_id=person_id)
    else:
        settings = Settings(
            person_id=person_id,
            timezone=row["timezone"],
            checkin_time=row["checkin_time"],
            paused_until=maybe_from_db(row["paused_until"]),
            quiet_hours=row["quiet_hours"],
            prompt_platform=row["prompt_platform"],
            consecutive_misses=row["consecutive_misses"],
            paused_reason=row["paused_reason"],
            language=row["language"],
        )
    listed = json.loads(row["accounts"]) if row["accounts"] else []
    listed.sort(key=lambda a: (a[4], a[0]))  # as accounts_of: ORDER BY created_at, platform
    accounts = tuple(
        Account(
            address=AccountAddress(platform, user_id),
            person_id=person_id,
            chat_id=chat_id,
            thread_id=thread_id,
        )
        for platform, user_id, chat_id, thread_id, _ in listed
    )
    return PromptFacts(
        person=person,
        settings=settings,
        accounts=accounts,
        status=_status(row["status"]),
        completed=bool(row["completed"]),
        miss_status=_status(row["miss_status"]),
        previous_day=maybe_from_db_date(row["previous_day"]),
        previous_completed=bool(row["previous_completed"]),
        previous_miss_status=_status(row["previous_miss_status"]),
    )
