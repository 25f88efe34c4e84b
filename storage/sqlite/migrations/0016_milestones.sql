-- The milestones each streak has celebrated, so each is celebrated once: a backdated recovery
-- date celebrates the milestone the person actually reached, and a second check-in on a day
-- repeats nothing. A streak is known by the date it began: after a relapse (a new start), its
-- milestones count again. Keys: '1d', '7d', ... '180d' (day counts, the first day is day 1)
-- and '1y', '2y', ... (anniversaries; a start on 29 February has its anniversary on the 28th).

CREATE TABLE milestones (
    person_id     INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    streak_start  TEXT NOT NULL,   -- local date the streak began (YYYY-MM-DD)
    milestone     TEXT NOT NULL,
    celebrated_at TEXT NOT NULL,
    PRIMARY KEY (person_id, streak_start, milestone)
);

-- Before this table a milestone was celebrated at the check-in that passed it: everything the
-- current streak had reached by its latest completed check-in counts as celebrated already.
WITH RECURSIVE
years(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM years WHERE n < 120),
day_marks(milestone, days) AS (
    VALUES ('1d', 1), ('7d', 7), ('14d', 14), ('30d', 30), ('60d', 60), ('90d', 90), ('180d', 180)
),
latest(person_id, streak_start, last_day, at) AS (
    SELECT p.id, p.streak_start, MAX(c.local_date), MAX(c.completed_at)
    FROM people p JOIN checkins c ON c.person_id = p.id
    WHERE p.streak_start IS NOT NULL AND c.completed_at IS NOT NULL
      AND c.local_date >= p.streak_start
    GROUP BY p.id, p.streak_start
)
INSERT OR IGNORE INTO milestones (person_id, streak_start, milestone, celebrated_at)
SELECT l.person_id, l.streak_start, d.milestone, l.at FROM latest l, day_marks d
WHERE date(l.streak_start, '+' || (d.days - 1) || ' days') <= l.last_day
UNION ALL
SELECT l.person_id, l.streak_start, y.n || 'y', l.at FROM latest l, years y
WHERE date(
    CASE WHEN substr(l.streak_start, 6, 5) = '02-29' THEN date(l.streak_start, '-1 day')
    ELSE l.streak_start END,
    '+' || y.n || ' years'
) <= l.last_day;
