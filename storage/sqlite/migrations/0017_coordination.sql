-- Coordination between processes sharing one database (storage/coordination.py). SQLite runs
-- one process by design, but keeps the same tables so a program moves between backends whole
-- and the singleton jobs and the poller lease behave alike on both.

-- One row per singleton job and period (the retention purge: one per UTC day): whoever inserts
-- it does the job; everyone else finds it there.
CREATE TABLE job_runs (
    job        TEXT NOT NULL,
    period     TEXT NOT NULL,
    owner      TEXT NOT NULL,   -- the process identity (host:pid:random), no personal data
    started_at TEXT NOT NULL,
    PRIMARY KEY (job, period)
);

-- Named leases: what one process at a time may do (Telegram long polling), held until
-- lease_until and renewed by its holder; an expired lease may be taken by another process.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    lease_until TEXT NOT NULL
);
