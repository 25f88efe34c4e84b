"""Time parsing and time zones: what people hear when a time, zone, duration or date can't be read.

Each sentence says what was expected, with a quoted example, and never echoes what was typed.
"""

from handlers.i18n import translated_module

# Times of day
TIME_NOT_UNDERSTOOD = 'I couldn\'t read that as a time. Try "8pm" or "20:30".'
TIME_AM_OR_PM = 'Did you mean {hour}am or {hour}pm? Try "{hour}pm" or "{hour:02d}:00".'
TIME_MINUTES_OUT_OF_RANGE = 'Minutes go from 00 to 59. Try something like "8:45pm" or "20:30".'
TIME_HOURS_OUT_OF_RANGE = (
    'Hours go from 0 to 23, so that\'s past the end of the day. Try "8pm" or "20:30".'
)
TIME_MIXED_CLOCKS = (
    'That mixes the 24-hour and 12-hour clocks. Try "{hour_12}{meridiem_letter}m" '
    'or "{hour}:{minute:02d}".'
)
TIME_TWELVE_HOUR_OUT_OF_RANGE = 'On the 12-hour clock, hours go from 1 to 12. Try "8pm" or "20:30".'

# Time zones
ZONE_OFFSET_REFUSAL = (
    "A fixed UTC offset doesn't follow daylight-saving changes, so your check-ins would drift "
    'by an hour. Tell me your city instead, like "Denver" or "Berlin" (or "UTC" if you mean it).'
)
ZONE_ABBREVIATION_REFUSAL = (
    "Abbreviations like EST flip with daylight saving and some mean more than one place, so "
    'I\'d rather not guess. Tell me your city instead, like "New York" or "London".'
)
ZONE_UNKNOWN_PLACE = (
    'I don\'t know that place yet. Try the nearest big city, like "Chicago" or "Berlin", '
    'or a zone name like "Europe/Berlin".'
)
ZONE_NO_PLACE_GIVEN = (
    'Tell me your city, like "Denver" or "London", and I\'ll work out the time zone.'
)
ZONE_AMBIGUOUS_PLACE = "That covers more than one time zone. Which is nearest to you: {places}?"
ZONE_CHOICES_SEPARATOR = ", "
"""Between the suggested places in ``ZONE_AMBIGUOUS_PLACE``, except the last two."""
ZONE_CHOICES_LAST_SEPARATOR = " or "
"""Between the last two suggested places in ``ZONE_AMBIGUOUS_PLACE``."""
ZONE_LABEL = "{place} ({zone})"
"""How an understood zone is named back for confirmation, e.g. "Denver (America/Denver)"."""
ZONE_STALE = "I don't recognise that time zone any more. Could you tell me your city again?"

# Quiet hours
QUIET_HOURS_NOT_UNDERSTOOD = (
    'I couldn\'t read those quiet hours. Try "22:00-07:00", "10pm-7am" or "off".'
)
QUIET_HOURS_SAME_START_AND_END = (
    'Quiet hours need different start and end times, like "22:00-07:00". '
    'To turn them off, say "off".'
)

# Durations
DURATION_NOT_UNDERSTOOD = (
    'I couldn\'t read that as a length of time. Try "90m", "2h", "3h30m" or "7d".'
)
DURATION_MONTHS_OR_YEARS = (
    "Months and years vary in length, so I can't count them exactly. "
    'Try days or weeks instead, like "30d" or "4w".'
)
DURATION_TOO_LONG = 'That\'s longer than I can count. Try something like "7d".'
DURATION_ZERO = 'That works out to no time at all. Try something like "2h" or "90m".'

# Dates
DATE_NOT_UNDERSTOOD = 'I couldn\'t read that as a date. Try "2026-12-01", "1 Dec" or "tomorrow".'
DATE_DOES_NOT_EXIST = 'That date doesn\'t exist on the calendar. Try something like "2026-12-01".'
DATE_ORDER_AMBIGUOUS = (
    "Dates written with only numbers mean different days in different countries, so I'd "
    'rather not guess. Try "2026-12-01" or "1 Dec".'
)


# Words for days people type, "|" between the choices (every language's are read, whatever the
# person's own).
TODAY_WORDS = "today"
TOMORROW_WORDS = "tomorrow"
YESTERDAY_WORDS = "yesterday"


translated_module(__name__)
