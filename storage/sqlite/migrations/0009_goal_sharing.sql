-- Goals join what a mentee can share with their mentor (/sharing): the goals' titles, steps and
-- progress, so the mentor can cheer them on. Off unless the mentee opts in, like notes.

ALTER TABLE sharing ADD COLUMN goals INTEGER NOT NULL DEFAULT 0 CHECK (goals IN (0, 1));
