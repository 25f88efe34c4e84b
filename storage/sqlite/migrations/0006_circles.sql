-- Peer circles: the series a facilitator schedules, each dated occurrence, RSVPs with a
-- waitlist, the sessions that were run, who came and spoke, and the check-out pulse.
-- Times of day and dates are local to the circle's zone; instants are UTC text.

CREATE TABLE circles (
    id                INTEGER PRIMARY KEY,
    title             TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    guidelines        TEXT NOT NULL DEFAULT '',
    facilitator_id    INTEGER REFERENCES people(id) ON DELETE SET NULL,
    co_facilitator_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    zone              TEXT NOT NULL,          -- IANA zone the local time is in
    local_time        TEXT NOT NULL,          -- HH:MM
    weekdays          TEXT NOT NULL,          -- e.g. '1,3' (0 = Monday)
    recurrence        TEXT NOT NULL CHECK (recurrence IN ('once', 'weekly', 'biweekly')),
    start_date        TEXT NOT NULL,          -- local date of the first occurrence
    duration_minutes  INTEGER NOT NULL CHECK (duration_minutes > 0),
    capacity          INTEGER CHECK (capacity IS NULL OR capacity > 0),  -- NULL: no limit
    venue_platform    TEXT,                   -- NULL until the facilitator says where
    venue_chat_id     TEXT,
    venue_thread_id   TEXT,
    venue_kind        TEXT CHECK (venue_kind IS NULL OR venue_kind IN ('text', 'voice', 'group')),
    created_at        TEXT NOT NULL,
    cancelled_at      TEXT                    -- the whole series
);
CREATE INDEX circles_venue ON circles(venue_platform, venue_chat_id);
CREATE INDEX circles_facilitator ON circles(facilitator_id);

CREATE TABLE circle_occurrences (
    id           INTEGER PRIMARY KEY,
    circle_id    INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    local_date   TEXT NOT NULL,
    starts_at    TEXT NOT NULL,               -- UTC, DST-correct for the local time
    cancelled_at TEXT,
    UNIQUE (circle_id, local_date)
);
CREATE INDEX circle_occurrences_start ON circle_occurrences(starts_at);

CREATE TABLE circle_rsvps (
    occurrence_id INTEGER NOT NULL REFERENCES circle_occurrences(id) ON DELETE CASCADE,
    person_id     INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    status        TEXT NOT NULL CHECK (status IN ('going', 'maybe', 'cant', 'waitlist')),
    position      INTEGER,                    -- waitlist order; NULL unless waitlisted
    updated_at    TEXT NOT NULL,
    reminders_off INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (occurrence_id, person_id)
);
CREATE INDEX circle_rsvps_person ON circle_rsvps(person_id);

CREATE TABLE circle_sessions (
    id                 INTEGER PRIMARY KEY,
    circle_id          INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    occurrence_id      INTEGER NOT NULL REFERENCES circle_occurrences(id) ON DELETE CASCADE,
    started_at         TEXT NOT NULL,
    ended_at           TEXT,
    runner_id          INTEGER REFERENCES people(id) ON DELETE SET NULL,
    mode               TEXT NOT NULL CHECK (mode IN ('join_order', 'quiet_first')),
    current_speaker_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    speaker_since      TEXT,
    turn_no            INTEGER NOT NULL DEFAULT 0,
    share_seconds      INTEGER NOT NULL DEFAULT 180 CHECK (share_seconds > 0)
);
-- One session of a circle at a time: a second /circle start is refused by this index.
CREATE UNIQUE INDEX circle_sessions_one_open ON circle_sessions(circle_id) WHERE ended_at IS NULL;
CREATE INDEX circle_sessions_occurrence ON circle_sessions(occurrence_id);

-- One row per person expected (going at the start) or present. ``attended`` is 1 once they
-- are there ("I'm here", or joined the voice channel); the coordinator report counts these.
CREATE TABLE circle_attendance (
    session_id     INTEGER NOT NULL REFERENCES circle_sessions(id) ON DELETE CASCADE,
    person_id      INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    attended       INTEGER NOT NULL DEFAULT 0,
    joined_at      TEXT,
    shared         INTEGER NOT NULL DEFAULT 0,  -- how many times they had the floor
    passed         INTEGER NOT NULL DEFAULT 0,  -- passed in the opening round
    spoke_at       TEXT,                        -- last time they shared (quiet-first order)
    hand_raised_at TEXT,
    PRIMARY KEY (session_id, person_id)
);
CREATE INDEX circle_attendance_person ON circle_attendance(person_id);

CREATE TABLE circle_pulses (
    session_id  INTEGER NOT NULL REFERENCES circle_sessions(id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    value       INTEGER NOT NULL CHECK (value BETWEEN 1 AND 5),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (session_id, person_id)
);
