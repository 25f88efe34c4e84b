-- Asking when unsure: a crisis screen verdict of "possible" asks the person directly whether
-- they are safe. Two new alert triggers (the question went unanswered; three such verdicts in a
-- week) and the verdicts' times, counted per person over a week. Nothing of what was said.
--
-- SQLite cannot change a CHECK in place, so alerts is rebuilt with its new list of triggers.
-- Foreign keys are on while migrating, and dropping a table deletes its rows first (which would
-- cascade to escalation_steps), so both tables are moved aside by renaming, rebuilt, refilled
-- and only then dropped, children first.

ALTER TABLE escalation_steps RENAME TO escalation_steps_0013;
ALTER TABLE alerts RENAME TO alerts_0013;
DROP INDEX alerts_person;
DROP INDEX alerts_open;
DROP INDEX escalation_steps_recipient;

CREATE TABLE alerts (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    severity     TEXT NOT NULL CHECK (severity IN ('urgent', 'normal')),
    "trigger"    TEXT NOT NULL CHECK ("trigger" IN
                     ('crisis', 'sos', 'use', 'craving', 'low_mood', 'missed_checkins',
                      'possible_unanswered', 'possible_repeated')),
    created_at   TEXT NOT NULL,
    acked_at     TEXT,
    acked_by     INTEGER REFERENCES people(id) ON DELETE SET NULL
);
INSERT INTO alerts (id, person_id, severity, "trigger", created_at, acked_at, acked_by)
    SELECT id, person_id, severity, "trigger", created_at, acked_at, acked_by FROM alerts_0013;
CREATE INDEX alerts_person ON alerts(person_id, created_at);
CREATE INDEX alerts_open ON alerts(created_at) WHERE acked_at IS NULL;

CREATE TABLE escalation_steps (
    alert_id     INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    step         INTEGER NOT NULL CHECK (step >= 1),
    recipient_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    role         TEXT NOT NULL CHECK (role IN ('mentor', 'backup', 'coordinator')),
    notified_at  TEXT NOT NULL,
    PRIMARY KEY (alert_id, step)
);
INSERT INTO escalation_steps (alert_id, step, recipient_id, role, notified_at)
    SELECT alert_id, step, recipient_id, role, notified_at FROM escalation_steps_0013;
CREATE INDEX escalation_steps_recipient ON escalation_steps(recipient_id);

DROP TABLE escalation_steps_0013;
DROP TABLE alerts_0013;

-- When a person's message got a "possible" verdict; only the last week is kept.
CREATE TABLE possible_flags (
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    at        TEXT NOT NULL
);
CREATE INDEX possible_flags_person ON possible_flags(person_id, at);
