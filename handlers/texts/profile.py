"""The profile questions onboarding and /settings share: name, time zone, check-in time."""

from handlers.i18n import translated_module

ASK_NAME = (
    "What name would you like me to use? A nickname is great: it's what your mentor and "
    "peers will see. Type it, or tap to use a suggestion."
)
USE_SUGGESTION = "Use “{name}”"
NAME_EMPTY = (
    "I didn't catch a name there. Type the name you'd like me to use, or tap the suggestion."
)
NAME_TOO_LONG = "That's a bit long for a name: {limit} characters at most. What should I call you?"
ASK_ZONE = (
    "Nice to meet you, {name}. Which city's time are you on? "
    "For example “Denver”, “New York”, “London” or “Asia/Kolkata”. "
    "This makes sure check-ins come at your local time."
)
CONFIRM_ZONE = "I understood {label}; it's {local_time} there now. Is that right?"
ZONE_YES = "Yes"
ZONE_NO = "No, let me retype it"
ASK_TIME = (
    "What time of day would you like your daily check-in? "
    "Type something like “8pm”, “20:00” or “8:30 am”, or tap one."
)
ZONE_RETYPE = "No problem. Which city's time are you on?"

LANGUAGE_UNKNOWN = "I don't speak that language yet. Tap one of the languages below."

# How dates and times are shown: CLDR patterns (https://cldr.unicode.org, "Date Field Symbol
# Table"; Babel fills in the names). A translation gives its language's order and words, e.g.
# "EEE d 'de' MMM" for Spanish.
DATE_PATTERNS = {
    "day_month": "d MMM",
    "weekday_day_month": "EEE d MMM",
    "weekday_day_month_year": "EEE d MMM y",
    "day_month_year_long": "d MMMM y",
    "weekday_day_month_long": "EEEE d MMMM",
}
TIME_PATTERN = "h:mm a"


translated_module(__name__)
