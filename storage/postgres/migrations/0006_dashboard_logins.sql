-- from sqlite 0019
-- The coordinator dashboard's one-time login links (`/dashboard`, `peerbot dashboard-link`):
-- the SHA-256 of the token, never the token, whose it is, and when it expires or was used.

CREATE TABLE dashboard_logins (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    person_id  BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL,
    used_at    TEXT COLLATE "C"
);
CREATE INDEX dashboard_logins_expiry ON dashboard_logins (expires_at);
