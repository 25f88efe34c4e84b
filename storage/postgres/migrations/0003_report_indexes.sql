-- from sqlite 0015 and 0022
-- A year of data stays fast (issue 15): the report's queries read indexes, not tables.

-- Check-in completion: the ledger's check-in prompts by person and day, and whether that
-- day's check-in was completed, both from an index alone.
CREATE INDEX deliveries_kind_person ON deliveries(kind, person_id, occurrence, status);
DROP INDEX checkins_person_date;
CREATE INDEX checkins_person_date ON checkins(person_id, local_date, completed_at);

-- Weekly trends: one week's completed check-ins are one range of this index (with the person,
-- for people per week), and their mood and craving one lookup each in the next one. The id is
-- included for those lookups (SQLite's index holds the row id by itself), so the plan is an
-- index-only scan that never visits the table.
CREATE INDEX checkins_date ON checkins(local_date, completed_at, person_id) INCLUDE (id);

-- Partial: only the two answers the trends and the progress chart average. The queries repeat
-- this IN list word for word, so the planner can use it with any plan, generic ones included
-- (storage/postgres/reporting.py).
CREATE INDEX checkin_scores ON checkin_answers(checkin_id, question_key, skipped, value_number)
    WHERE question_key IN ('mood', 'craving');
