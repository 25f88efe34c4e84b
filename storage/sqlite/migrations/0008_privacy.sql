-- Privacy: the tombstone an erasure leaves, and pseudonyms in the audit log.

-- One row per erasure (/deleteme or `peerbot erase`): that it happened and when, nothing that
-- maps back to the person. The id is random; it doubles as the pseudonym in the audit log.
CREATE TABLE erasures (
    id           TEXT PRIMARY KEY,
    erased_at    TEXT NOT NULL,
    requested_by TEXT NOT NULL CHECK (requested_by IN ('self', 'coordinator'))
);

-- Staff views of an erased person's data stay in the log, with the person replaced by the
-- erasure's pseudonym (subject_id / actor_id become NULL, the actor's name is dropped).
ALTER TABLE audit_log ADD COLUMN subject_pseudonym TEXT;
ALTER TABLE audit_log ADD COLUMN actor_pseudonym TEXT;

-- The highest id a table ever used, for the tables an erasure or the retention purge deletes
-- from: SQLite would otherwise give the highest deleted id to the next row, and a stale
-- Acknowledge button (or a coordinator's note of a person id) would point at someone else.
CREATE TABLE id_floors (
    name TEXT PRIMARY KEY,
    high INTEGER NOT NULL
);
