"""Every SQLite table that holds personal data, with how to export and how to erase a person.

One registry drives both ``export_person`` and ``erase_person``: adding a table here adds it to
both, and ``tests/test_privacy_tables.py`` fails for a table that is neither here nor on its
list of tables without personal data.

The queries take named parameters: ``:pid`` (the person id), ``:spid`` (the same as text, as the
due queue and the ledger write subjects), ``:tomb`` (the erasure's random id) and
``:person_kinds`` / ``:alert_kinds`` / ``:pairing_kinds`` (JSON lists of ledger kinds).

The tables are listed parents first, which is the order the export shows them in; erasure runs
the list backwards, children first. What erasure does, table by table:

- the person's own rows are deleted (accounts, answers, notes, goals, alerts, attendance...);
- rows of other people that merely point at them lose the pointer (a backup mentor, who
  acknowledged an alert, who ran a circle); a circle they facilitated passes to its
  co-facilitator, or is left without a facilitator for a coordinator to take over;
- goal comments they wrote on someone else's goal are deleted (they are their words);
- audit rows about them, or by them, are kept with the person replaced by the erasure's
  pseudonym and the detail (an alert number) dropped.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TableRule:
    export: str
    """SELECT of every row about the person."""
    erase: tuple[str, ...]
    """Statements, in order, that leave nothing of the person in the table."""


def _own(table: str, column: str = "person_id") -> TableRule:
    """A table whose rows all belong to the person named in ``column``."""
    return TableRule(
        export=f"SELECT * FROM {table} WHERE {column} = :pid",
        erase=(f"DELETE FROM {table} WHERE {column} = :pid",),
    )


def _in_kinds(name: str) -> str:
    return f"kind IN (SELECT value FROM json_each(:{name}))"


_ALERT_IDS = "SELECT id FROM alerts WHERE person_id = :pid"
_ALERT_SUBJECTS = "SELECT CAST(id AS TEXT) FROM alerts WHERE person_id = :pid"
_PAIRING_SUBJECTS = (
    "SELECT CAST(id AS TEXT) FROM pairings WHERE mentee_id = :pid OR mentor_id = :pid"
)
_GOAL_IDS = "SELECT id FROM goals WHERE person_id = :pid"
_CHECKIN_IDS = "SELECT id FROM checkins WHERE person_id = :pid"
_ADDRESSES = "SELECT platform, platform_user_id FROM accounts WHERE person_id = :pid"

QUEUE_ROWS = (
    "person_id = :pid"
    f" OR ({_in_kinds('person_kinds')} AND subject = :spid)"
    f" OR ({_in_kinds('alert_kinds')} AND subject IN ({_ALERT_SUBJECTS}))"
    f" OR ({_in_kinds('pairing_kinds')} AND subject IN ({_PAIRING_SUBJECTS}))"
)
"""Due-queue and ledger rows about the person, their alerts or their pairings."""

PERSONAL_TABLES: dict[str, TableRule] = {
    "people": _own("people", "id"),
    "accounts": _own("accounts"),
    "roles": _own("roles"),
    "consent": _own("consent"),
    "settings": _own("settings"),
    "conversation_state": TableRule(
        export=f"SELECT * FROM conversation_state WHERE (platform, platform_user_id) IN"
        f" ({_ADDRESSES})",
        erase=(
            f"DELETE FROM conversation_state WHERE (platform, platform_user_id) IN ({_ADDRESSES})",
        ),
    ),
    "link_codes": _own("link_codes"),
    "link_requests": _own("link_requests"),
    "account_links": _own("account_links"),
    "code_throttle": TableRule(
        export=f"SELECT * FROM code_throttle WHERE (platform, platform_user_id) IN ({_ADDRESSES})",
        erase=(f"DELETE FROM code_throttle WHERE (platform, platform_user_id) IN ({_ADDRESSES})",),
    ),
    "code_failures": TableRule(
        export=f"SELECT * FROM code_failures WHERE (platform, platform_user_id) IN ({_ADDRESSES})",
        erase=(f"DELETE FROM code_failures WHERE (platform, platform_user_id) IN ({_ADDRESSES})",),
    ),
    "invite_codes": _own("invite_codes", "created_by"),
    "dashboard_logins": _own("dashboard_logins"),
    "checkins": _own("checkins"),
    "milestones": _own("milestones"),
    "checkin_answers": TableRule(
        export=f"SELECT * FROM checkin_answers WHERE checkin_id IN ({_CHECKIN_IDS})",
        erase=(f"DELETE FROM checkin_answers WHERE checkin_id IN ({_CHECKIN_IDS})",),
    ),
    "goals": _own("goals"),
    "goal_steps": TableRule(
        export=f"SELECT * FROM goal_steps WHERE goal_id IN ({_GOAL_IDS})",
        erase=(f"DELETE FROM goal_steps WHERE goal_id IN ({_GOAL_IDS})",),
    ),
    "goal_comments": TableRule(
        export=f"SELECT * FROM goal_comments WHERE goal_id IN ({_GOAL_IDS}) OR author_id = :pid",
        erase=(f"DELETE FROM goal_comments WHERE goal_id IN ({_GOAL_IDS}) OR author_id = :pid",),
    ),
    "goal_review_days": _own("goal_review_days"),
    "safety_plans": _own("safety_plans"),
    "sharing": _own("sharing", "mentee_id"),
    "pairings": TableRule(
        export="SELECT * FROM pairings WHERE :pid IN (mentee_id, mentor_id, backup_id)",
        erase=(
            "UPDATE pairings SET backup_id = NULL WHERE backup_id = :pid",
            "DELETE FROM pairings WHERE mentee_id = :pid OR mentor_id = :pid",
        ),
    ),
    "mentor_capacity": _own("mentor_capacity", "mentor_id"),
    "coordinator_on_duty": _own("coordinator_on_duty"),
    "alerts": TableRule(
        export="SELECT * FROM alerts WHERE person_id = :pid OR acked_by = :pid",
        erase=(
            "UPDATE alerts SET acked_by = NULL WHERE acked_by = :pid",
            "DELETE FROM alerts WHERE person_id = :pid",
        ),
    ),
    "escalation_steps": TableRule(
        export=f"SELECT * FROM escalation_steps WHERE alert_id IN ({_ALERT_IDS})"
        " OR recipient_id = :pid",
        erase=(
            f"DELETE FROM escalation_steps WHERE alert_id IN ({_ALERT_IDS})",
            "UPDATE escalation_steps SET recipient_id = NULL WHERE recipient_id = :pid",
        ),
    ),
    "possible_flags": _own("possible_flags"),
    "audit_log": TableRule(
        export="SELECT * FROM audit_log WHERE subject_id = :pid OR actor_id = :pid",
        erase=(
            "UPDATE audit_log SET subject_id = NULL, subject_pseudonym = :tomb, detail = ''"
            " WHERE subject_id = :pid",
            "UPDATE audit_log SET actor_id = NULL, actor_pseudonym = :tomb,"
            " actor_label = 'erased:' || :tomb WHERE actor_id = :pid",
        ),
    ),
    "circles": TableRule(
        export="SELECT * FROM circles WHERE :pid IN (facilitator_id, co_facilitator_id)",
        erase=(
            "UPDATE circles SET facilitator_id = co_facilitator_id, co_facilitator_id = NULL"
            " WHERE facilitator_id = :pid AND co_facilitator_id IS NOT NULL",
            "UPDATE circles SET facilitator_id = NULL WHERE facilitator_id = :pid",
            "UPDATE circles SET co_facilitator_id = NULL WHERE co_facilitator_id = :pid",
        ),
    ),
    "circle_sessions": TableRule(
        export="SELECT * FROM circle_sessions WHERE :pid IN (runner_id, current_speaker_id)",
        erase=(
            "UPDATE circle_sessions SET runner_id = NULL WHERE runner_id = :pid",
            "UPDATE circle_sessions SET current_speaker_id = NULL, speaker_since = NULL"
            " WHERE current_speaker_id = :pid",
        ),
    ),
    "match_profiles": _own("match_profiles"),
    "trainings": _own("trainings"),
    "supervision_sessions": _own("supervision_sessions"),
    "circle_rsvps": _own("circle_rsvps"),
    "circle_attendance": _own("circle_attendance"),
    "circle_pulses": _own("circle_pulses"),
    "due_work": TableRule(
        export=f"SELECT * FROM due_work WHERE {QUEUE_ROWS}",
        erase=(f"DELETE FROM due_work WHERE {QUEUE_ROWS}",),
    ),
    "deliveries": TableRule(
        export=f"SELECT * FROM deliveries WHERE {QUEUE_ROWS}",
        erase=(f"DELETE FROM deliveries WHERE {QUEUE_ROWS}",),
    ),
}

FLOORED = ("people", "alerts")
"""Tables whose ids are never reused (see ``next_id``); deleting from them raises the floor."""


def next_id(table: str) -> str:
    """SQL for the id of a new row: above every id the table has ever used."""
    return (
        f"(SELECT max(COALESCE((SELECT MAX(id) FROM {table}), 0),"
        f" COALESCE((SELECT high FROM id_floors WHERE name = '{table}'), 0)) + 1)"
    )


def raise_floor(table: str) -> str:
    """SQL recording the table's highest id before rows are deleted from it."""
    return (
        f"INSERT INTO id_floors (name, high) SELECT '{table}', COALESCE(MAX(id), 0) FROM {table}"
        " WHERE true ON CONFLICT (name) DO UPDATE SET high = max(high, excluded.high)"
    )


ENCRYPTED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("checkin_answers", "value_text", "value_number IS NULL"),
    ("safety_plans", "warning_signs", ""),
    ("safety_plans", "what_helps", ""),
    ("safety_plans", "people_places", ""),
    ("safety_plans", "professionals", ""),
    ("goals", "title", ""),
    ("goal_steps", "title", ""),
    ("goal_comments", "text", ""),
    ("conversation_state", "data", ""),
    ("trainings", "course", ""),
    ("trainings", "provider", ""),
    ("supervision_sessions", "supervisor", ""),
)
"""(table, column, which rows): the free text stored encrypted when a key is set. Check-in
answers are encrypted only for free-text questions (yes/no answers carry a number too)."""

SEALED = frozenset((table, column) for table, column, _ in ENCRYPTED_COLUMNS)
