-- A year of data stays fast (issue 15, after 0015): the report's weekly trends read the
-- completed check-ins of one week at a time by date, and their mood and craving, without
-- touching either table.
--
-- Check-ins by day: a week is one range of this index, which also holds the person (people
-- per week) and completed_at, so no table row is read. In date order the check-in ids come
-- nearly in order too, so the answer lookups below stay on the same few pages.
CREATE INDEX checkins_date ON checkins(local_date, completed_at, person_id);

-- The two answers the trends and the progress chart average, with their values: one index
-- lookup each instead of the primary key's index and then the table row. Partial, so the
-- other answers (used, notes, any question a program adds) take no space in it; a query uses
-- it only when its own WHERE repeats this IN list word for word (storage/sqlite/reporting.py).
CREATE INDEX checkin_scores ON checkin_answers(checkin_id, question_key, skipped, value_number)
    WHERE question_key IN ('mood', 'craving');
