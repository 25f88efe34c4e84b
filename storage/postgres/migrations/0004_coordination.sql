-- from sqlite 0017
-- Coordination between processes sharing one database (storage/coordination.py).

-- One row per singleton job and period (the retention purge: one per UTC day): whoever inserts
-- it does the job; everyone else finds it there.
CREATE TABLE job_runs (
    job        TEXT COLLATE "C" NOT NULL,
    period     TEXT COLLATE "C" NOT NULL,
    owner      TEXT COLLATE "C" NOT NULL,   -- the process identity (host:pid:random)
    started_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (job, period)
);

-- Named leases: what one process at a time may do (Telegram long polling), held until
-- lease_until and renewed by its holder; an expired lease may be taken by another process.
CREATE TABLE leases (
    name        TEXT COLLATE "C" PRIMARY KEY,
    owner       TEXT COLLATE "C" NOT NULL,
    lease_until TEXT COLLATE "C" NOT NULL
);
