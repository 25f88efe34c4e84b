-- Profiles for matching mentees with mentors (optional, fixed choices only: JSON lists of
-- codes and a list of local hours), and the mentors' training and supervision log (course,
-- provider and supervisor are free text, encrypted at rest when a data key is set; a
-- supervision session keeps no content).

CREATE TABLE match_profiles (
    person_id         INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    languages         TEXT NOT NULL DEFAULT '[]',
    pathways          TEXT NOT NULL DEFAULT '[]',
    experience        TEXT NOT NULL DEFAULT '[]',
    gender            TEXT,
    gender_preference TEXT,
    hours             TEXT NOT NULL DEFAULT '[]',   -- local hours of the day, 0-23
    updated_at        TEXT NOT NULL
);

CREATE TABLE trainings (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    course       TEXT NOT NULL,
    provider     TEXT NOT NULL,
    completed_on TEXT NOT NULL,           -- YYYY-MM-DD
    hours        REAL NOT NULL,
    expires_on   TEXT,                    -- YYYY-MM-DD, or NULL for a course that does not lapse
    logged_at    TEXT NOT NULL
);
CREATE INDEX trainings_person ON trainings(person_id);

CREATE TABLE supervision_sessions (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    held_on    TEXT NOT NULL,             -- YYYY-MM-DD
    supervisor TEXT NOT NULL,
    minutes    INTEGER NOT NULL,
    logged_at  TEXT NOT NULL
);
CREATE INDEX supervision_person ON supervision_sessions(person_id, held_on);
