-- The coordinator dashboard's one-time login links (`/dashboard`, `peerbot dashboard-link`):
-- the SHA-256 of the token, never the token, whose it is, and when it expires or was used.

CREATE TABLE dashboard_logins (
    token_hash TEXT PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX dashboard_logins_expiry ON dashboard_logins (expires_at);
