-- Mentoring: who mentors whom (with a backup), mentor capacity, the coordinator on duty, what
-- each mentee shares, alerts and the escalation steps that climbed them, safety plans, and
-- the audit log of every staff view of mentee data. Every timestamp is UTC text.

-- A pairing row stays after it ends (ended_at), so history survives; only one is active.
CREATE TABLE pairings (
    id                  INTEGER PRIMARY KEY,
    mentee_id           INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    mentor_id           INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    backup_id           INTEGER REFERENCES people(id) ON DELETE SET NULL,
    source              TEXT NOT NULL CHECK (source IN ('invite', 'coordinator')),
    started_at          TEXT NOT NULL,
    ended_at            TEXT,
    change_requested_at TEXT,          -- the mentee asked for a different mentor (/newmentor)
    CHECK (mentee_id <> mentor_id)
);
CREATE UNIQUE INDEX pairings_active_mentee ON pairings(mentee_id) WHERE ended_at IS NULL;
CREATE INDEX pairings_active_mentor ON pairings(mentor_id) WHERE ended_at IS NULL;
CREATE INDEX pairings_active_backup ON pairings(backup_id) WHERE ended_at IS NULL;

-- A mentor's own limit; without a row, [mentoring] max_mentees applies.
CREATE TABLE mentor_capacity (
    mentor_id   INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    max_mentees INTEGER NOT NULL CHECK (max_mentees >= 0)
);

-- The coordinator the escalation chain ends with: one row at most.
CREATE TABLE coordinator_on_duty (
    slot      INTEGER PRIMARY KEY CHECK (slot = 1),
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    since     TEXT NOT NULL
);

-- What a mentee lets their mentor see. No row: the defaults (numbers and streak, no notes).
CREATE TABLE sharing (
    mentee_id INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    numbers   INTEGER NOT NULL CHECK (numbers IN (0, 1)),
    streak    INTEGER NOT NULL CHECK (streak IN (0, 1)),
    notes     INTEGER NOT NULL CHECK (notes IN (0, 1)),
    chosen_at TEXT NOT NULL
);

-- An alert never holds message text: only who, how urgent, what raised it and when.
CREATE TABLE alerts (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    severity     TEXT NOT NULL CHECK (severity IN ('urgent', 'normal')),
    "trigger"    TEXT NOT NULL CHECK ("trigger" IN
                     ('crisis', 'sos', 'use', 'craving', 'low_mood', 'missed_checkins')),
    created_at   TEXT NOT NULL,
    acked_at     TEXT,
    acked_by     INTEGER REFERENCES people(id) ON DELETE SET NULL
);
CREATE INDEX alerts_person ON alerts(person_id, created_at);
CREATE INDEX alerts_open ON alerts(created_at) WHERE acked_at IS NULL;

-- Each ping of an alert, climbing the chain (mentor, backup, coordinator on duty).
CREATE TABLE escalation_steps (
    alert_id     INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    step         INTEGER NOT NULL CHECK (step >= 1),
    recipient_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    role         TEXT NOT NULL CHECK (role IN ('mentor', 'backup', 'coordinator')),
    notified_at  TEXT NOT NULL,
    PRIMARY KEY (alert_id, step)
);
CREATE INDEX escalation_steps_recipient ON escalation_steps(recipient_id);

CREATE TABLE safety_plans (
    person_id     INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    warning_signs TEXT NOT NULL DEFAULT '',
    what_helps    TEXT NOT NULL DEFAULT '',
    people_places TEXT NOT NULL DEFAULT '',
    professionals TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL
);

-- Every staff view of mentee data. Erasing a person keeps the row but forgets who they were.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    INTEGER REFERENCES people(id) ON DELETE SET NULL,
    actor_label TEXT NOT NULL,
    subject_id  INTEGER REFERENCES people(id) ON DELETE SET NULL,
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_subject ON audit_log(subject_id, at);
