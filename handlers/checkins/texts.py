"""The daily check-in, the sober-day counter and missed-check-in reminders."""

from handlers.i18n import translated_module

YES = "Yes"
NO = "No"
SKIP = "Skip"

# What a typed answer may say, "|" between the choices (lower case; English is always read too).
YES_WORDS = "yes|y|yeah|yep|yup|i have|i did"
NO_WORDS = "no|n|nope|nah|i haven't|i have not|i didn't|i did not"
SKIP_WORDS = "skip"
NUMBER_WORDS = "zero one two three four five six seven eight nine ten"
"""The number words 0 to 10, in order, separated by spaces."""

PROMPT_OPENING = "Hi {name}, it's time for your daily check-in. It takes under a minute."
ON_DEMAND_OPENING = "Let's do a check-in."
UPDATE_OPENING = (
    "You've checked in today already. Let's go through it again: your new answers will "
    "replace today's, and the day still counts once."
)
REMINDER = (
    "Just a gentle nudge: today's check-in is still open whenever you're ready. "
    "Send /checkin to start it."
)
ASK_AGAIN_SCALE = "Please pick a number from {low} to {high}: tap a button or type it (like “7”)."
ASK_AGAIN_YES_NO = "Please tap Yes or No (or type it)."
NOTE_TOO_LONG = "That note is a bit long: {limit} characters at most. Could you shorten it?"
ALREADY_OPEN = "You have a check-in open already; let's carry on with it."
CLOSED = "That check-in is closed. Send /checkin to start a new one."
ALREADY_ANSWERED = "Got it, I already have that answer."

THANKS = "Thanks for checking in."
UPDATED = "Thanks: today's check-in is updated with these answers."
UPDATED_STREAK_STAYS = (
    "Your current streak still starts today. If it began earlier, send /reset with that date, "
    "like “/reset 2026-11-01”."
)
STREAK = "Day {days} of your current streak."
STREAK_AND_JOURNEY = "Day {days} of your current streak, and {journey} on your journey."
NEW_STREAK = (
    "Thank you for being honest. That's day 1 again, and {journey} on your journey: "
    "a slip is information, not failure."
)
NEW_STREAK_MENTOR = "Your mentor is here for you, and so am I."
NEW_STREAK_NO_MENTOR = "I'm here for you, and /sos is there any time you need someone now."
LOW_MOOD_SUPPORT = "It sounds like a hard day. If it would help to talk, reach out to your mentor."
LOW_MOOD_SUPPORT_NO_MENTOR = (
    "It sounds like a hard day. If it would help to talk, reach out to someone you trust, "
    "or send /sos for people you can talk to right now."
)
CELEBRATE = {
    1: "🌱 Your first day. Every journey starts here.",
    7: "🎉 One week! That takes real commitment.",
    14: "🎉 Two weeks. You're building something.",
    30: "🎉 30 days! A whole month of showing up for yourself.",
    60: "🎉 60 days. Look how far you've come.",
    90: "🎉 90 days! A real milestone.",
    180: "🎉 Six months. That's remarkable.",
}
CELEBRATE_ONE_YEAR = "🎉 One year in recovery! Take a moment to be proud."
CELEBRATE_YEARS = "🎉 {years} years in recovery! Take a moment to be proud."
NEXT_STEP = "Send /days to see your count, or /help for everything else."

DAYS = (
    "Current streak: {streak} (since {streak_start}).\n"
    "Your journey: {journey} (since {journey_start})."
)
DAYS_NOT_STARTED = "Your count starts with your first check-in. Send /checkin to do one now."
RESET_NEEDS_DATE = "Send the date your current streak began, like “/reset 2026-11-01”."
RESET_DONE = "Done: your current streak started on {date}. That's {days}."

# The date a person counts their recovery from (onboarding, /settings, /reset) ---------------
RECOVERY_DATE_EXAMPLE = "like “2025-10-01” or “1 Oct 2025”"
RECOVERY_DATE_AMBIGUOUS = (
    "Dates written only in numbers mean different days in different countries, so I'd rather "
    f"not guess. Could you write it with the month's name, {RECOVERY_DATE_EXAMPLE}?"
)
RECOVERY_DATE_NOT_UNDERSTOOD = (
    f"I couldn't read that as a date. Could you send it {RECOVERY_DATE_EXAMPLE}?"
)
RECOVERY_DATE_NO_SUCH_DAY = (
    f"That day isn't on the calendar. Could you check it and send it {RECOVERY_DATE_EXAMPLE}?"
)
RECOVERY_DATE_FUTURE = (
    "That date hasn't come yet. Send the day you count your recovery from "
    f"(today or earlier, with the year), {RECOVERY_DATE_EXAMPLE}."
)
RECOVERY_DATE_TOO_EARLY = (
    f"That looks like a typo: it's a very long time ago. Could you send it {RECOVERY_DATE_EXAMPLE}?"
)
RECOVERY_DATE_SET = (
    "Got it: you count your recovery from {date}. Today is day {days} of your recovery."
)


translated_module(__name__)
