"""/goals, /goal add, ticking off steps, and the weekly goal review."""

from handlers.i18n import translated_module

ASK_TITLE = (
    "What's the goal? A few words is plenty, like “Walk 20 minutes a day” or "
    "“Call my sister this week”."
)
NEVER_MIND = "Never mind"
CANCELLED = "Okay, no goal added. Send /goal add whenever you like."
TITLE_EMPTY = "Could you give the goal a few words? Or tap Never mind."
TITLE_TOO_LONG = (
    "That's a bit long for a goal ({limit} characters at most). Could you say it more "
    "briefly? You can add the details as steps in a moment."
)
TOO_MANY_GOALS = (
    "You have {count} goals on the go already, which is plenty. Send /goals to tick some off "
    "or set one aside, then add a new one."
)

ASK_TERM = "Is “{title}” a short-term goal (the next few weeks) or a long-term one (months)?"
SHORT_TERM = "Short-term"
LONG_TERM = "Long-term"
TAP_TERM = "Please tap Short-term or Long-term (or type “short” or “long”)."

ASK_DATE = (
    "Is there a date you'd like to reach it by? Type it (like “1 Dec” or “2026-12-01”), "
    "or tap No date."
)
NO_DATE = "No date"
DATE_IN_PAST = "That date has already passed. Send a date from today on, or tap No date."

ASK_STEPS = (
    "Would you like to break it into steps? Send the first step (like “Buy walking shoes”), "
    "or tap No steps."
)
NO_STEPS = "No steps"
STEP_ADDED = "Step {number} added. Send the next one, or tap Done."
DONE_ADDING = "Done"
STEP_EMPTY = "Could you give that step a few words? Or tap Done."
STEP_TOO_LONG = "That step is a bit long ({limit} characters at most). Could you shorten it?"
STEPS_FULL = "That's {limit} steps, the most a goal can have."

SAVED = "Saved. Every step counts, however small."
SUGGEST_REVIEW = "Send /goal review to pick a day for a short weekly look at your goals."

NO_GOALS = (
    "You don't have any goals yet. They can be small: “go to two meetings this week” or "
    "“sort out my bus pass”. Send /goal add to set one."
)
LIST_HEADER = "Your goals:"
LIST_LINE = "{number}. {title}  {bar}"
REACHED_LATELY = "🎉 Goals reached in the last 30 days: {count}."
LIST_FOOTER = "Tap a goal to tick off steps, or send /goal add for a new one."
REVIEW_DAY_LINE = "Weekly review: {day}s (send /goal review to change it)."

SHORT_LABEL = "Short-term"
LONG_LABEL = "Long-term"
TARGET = "by {date}"
TARGET_PASSED = "aimed for {date}: no pressure, keep going at your pace"
REACHED_ON = "🎉 Reached on {date}."
NOT_STARTED = "Not done yet."
COMMENT_LINE = "💬 {name}: “{text}”"
SOMEONE = "Your mentor"
STEP_DONE_MARK = "✅"
STEP_OPEN_MARK = "⬜"
MARK_DONE = "Mark as reached"
MARK_NOT_DONE = "Not reached yet"
SET_ASIDE = "Set aside"
CARD_FOOTER = "Tap a step to tick it off (tap again to undo). Send /goals to see all your goals."
CARD_FOOTER_NO_STEPS = "Tap Mark as reached when you get there. Send /goals to see all your goals."

CELEBRATE = "🎉 You reached your goal: *{title}*. Take a moment to be proud of that."
CONFIRM_SET_ASIDE = (
    "Set aside “{title}”? Plans change, and that's okay. It leaves your list; nothing is erased."
)
YES_SET_ASIDE = "Yes, set it aside"
KEEP_IT = "Keep it"
SET_ASIDE_DONE = "Done, “{title}” is set aside. Send /goal add when you're ready for a new one."
GOAL_CLOSED = "That goal is set aside, so it can't be changed. Send /goals to see your list."

GOAL_HELP = (
    "Send /goal add to set a new goal, /goals to see yours, or /goal review to pick a day "
    "for a weekly look at them."
)
STALE_NEXT_STEP = "Send /goals to see your goals."
TAP_A_BUTTON = "Tap one of the buttons above, or send /goals."

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
REVIEW_OFF = "No weekly review"
ASK_REVIEW_DAY = (
    "Which day would you like a short weekly look at your goals? I'll send it at {time}, your time."
)
REVIEW_SET = (
    "Done: I'll check in about your goals every {day} at {time}. Send /goal review to change it."
)
REVIEW_CLEARED = "Okay, no weekly goal review. Send /goal review to turn it back on."
REVIEW_DAY_UNKNOWN = "I didn't catch the day. Tap one of these:"

REVIEW_PROMPT = (
    "Hi {name}, it's your weekly look at your goals. Small steps count too.\n{lines}\n"
    "Tap a goal to tick off what you've done, or send /goal add for a new one."
)


# What a typed answer about the goal's term may say, "|" between the choices (lower case).
SHORT_WORDS = "short|short-term|short term|s"
LONG_WORDS = "long|long-term|long term|l"


translated_module(__name__)
