"""The first conversation: welcome, consent, name, time zone and check-in time."""

WELCOME = (
    "Welcome to {program}. I'm a peer-support companion for people in recovery: "
    "daily check-ins, your mentor, peer circles and goals, all in one place.\n\n"
    "I'm *not* a crisis or medical service. If you are in danger or thinking about "
    "harming yourself, reach out now: {crisis_line}.\n\n"
    "To help, I need to store what you tell me (your name of choice, time zone, check-ins). "
    "It stays private: your mentor only sees what you choose to share, and you can erase "
    "everything at any time. Is that okay?"
)
CONSENT_YES = "Yes, that's okay"
CONSENT_NO = "No thanks"
DECLINED = (
    "That's completely fine. Nothing about you has been stored. "
    "If you change your mind, just send /start."
)
INVITE_PROBLEM = {
    "unknown": "I couldn't find {the_code}.",
    "expired": "{the_code} has expired.",
    "used_up": "{the_code} has already been used.",
}
THE_CODE = "the invite code {code}"
"""How a code that looks like one is named; anything else is "that code"."""
INVITE_NEXT_STEP = (
    "You can carry on as a mentee, and ask your coordinator for a new code later "
    "(then send /join CODE)."
)
INVITE_JOINED = "You've joined as a {role}. Send /help to see what that lets you do."
DONE = (
    "You're all set, {name}. I'll check in every day at {time} ({zone}). "
    "Send /checkin any time to do one now, /settings to change things, or /help to see everything."
)
ALREADY_SET_UP = "You're already set up, {name}. Send /help to see what you can do."
WELCOME_BACK = "Welcome back, {name}. I'll message you again. Send /help to see what you can do."
JOIN_NEEDS_CODE = "Send the code with the command, like “/join ABC123”."
TAP_CONSENT = (
    "Please tap one of the buttons below, so I know whether it's okay to store your answers."
)
STALE_SET_UP = "You're already set up: send /help to see what you can do."
STALE_RESTART = "Send /start to begin."
