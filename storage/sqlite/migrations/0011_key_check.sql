-- Which data key (PEERBOT_DATA_KEY) encrypted this database's free text: one row holding a
-- known phrase encrypted with that key. Opening checks that the key at hand decrypts it, so a
-- missing or wrong key stops the bot before anything is read or written with it. No row: no
-- key was ever used here (the text is plain). Nothing about a person.

CREATE TABLE key_check (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    canary  TEXT NOT NULL,                    -- storage.crypto.KEY_CHECK_TEXT, encrypted
    set_at  TEXT NOT NULL
);
