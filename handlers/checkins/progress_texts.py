"""/progress: the mood and craving chart, and the words that say the same as the chart."""

from handlers.i18n import translated_module

HERE_IT_IS = (
    "Here are your last {days} days. Send /progress 90 to see three months, "
    "or /checkin to add today."
)
NOTHING_YET = (
    "There's nothing to chart yet: your chart fills in as you check in. "
    "Send /checkin to do today's, and come back in a few days."
)
NOTHING_IN_WINDOW = (
    "You haven't checked in during the last {days} days, so there's nothing to draw for them. "
    "Send /progress 365 to look further back, or /checkin to start again today."
)
BAD_DAYS = (
    "Send /progress for the last 30 days, or add a number of days from {low} to {high}, "
    "like /progress 90."
)

# In the chart itself.
CHART_TITLE = "Your last {days} days"
CHART_SUBTITLE_STREAK = "Current streak: {streak} · checked in on {checked} of {days} days"
CHART_SUBTITLE = "Checked in on {checked} of {days} days"
MOOD_AXIS = "Mood (1 to 5)"
CRAVING_AXIS = "Cravings (0 to 10)"
MOOD_LEGEND = "Mood"
CRAVING_LEGEND = "Cravings"
MISSED_LEGEND = "Missed check-in"

# The alt text: the chart's facts in words.
ALT_INTRO = "Chart of your mood and cravings over the last {days} days ({start} to {end})."
ALT_CHECKED = "You checked in on {checked} of them."
ALT_MOOD = "Mood averaged {avg} out of 5, ranging from {low} to {high}"
ALT_CRAVING = "Cravings averaged {avg} out of 10, ranging from {low} to {high}"
ALT_TREND_UP = "; it rose from {first} in the first half to {second} in the second half."
ALT_TREND_DOWN = "; it fell from {first} in the first half to {second} in the second half."
ALT_TREND_CRAVING_DOWN = "; they eased from {first} in the first half to {second} in the second."
ALT_TREND_CRAVING_UP = "; they rose from {first} in the first half to {second} in the second."
ALT_TREND_FLAT = "; about the same in both halves."
ALT_NO_TREND = "."
ALT_MISSED_NONE = "No prompted check-ins were missed."
ALT_MISSED = "Missed check-ins: {count} ({dates})."
ALT_MISSED_MORE = "{dates} and {more} more"
ALT_STREAK = "Current streak: {streak}."


translated_module(__name__)
