"""What the matching capability says: the profile questions, the suggestions and their
reasons. Kept apart from the logic so the words can be read (and translated) in one place."""

from __future__ import annotations

from handlers.i18n import Plural, translated_module

LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "pt": "Portuguese",
    "ar": "Arabic",
    "zh": "Chinese",
    "ru": "Russian",
    "uk": "Ukrainian",
    "pl": "Polish",
    "tl": "Tagalog",
    "vi": "Vietnamese",
    "hi": "Hindi",
    "de": "German",
    "asl": "ASL",
}
"""The languages offered as buttons, by code."""

PATHWAYS: dict[str, str] = {
    "12-step": "12-step",
    "smart": "SMART Recovery",
    "medication-assisted": "medication-assisted recovery",
    "faith-based": "faith-based recovery",
    "harm-reduction": "harm reduction",
    "other": "another pathway",
}

EXPERIENCE: dict[str, str] = {
    "alcohol": "alcohol",
    "opioids": "opioids",
    "stimulants": "stimulants",
    "cannabis": "cannabis",
    "gambling": "gambling",
    "family": "family and parenting",
    "justice": "the justice system",
    "mental-health": "mental health",
    "lgbtq": "LGBTQ+ life",
    "veterans": "military service",
}
"""Lived-experience areas, by key."""

GENDERS: dict[str, str] = {"woman": "a woman", "man": "a man", "non-binary": "non-binary"}
GENDER_BUTTONS: dict[str, str] = {"woman": "Woman", "man": "Man", "non-binary": "Non-binary"}

DAY_PARTS: dict[str, str] = {
    "morning": "mornings",
    "afternoon": "afternoons",
    "evening": "evenings",
    "night": "late nights",
}
DAY_PART_BUTTONS: dict[str, str] = {
    "morning": "Mornings (6-12)",
    "afternoon": "Afternoons (12-17)",
    "evening": "Evenings (17-22)",
    "night": "Late nights (22-6)",
}

# The profile conversation -------------------------------------------------------------------

ASK_CONSENT_MENTEE = (
    "I can help the coordinator find a mentor who suits you. If you like, tell me a few "
    "things: languages, the recovery pathway you follow, what you've lived through, who you'd "
    "feel comfortable with and when you like to talk.\n\n"
    "Every part is optional. Only the program's coordinators see it, never other mentees, and "
    "you can change or delete it any time with /profile."
)
ASK_CONSENT_MENTOR = (
    "I can help the coordinator match mentees with you. If you like, tell me a few things: "
    "your languages, the recovery pathways you can speak to, your lived experience, your "
    "gender and any preference, and when you're usually available.\n\n"
    "Every part is optional. Only the program's coordinators see it, never mentees, and you "
    "can change or delete it any time with /profile."
)
CONSENT_YES = "Yes, let's do it"
CONSENT_NO = "Not now"
NOT_NOW = "That's fine. Nothing was saved. If you change your mind, send /profile."

MENU_MENTEE = "*Your matching wishes*\n{lines}\n\nTap a part to change it, or Done."
MENU_MENTOR = "*Your matching profile*\n{lines}\n\nTap a part to change it, or Done."
LINE = "{part}: {value}"
NOT_SAID = "not said"
ANYONE = "no preference"

PART_LANGUAGES = "Languages"
PART_PATHWAYS = "Pathways"
PART_EXPERIENCE = "Lived experience"
PART_GENDER = "Gender"
PART_HOURS = "When"

GENDER_LINE_MENTOR = "you are {gender}; you'd rather mentor: {preference}"
GENDER_LINE_MENTEE = "you are {gender}; you'd like a mentor who is: {preference}"

ASK_LANGUAGES = "Which languages {who}? Tap each one (again to remove it), then Back."
WHO_MENTOR = "do you speak"
WHO_MENTEE = "would you like to talk in"
ASK_PATHWAYS_MENTOR = "Which recovery pathways can you speak to? Tap each, then Back."
ASK_PATHWAYS_MENTEE = "Which recovery pathways matter to you? Tap each, then Back."
ASK_EXPERIENCE_MENTOR = (
    "What have you lived through that you'd share with a mentee? Tap each, then Back."
)
ASK_EXPERIENCE_MENTEE = (
    "Would it help if your mentor had lived through any of these? Tap each, then Back."
)
ASK_GENDER_MENTOR = (
    "You are: {gender}. You'd rather mentor: {preference}.\n"
    "Tap to choose (your preference is kept to: only mentees of that gender are suggested)."
)
ASK_GENDER_MENTEE = (
    "You are: {gender}. You'd like a mentor who is: {preference}.\n"
    "Tap to choose (your preference is kept to: only mentors of that gender are suggested)."
)
I_AM = "I'm: {label}"
PREFER = "Prefer: {label}"
NO_PREFERENCE = "Prefer: anyone"
RATHER_NOT_SAY = "I'm: rather not say"
ASK_HOURS_MENTOR = "When are you usually available (your own time, {zone})? Tap each, then Back."
ASK_HOURS_MENTEE = "When do you like to talk (your own time, {zone})? Tap each, then Back."
NO_ZONE = "set your zone in /settings"
CHOSEN = "✓ {label}"
BACK = "Back"
DONE = "Done"
DELETE = "Delete my profile"
SAVED = "Saved. The coordinator will see this when matching. Change it any time with /profile."
DELETED = "Deleted. Nothing of your matching profile is kept. Send /profile to start again."
GROUP_REFUSAL = (
    "Your matching profile is personal, so I only talk about it in our private chat. "
    "Send /profile to me there."
)
UNKNOWN_TEXT = "Tap one of the buttons below, or Done when you're finished."

# Suggestions ----------------------------------------------------------------------------------

REASON_LANGUAGE = "speaks {language}"
REASON_PATHWAY = "{pathway}"
REASON_EXPERIENCE = "lived experience: {area}"
REASON_PLACES = "{free} of {limit} places free"
REASON_OVERLAP = "overlapping {part}"
REASON_CLOSE_ZONE = "close time zone"
REASON_LEFT_BEFORE = "asked to leave this mentor before"
REASON_REMATCHES = Plural("{n} re-match request", "{n} re-match requests")
"""Counted through ``handlers.texts.plurals.counted``, by the language's plural rule."""
REASON_SEPARATOR = " · "

SUGGESTIONS_FOR = "*{mentee}* (#{id}){why}\n{lines}"
WANTS_NEW = " — asked for a different mentor"
SUGGESTION_LINE = "{n}. {mentor} (#{id}): {reasons}"
NO_FIT = "No mentor fits right now (capacity, language or a stated preference). {next}"
NO_FIT_NEXT = "Raise a mentor's limit with `peerbot capacity`, or invite another mentor."
APPROVE = "Pair with {mentor}"
NOBODY_WAITING = "Everyone has a mentor and nobody has asked for a change. 🌱"
SUGGESTIONS_INTRO = "Suggested mentors, best first. Nothing happens until you approve one."
APPROVED = "Paired {mentee} with {mentor}. I'll tell them both, as with `peerbot pair`."
ALREADY_PAIRED = "{mentee} is already paired with {mentor}. Nothing changed."
NO_LONGER_FITS = (
    "{mentor} no longer fits {mentee} (their places or the mentee's wishes changed). "
    "Here are fresh suggestions:"
)
PAIR_FAILED = "That pairing could not be made: {problem}. Send /match to see fresh suggestions."
UNKNOWN_MENTEE = "I don't know a mentee #{id}. Send /match to see who is waiting."
MATCH_USAGE = "Send /match for everyone waiting, or /match ID for one mentee."
APPROVE_PRIVATELY = "Approvals happen in our private chat. Send /match to me there."


translated_module(__name__)
