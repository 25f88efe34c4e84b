-- Check-ins, their answers, and the delivery ledger for proactive sends.

CREATE TABLE checkins (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    local_date   TEXT NOT NULL,      -- the day it counts for, in the person's zone
    source       TEXT NOT NULL CHECK (source IN ('scheduled', 'on_demand')),
    started_at   TEXT NOT NULL,
    completed_at TEXT,
    closed_at    TEXT                -- no longer answerable (a newer one replaced it)
);
CREATE INDEX checkins_person_date ON checkins(person_id, local_date);

CREATE TABLE checkin_answers (
    checkin_id   INTEGER NOT NULL REFERENCES checkins(id) ON DELETE CASCADE,
    question_key TEXT NOT NULL,
    value_number REAL,
    value_text   TEXT,
    skipped      INTEGER NOT NULL DEFAULT 0,
    answered_at  TEXT NOT NULL,
    PRIMARY KEY (checkin_id, question_key)
);

-- One row per proactive send, written before it and marked after it. A restart re-sends only
-- what is still 'pending': the one duplicate window is a crash between the send and the mark.
CREATE TABLE deliveries (
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    occurrence  TEXT NOT NULL,
    person_id   INTEGER REFERENCES people(id) ON DELETE CASCADE,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'missed', 'failed', 'skipped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    finished_at TEXT,
    reason      TEXT,
    PRIMARY KEY (kind, subject, occurrence)
);
CREATE INDEX deliveries_person ON deliveries(person_id);

ALTER TABLE settings ADD COLUMN consecutive_misses INTEGER NOT NULL DEFAULT 0;
ALTER TABLE settings ADD COLUMN paused_reason TEXT;
