-- from sqlite 0016
-- The milestones each streak has celebrated, so each is celebrated once: a backdated recovery
-- date celebrates the milestone the person actually reached, and a second check-in on a day
-- repeats nothing. A streak is known by the date it began: after a relapse (a new start), its
-- milestones count again. Keys: '1d', '7d', ... '180d' (day counts, the first day is day 1)
-- and '1y', '2y', ... (anniversaries; a start on 29 February has its anniversary on the 28th).

CREATE TABLE milestones (
    person_id     BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    streak_start  TEXT COLLATE "C" NOT NULL,   -- local date the streak began (YYYY-MM-DD)
    milestone     TEXT COLLATE "C" NOT NULL,
    celebrated_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (person_id, streak_start, milestone)
);

-- Before this table a milestone was celebrated at the check-in that passed it: everything the
-- current streak had reached by its latest completed check-in counts as celebrated already.
WITH
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
INSERT INTO milestones (person_id, streak_start, milestone, celebrated_at)
SELECT l.person_id, l.streak_start, d.milestone, l.at FROM latest l, day_marks d
WHERE l.streak_start::date + (d.days - 1) <= l.last_day::date
UNION ALL
SELECT l.person_id, l.streak_start, y.n || 'y', l.at FROM latest l, generate_series(1, 120) AS y(n)
WHERE (l.streak_start::date + make_interval(years => y.n))::date <= l.last_day::date
ON CONFLICT DO NOTHING;
