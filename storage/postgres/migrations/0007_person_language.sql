-- from sqlite 0020
-- The language a person reads (an ISO 639-1 code the bot has a catalogue for, e.g. 'en', 'es'):
-- chosen at onboarding, changed in /settings. NULL: not chosen yet; the platform's language
-- hint (Telegram's language_code, Discord's locale) or English stands in.
ALTER TABLE settings ADD COLUMN language TEXT COLLATE "C";
