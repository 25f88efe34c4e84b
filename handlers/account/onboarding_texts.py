"""The first conversation: welcome, consent, name, time zone and check-in time."""

from handlers.i18n import translated_module

WELCOME = (
    "Welcome to {program}. I'm a peer-support companion for people in recovery: "
    "daily check-ins, your mentor, peer circles and goals, all in one place.\n\n"
    "I'm *not* a crisis or medical service. If you are in danger or thinking about "
    "harming yourself, reach out now: {crisis_line}.\n\n"
    "To help, I need to store what you tell me (your name of choice, time zone, check-ins). "
    "It stays private: your mentor only sees what you choose to share, and you can erase "
    "everything at any time. Is that okay?"
)
WELCOME_STAFF = (
    "Welcome to {program}. You've been invited to join as a *{role}*: {intro}\n\n"
    "I'm *not* a crisis or medical service. If you or someone you support is in danger, "
    "reach out now: {crisis_line}.\n\n"
    "To work with you, I need to store your name of choice and time zone, and what you do "
    "here (for example which alerts you acknowledged). It stays private to the program, and "
    "you can erase it at any time. Is that okay?"
)
ROLE_INTRO = {
    "mentor": "you'll support mentees one to one, and I'll let you know when one of them is "
    "struggling.",
    "facilitator": "you'll run peer circles: scheduling them, reminders and sessions.",
    "coordinator": "you'll invite people, pair mentors with mentees and see how the program "
    "is going.",
}
"""What each staff role does here, in the welcome (keyed by the role's value)."""
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
ASK_SINCE = (
    "One last, optional question: do you have a date you count your recovery from? "
    "If you do, send it, like “2025-10-01” or “1 Oct 2025”, and I'll count your days from "
    "there. If not, or not now, tap Skip: your count starts with your first check-in, and "
    "you can set the date any time in /settings."
)
SKIP_SINCE = "Skip"
DONE_STAFF = (
    "You're all set, {name}: you've joined as a {role} ({zone}). Daily check-ins are off for "
    "you; if you'd like them, choose a time in /settings. Send /help to see what you can do."
)
CHECKINS_OFF_TURN_ON = "Your daily check-ins are off: choose a time in /settings to turn them on."
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


translated_module(__name__)
