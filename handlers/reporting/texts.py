"""The coordinator's outcomes report (``peerbot report``) and its charts."""

from handlers.i18n import translated_module

TITLE = "{program}: outcomes from {since} to {until}"
EMPTY = (
    "The program has no one in it yet, so there is nothing to report. "
    "Make invite codes with `peerbot invite` and check back once people have joined."
)
SUPPRESSED = "suppressed"
NO_DATA = "no data yet"
SUPPRESSION_NOTE = "Figures over fewer than {n} people are shown as “suppressed”."

PEOPLE = "People by role"
PEOPLE_NOTE = "Onboarded people; “joined” counts those onboarded in the period."
COMPLETION = "Check-in completion"
COMPLETION_NOTE = "Prompted days (sent or missed) up to yesterday, and how many were answered."
RETENTION = "Retention"
RETENTION_NOTE = (
    "Mentees who joined at least N days ago (any time), and how many completed a check-in "
    "in the week up to day N."
)
TRENDS = "Mood and cravings by week"
TRENDS_NOTE = "Averages of completed check-ins; weeks start on Monday."
ESCALATIONS = "Escalations"
ESCALATIONS_NOTE = "By trigger; minutes from the alert to a mentor's acknowledgement."
CIRCLES = "Peer circles"
GOALS = "Goals"

# Column and group names.
GROUP = "group"
ALL = "all"
COL_PEOPLE = "people"
COL_JOINED = "joined"
COL_STOPPED = "stopped"
COL_PROMPTED = "prompted"
COL_ANSWERED = "answered"
COL_RATE = "rate"
COL_ELIGIBLE = "eligible"
COL_RETAINED = "retained"
COL_CHECKINS = "check-ins"
COL_MOOD = "mood avg (1-5)"
COL_CRAVING = "craving avg (0-10)"
COL_ALERTS = "alerts"
COL_ACKED = "acknowledged"
COL_MEDIAN = "median min to ack"
COL_P90 = "p90 min to ack"
COL_UNACKED = "not acknowledged"
COL_HELD = "held"
COL_EXPECTED = "places"
COL_ATTENDED = "attended"
COL_SET = "set"
COL_REACHED = "reached"
DAYS_GROUP = "{days}"
GOALS_SET = "set in period"
GOALS_REACHED = "reached in period"

# Charts.
CHART_TRENDS_TITLE = "Mood and cravings by week (program average)"
CHART_TRENDS_ALT = "Line chart of weekly averages. {weeks}"
CHART_TRENDS_WEEK = "Week of {week}: mood {mood}, cravings {craving} ({people} people)."
CHART_TRENDS_SUPPRESSED = "Week of {week}: suppressed (fewer than {n} people)."
CHART_RETENTION_TITLE = "Retention: mentees still checking in N days after joining"
CHART_RETENTION_ALT = "Bar chart of retention. {bars}"
CHART_RETENTION_BAR = "{days}: {rate} of {people} mentees."
CHART_RETENTION_HIDDEN = "{days}: {status}."
CHART_ACK_TITLE = "Minutes to acknowledge an escalation, by trigger"
CHART_ACK_ALT = "Bar chart of time to acknowledge. {bars}"
CHART_ACK_BAR = "{trigger}: median {median} minutes, 90th percentile {p90} minutes."
MOOD = "Mood (1-5)"
CRAVING = "Cravings (0-10)"
MEDIAN = "Median"
P90 = "90th percentile"
WEEK_OF = "Week of"
RATE = "Still checking in"
MINUTES = "Minutes"

# Outcomes by match (``peerbot report --by-match``).
COMPLETION_BY_MATCH = "Check-in completion by match"
RETENTION_BY_MATCH = "Retention at {days} days by match"
BY_MATCH_NOTE = (
    "Mentees by their latest pairing: whether the mentor shares the mentee's stated pathway or "
    "language (unknown: either gave no profile)."
)
MATCH_GROUP = "{feature}: {group}"
FEATURE_PATHWAY = "pathway"
FEATURE_LANGUAGE = "language"
GROUP_SHARED = "same"
GROUP_NOT_SHARED = "different"
GROUP_UNKNOWN = "unknown"


translated_module(__name__)
