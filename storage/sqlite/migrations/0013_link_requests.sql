-- Linking must be confirmed from the account that made the code (issue 13): a code redeemed
-- on a new account becomes a pending request the owner answers with a button; only then is
-- the account attached, and account_links remembers when (an account linked less than a day
-- ago must have /mydata and /deleteme confirmed on an older one).

ALTER TABLE link_codes ADD COLUMN made_on_platform TEXT;
ALTER TABLE link_codes ADD COLUMN made_by_platform_user_id TEXT;

CREATE TABLE link_requests (
    id                INTEGER PRIMARY KEY,
    person_id         INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    owner_platform    TEXT NOT NULL,           -- the account that made the code, which answers
    owner_user_id     TEXT NOT NULL,
    platform          TEXT NOT NULL,           -- the account asking to be linked
    platform_user_id  TEXT NOT NULL,
    chat_id           TEXT NOT NULL,
    thread_id         TEXT,
    created_at        TEXT NOT NULL,
    expires_at        TEXT NOT NULL,
    UNIQUE (platform, platform_user_id)
);
CREATE INDEX link_requests_person ON link_requests(person_id);

CREATE TABLE account_links (
    platform          TEXT NOT NULL,
    platform_user_id  TEXT NOT NULL,
    person_id         INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    linked_at         TEXT NOT NULL,
    PRIMARY KEY (platform, platform_user_id)
);
CREATE INDEX account_links_person ON account_links(person_id);
