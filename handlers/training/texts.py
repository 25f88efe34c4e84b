"""What the training capability says: mentors logging trainings and supervision, their
standing, and the reminders before a training expires."""

from __future__ import annotations

from handlers.i18n import translated_module

# /training ------------------------------------------------------------------------------------

OVERVIEW = "*Your training*\n{standing}\n\n{entries}\n\n{next}"
NO_ENTRIES = "Nothing logged yet."
ENTRY = "• {course}, {provider}: {completed} · {hours} h{expiry}"
EXPIRES = " · expires {date}"
EXPIRED = " · expired {date}"
OVERVIEW_NEXT = "Log a training with the button below, and supervision with /supervision."
LOG_BUTTON = "Log a training"
REMOVE_BUTTON = "Remove an entry"

STANDING_OK = "You're up to date with what the program asks. Thank you."
STANDING_NOTHING_ASKED = "The program has set no training requirements."
LAPSED = "Lapsed: {courses}. Please renew it; until then the coordinator may hold new mentees."
MISSING = "Still to do: {courses}."
EXPIRED_OTHER = "Expired: {courses}. Renew it if you still need it."
EXPIRING = "Expiring soon: {courses}."
EXPIRING_ONE = "{course} on {date}"
HOURS_SHORT = "Training hours in the last year: {hours} of {needed}."
SUPERVISION_SHORT = "Supervision in the last 30 days: {count} of {needed} sessions."

ASK_COURSE = "Which training? Tap a required one, or type its name (for example: Ethics)."
ASK_PROVIDER = (
    "Who gave it? (the organisation or academy, for example: State recovery-coach academy)"
)
ASK_DATE = "When did you complete it? (for example: today, 3 March, or 2026-03-03)"
ASK_HOURS = "How many hours was it? (a number, for example 6 or 1.5)"
ASK_EXPIRY = "When does it expire? (for example: 2028-03-03) If it doesn't, tap the button."
TODAY = "Today"
NO_EXPIRY = "It doesn't expire"
CANCEL = "Cancel"
CANCELLED = "No problem, nothing was logged. Send /training any time."
NAME_TOO_LONG = "That's a bit long. Please keep it under {limit} characters."
NAME_EMPTY = "Please type a name, or tap Cancel."
DATE_NOT_UNDERSTOOD = "I couldn't read that date. {hint}"
DATE_IN_FUTURE = "That date is still ahead. Please give the day it happened, or tap Today."
EXPIRY_BEFORE = "The expiry needs to come after the day you completed it. When does it expire?"
HOURS_NOT_UNDERSTOOD = (
    "Please send the hours as a number between 0.25 and 500, for example 6 or 1.5."
)
TRAINING_SAVED = "Logged: {course} ({provider}), {hours} h.{reminder}"
REMINDER_NOTE = " I'll remind you 30 and 7 days before it expires on {date}."
PICK_REMOVE = "Which entry should I remove?"
REMOVE_ONE = "Remove: {course} ({date})"
REMOVED = "Removed. Send /training to see your log."
NOTHING_TO_REMOVE = "There's nothing to remove yet."
PRIVATE_ONLY = (
    "Your training log is personal, so I only talk about it in our private chat. "
    "Send /training or /supervision to me there."
)
TYPE_OR_TAP = "Type your answer, or tap one of the buttons."

# /supervision ---------------------------------------------------------------------------------

ASK_SUPERVISION_DATE = (
    "Let's log a supervision session. Only the date, the supervisor and the length are kept, "
    "never what you talked about.\n\nWhen was it? (for example: today, or 2 December)"
)
ASK_SUPERVISOR = "Who was your supervisor?"
ASK_MINUTES = "How many minutes did it last? (for example 60)"
MINUTES_NOT_UNDERSTOOD = "Please send the minutes as a whole number from 5 to 600."
SUPERVISION_SAVED = (
    "Logged: supervision with {supervisor} on {date}, {minutes} minutes. "
    "Sessions in the last 30 days: {count}{needed}."
)
OF_NEEDED = " of {needed}"

# Reminders ------------------------------------------------------------------------------------

EXPIRY_REMINDER = (
    "A heads-up: your *{course}* training expires on {date}, in {days}. "
    "When you've renewed it, log it with /training so your record stays up to date."
)

# peerbot training -----------------------------------------------------------------------------

CLI_OK = "ok"
CLI_DUE = "due"
CLI_LAPSED = "lapsed"
CLI_HOURS_SHORT = "training hours short"
CLI_SUPERVISION_SHORT = "supervision short"


translated_module(__name__)
