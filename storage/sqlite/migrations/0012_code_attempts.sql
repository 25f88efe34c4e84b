-- Guessing invite and link codes: a throttle per source (one account on one platform) and a
-- record of failed attempts for the coordinators' `peerbot audit`. No code is ever stored.

CREATE TABLE code_throttle (
    platform          TEXT NOT NULL,
    platform_user_id  TEXT NOT NULL,
    window_start      TEXT,
    failures          INTEGER NOT NULL DEFAULT 0,
    strikes           INTEGER NOT NULL DEFAULT 0,
    blocked_until     TEXT,
    last_failure_at   TEXT,
    PRIMARY KEY (platform, platform_user_id)
);

CREATE TABLE code_failures (
    id                INTEGER PRIMARY KEY,
    platform          TEXT NOT NULL,
    platform_user_id  TEXT NOT NULL,
    kind              TEXT NOT NULL,             -- invite or link
    at                TEXT NOT NULL
);
CREATE INDEX code_failures_at ON code_failures(at);
CREATE INDEX code_failures_source ON code_failures(platform, platform_user_id);
