-- The foundation: people and their addresses, roles, consent, settings, invites and the
-- state of each conversation. Every timestamp is UTC text in ISO-8601 ("...Z").

CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    display_name  TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    onboarded_at  TEXT,
    stopped_at    TEXT,          -- /stop: no proactive message until they write again
    journey_start TEXT,          -- local date the recovery journey began (YYYY-MM-DD)
    streak_start  TEXT           -- local date the current streak began
);

-- An account is only an address: one person may have one per platform.
CREATE TABLE accounts (
    platform         TEXT NOT NULL,
    platform_user_id TEXT NOT NULL,
    person_id        INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    chat_id          TEXT NOT NULL,
    thread_id        TEXT,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (platform, platform_user_id)
);
CREATE INDEX accounts_person ON accounts(person_id);

CREATE TABLE roles (
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('mentee', 'mentor', 'facilitator', 'coordinator')),
    granted_at TEXT NOT NULL,
    PRIMARY KEY (person_id, role)
);

-- What a person agreed to, one row per topic ('storage' is the consent to store anything).
CREATE TABLE consent (
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    topic      TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (person_id, topic)
);

CREATE TABLE settings (
    person_id       INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    timezone        TEXT,
    checkin_time    TEXT,          -- local HH:MM
    paused_until    TEXT,          -- UTC; '9999-12-31T00:00:00Z' means until /resume
    quiet_hours     TEXT,          -- 'HH:MM-HH:MM'; NULL means the program default
    prompt_platform TEXT           -- where proactive messages go; NULL means the first account
);

CREATE TABLE invite_codes (
    code       TEXT PRIMARY KEY,
    role       TEXT NOT NULL CHECK (role IN ('mentee', 'mentor', 'facilitator', 'coordinator')),
    uses_left  INTEGER NOT NULL CHECK (uses_left >= 0),
    expires_at TEXT,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES people(id) ON DELETE SET NULL
);

-- Which question of which flow an account is on. Keyed by the account address, because a
-- person who has not consented yet has no people row and nothing else may be stored.
CREATE TABLE conversation_state (
    platform         TEXT NOT NULL,
    platform_user_id TEXT NOT NULL,
    flow             TEXT NOT NULL,
    step             TEXT NOT NULL,
    data             TEXT NOT NULL DEFAULT '{}',
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (platform, platform_user_id)
);
