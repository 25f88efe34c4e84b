-- Copies of circle occurrences in outside calendars (a Discord server's Events list), so that
-- moving or cancelling an occurrence finds the event that shows it, also after a restart.
-- Nothing about a person: which calendar, which occurrence, and the ids it has there.

CREATE TABLE occurrence_mirrors (
    mirror        TEXT NOT NULL,              -- which calendar: 'discord'
    occurrence_id INTEGER NOT NULL REFERENCES circle_occurrences(id) ON DELETE CASCADE,
    place         TEXT NOT NULL,              -- where the copy lives: the Discord server id
    event_id      TEXT NOT NULL,              -- the copy's id there
    PRIMARY KEY (mirror, occurrence_id)
);
