-- The due queue: one row per (kind, subject) naming the next time work is due.
-- The tick claims rows whose due_at has passed by writing a lease, so two processes sharing
-- the file never take the same row; an expired lease (a crashed process) is claimable again.
CREATE TABLE due_work (
    kind        TEXT NOT NULL,      -- 'checkin', 'reminder', ...
    subject     TEXT NOT NULL,      -- what it is about, e.g. a person id
    person_id   INTEGER REFERENCES people(id) ON DELETE CASCADE,
    due_at      TEXT NOT NULL,      -- UTC
    occurrence  TEXT NOT NULL,      -- which occurrence, e.g. the local date '2026-11-27'
    lease_owner TEXT,
    lease_until TEXT,
    PRIMARY KEY (kind, subject)
);
CREATE INDEX due_work_due ON due_work(due_at);
