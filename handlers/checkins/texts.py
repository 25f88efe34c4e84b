"""The daily check-in, the sober-day counter and missed-check-in reminders."""

YES = "Yes"
NO = "No"
SKIP = "Skip"

PROMPT_OPENING = "Hi {name}, it's time for your daily check-in. It takes under a minute."
ON_DEMAND_OPENING = "Let's do a check-in."
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
STREAK = "Day {days} of your current streak."
STREAK_AND_JOURNEY = "Day {days} of your current streak, and {journey} on your journey."
NEW_STREAK = (
    "Thank you for being honest. That's day 1 again, and {journey} on your journey: "
    "a slip is information, not failure. Your mentor is here for you, and so am I."
)
LOW_MOOD_SUPPORT = "It sounds like a hard day. If it would help to talk, reach out to your mentor."
CELEBRATE = {
    1: "🌱 Your first day. Every journey starts here.",
    7: "🎉 One week! That takes real commitment.",
    14: "🎉 Two weeks. You're building something.",
    30: "🎉 30 days! A whole month of showing up for yourself.",
    60: "🎉 60 days. Look how far you've come.",
    90: "🎉 90 days! A real milestone.",
    180: "🎉 Six months. That's remarkable.",
    365: "🎉 One year! Take a moment to be proud.",
}
CELEBRATE_YEARS = "🎉 {years} years! Take a moment to be proud."
NEXT_STEP = "Send /days to see your count, or /help for everything else."

DAYS = (
    "Current streak: {streak} (since {streak_start}).\n"
    "Your journey: {journey} (since {journey_start})."
)
DAYS_NOT_STARTED = "Your count starts with your first check-in. Send /checkin to do one now."
RESET_NEEDS_DATE = "Send the date your current streak began, like “/reset 2026-11-01”."
RESET_FUTURE = "That date is in the future. Send the day your current streak began."
RESET_BEFORE_JOURNEY = (
    "That's before your journey here began ({journey_start}). Send a date on or after it."
)
RESET_DONE = "Done: your current streak started on {date}. That's {days}."
