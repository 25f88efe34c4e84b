"""Alerts and their escalation steps, safety plans, the audit log and check-in summaries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from storage.checkins import Answer
from storage.mentoring import (
    Alert,
    AlertReuse,
    AuditEntry,
    ChainRole,
    CheckinSummary,
    EscalationStep,
    SafetyPlan,
    Severity,
    Trigger,
)
from storage.postgres.connection import Repository, Row, Transaction
from storage.timestamps import from_db, from_db_date, maybe_from_db, to_db


class PostgresAlerts(Repository):
    # Alerts and escalation --------------------------------------------------------------------

    async def create_alert(
        self,
        person_id: int,
        trigger: Trigger,
        now: datetime,
        *,
        reuse: AlertReuse | None = None,
    ) -> tuple[Alert, bool]:
        severity = trigger.severity
        async with self._db.write() as db:
            if reuse is not None:
                sql = (
                    "SELECT * FROM alerts WHERE person_id = ? AND severity = ? AND created_at >= ?"
                )
                params: list[Any] = [person_id, severity.value, to_db(reuse.since)]
                if reuse.same_trigger:
                    sql += ' AND "trigger" = ?'
                    params.append(trigger.value)
                if reuse.unacked_only:
                    sql += " AND acked_at IS NULL"
                found = first(
                    await db.execute_fetchall(sql + " ORDER BY id DESC LIMIT 1", tuple(params))
                )
                if found is not None:
                    return _alert(found), False
            rows = await db.execute_fetchall(
                'INSERT INTO alerts (person_id, severity, "trigger", created_at)'
                " VALUES (?, ?, ?, ?) RETURNING *",
                (person_id, severity.value, trigger.value, to_db(now)),
            )
        return _alert(next(iter(rows))), True

    async def record_possible(self, person_id: int, now: datetime, since: datetime) -> int:
        async with self._db.write() as db:
            await db.execute(
                "DELETE FROM possible_flags WHERE person_id = ? AND at < ?",
                (person_id, to_db(since)),
            )
            await db.execute(
                "INSERT INTO possible_flags (person_id, at) VALUES (?, ?)",
                (person_id, to_db(now)),
            )
            rows = await db.execute_fetchall(
                "SELECT COUNT(*) FROM possible_flags WHERE person_id = ? AND at >= ?",
                (person_id, to_db(since)),
            )
        return int(next(iter(rows))[0])

    async def get_alert(self, alert_id: int) -> Alert | None:
        row = await self._db.fetchone("SELECT * FROM alerts WHERE id = ?", (alert_id,))
        return _alert(row) if row is not None else None

    async def ack_alert(self, alert_id: int, by: int, now: datetime) -> tuple[Alert, bool] | None:
        async with self._db.write() as db:
            changed = await db.execute(
                "UPDATE alerts SET acked_at = ?, acked_by = ? WHERE id = ? AND acked_at IS NULL",
                (to_db(now), by, alert_id),
            )
            acked = changed == 1
            rows = await db.execute_fetchall("SELECT * FROM alerts WHERE id = ?", (alert_id,))
        found = first(rows)
        return (_alert(found), acked) if found is not None else None

    async def open_alerts(self, person_ids: Sequence[int] | None = None) -> list[Alert]:
        if person_ids is None:
            rows = await self._db.fetchall(
                "SELECT * FROM alerts WHERE acked_at IS NULL ORDER BY created_at, id"
            )
        elif not person_ids:
            return []
        else:
            marks = ", ".join("?" for _ in person_ids)
            rows = await self._db.fetchall(
                f"SELECT * FROM alerts WHERE acked_at IS NULL AND person_id IN ({marks})"
                " ORDER BY created_at, id",
                tuple(person_ids),
            )
        return [_alert(row) for row in rows]

    async def open_alerts_for_recipient(self, recipient_id: int) -> list[Alert]:
        rows = await self._db.fetchall(
            "SELECT * FROM alerts WHERE acked_at IS NULL AND id IN"
            " (SELECT alert_id FROM escalation_steps WHERE recipient_id = ?)"
            " ORDER BY created_at, id",
            (recipient_id,),
        )
        return [_alert(row) for row in rows]

    async def record_step(self, step: EscalationStep) -> bool:
        async with self._db.write() as db:
            changed = await db.execute(
                "INSERT INTO escalation_steps (alert_id, step, recipient_id, role,"
                " notified_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    step.alert_id,
                    step.step,
                    step.recipient_id,
                    step.role.value,
                    to_db(step.notified_at),
                ),
            )
            return changed == 1

    async def steps_of(self, alert_id: int) -> list[EscalationStep]:
        rows = await self._db.fetchall(
            "SELECT * FROM escalation_steps WHERE alert_id = ? AND recipient_id IS NOT NULL"
            " ORDER BY step",
            (alert_id,),
        )
        return [
            EscalationStep(
                alert_id=row["alert_id"],
                step=row["step"],
                recipient_id=row["recipient_id"],
                role=ChainRole(row["role"]),
                notified_at=from_db(row["notified_at"]),
            )
            for row in rows
        ]

    # Safety plans -------------------------------------------------------------------------------

    async def get_safety_plan(self, person_id: int) -> SafetyPlan | None:
        row = await self._db.fetchone(
            "SELECT * FROM safety_plans WHERE person_id = ?", (person_id,)
        )
        if row is None:
            return None
        return SafetyPlan(
            person_id=row["person_id"],
            warning_signs=self._db.unseal(row["warning_signs"]),
            what_helps=self._db.unseal(row["what_helps"]),
            people_places=self._db.unseal(row["people_places"]),
            professionals=self._db.unseal(row["professionals"]),
            updated_at=from_db(row["updated_at"]),
        )

    async def save_safety_plan(self, plan: SafetyPlan, now: datetime) -> SafetyPlan:
        await self._db.write_one(
            "INSERT INTO safety_plans (person_id, warning_signs, what_helps, people_places,"
            " professionals, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (person_id) DO UPDATE SET warning_signs = excluded.warning_signs,"
            " what_helps = excluded.what_helps, people_places = excluded.people_places,"
            " professionals = excluded.professionals, updated_at = excluded.updated_at",
            (
                plan.person_id,
                self._db.seal(plan.warning_signs),
                self._db.seal(plan.what_helps),
                self._db.seal(plan.people_places),
                self._db.seal(plan.professionals),
                to_db(now),
            ),
        )
        return SafetyPlan(
            plan.person_id,
            plan.warning_signs,
            plan.what_helps,
            plan.people_places,
            plan.professionals,
            updated_at=now,
        )

    # The audit log ------------------------------------------------------------------------------

    async def write_audit(self, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        async with self._db.write() as db:
            await db.executemany(
                "INSERT INTO audit_log (at, actor_id, actor_label, subject_id, action, detail)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (to_db(e.at), e.actor_id, e.actor_label, e.subject_id, e.action, e.detail)
                    for e in entries
                ],
            )

    async def audit_log(
        self,
        *,
        subject_id: int | None = None,
        actor_id: int | None = None,
        since: datetime | None = None,
        limit: int = 200,
    ) -> list[AuditEntry]:
        sql = "SELECT * FROM audit_log WHERE 1 = 1"
        params: list[Any] = []
        for column, value in (("subject_id", subject_id), ("actor_id", actor_id)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        if since is not None:
            sql += " AND at >= ?"
            params.append(to_db(since))
        rows = await self._db.fetchall(sql + " ORDER BY at DESC, id DESC LIMIT ?", (*params, limit))
        return [
            AuditEntry(
                at=from_db(row["at"]),
                actor_id=row["actor_id"],
                actor_label=row["actor_label"],
                subject_id=row["subject_id"],
                action=row["action"],
                detail=row["detail"],
                id=row["id"],
                subject_pseudonym=row["subject_pseudonym"],
                actor_pseudonym=row["actor_pseudonym"],
            )
            for row in rows
        ]

    # Check-in summaries -----------------------------------------------------------------------

    async def recent_checkins(self, person_id: int, limit: int) -> list[CheckinSummary]:
        rows = await self._db.fetchall(
            "SELECT * FROM checkins WHERE person_id = ? AND completed_at IS NOT NULL"
            " ORDER BY completed_at DESC, id DESC LIMIT ?",
            (person_id, limit),
        )
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        marks = ", ".join("?" for _ in ids)
        answer_rows = await self._db.fetchall(
            f"SELECT * FROM checkin_answers WHERE checkin_id IN ({marks})", tuple(ids)
        )
        answers: dict[int, dict[str, Answer]] = {checkin_id: {} for checkin_id in ids}
        for row in answer_rows:
            answers[row["checkin_id"]][row["question_key"]] = Answer(
                question_key=row["question_key"],
                number=row["value_number"],
                text=self._db.unseal(row["value_text"]),
                skipped=bool(row["skipped"]),
            )
        return [
            CheckinSummary(
                checkin_id=row["id"],
                local_date=from_db_date(row["local_date"]),
                completed_at=from_db(row["completed_at"]),
                answers=answers[row["id"]],
            )
            for row in rows
        ]


async def exists(db: Transaction, sql: str, params: tuple[Any, ...]) -> bool:
    return first(await db.execute_fetchall(sql, params)) is not None


def first(rows: Iterable[Row]) -> Row | None:
    return next(iter(rows), None)


def _alert(row: Row) -> Alert:
    return Alert(
        id=row["id"],
        person_id=row["person_id"],
        severity=Severity(row["severity"]),
        trigger=Trigger(row["trigger"]),
        created_at=from_db(row["created_at"]),
        acked_at=maybe_from_db(row["acked_at"]),
        acked_by=row["acked_by"],
    )
