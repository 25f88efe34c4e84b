-- Goals a person sets for themselves, the steps that break them down, encouraging comments
-- (from their mentor, within the mentee's consent), and the day of their weekly goal review.

CREATE TABLE goals (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    term         TEXT NOT NULL CHECK (term IN ('short', 'long')),
    target_date  TEXT,               -- local date YYYY-MM-DD, optional
    created_at   TEXT NOT NULL,
    completed_at TEXT,               -- every step ticked, or marked done
    set_aside_at TEXT                -- the person let it go; kept for their history
);
CREATE INDEX goals_person ON goals(person_id);
CREATE INDEX goals_completed ON goals(completed_at);

CREATE TABLE goal_steps (
    id       INTEGER PRIMARY KEY,
    goal_id  INTEGER NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title    TEXT NOT NULL,
    done_at  TEXT,
    UNIQUE (goal_id, position)
);

CREATE TABLE goal_comments (
    id         INTEGER PRIMARY KEY,
    goal_id    INTEGER NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    author_id  INTEGER REFERENCES people(id) ON DELETE SET NULL,
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX goal_comments_goal ON goal_comments(goal_id);

-- The weekday (0 = Monday) a person asked for their weekly goal review on; no row means none.
CREATE TABLE goal_review_days (
    person_id  INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    weekday    INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    updated_at TEXT NOT NULL
);
