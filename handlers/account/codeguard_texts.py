"""What a person hears when their code attempts are paused."""

from handlers.i18n import translated_module

HELD_BACK = (
    "A few codes in a row didn't work, so to keep everyone's records safe I've paused code "
    "checks for this account for a little while. You can try again in about {wait}. "
    "If you're not sure of the code, ask whoever gave it to you to send it again or make a "
    "new one."
)
MINUTES = "{n} minutes"
ONE_MINUTE = "a minute"
HOURS = "{n} hours"
ONE_HOUR = "an hour"
THAT_CODE = "that code"


translated_module(__name__)
