"""Mentors and mentees: invites, pairing, sharing choices, /mentees, /alerts, acknowledgements."""

from handlers.i18n import translated_module
from handlers.messaging import DeliveryFailure

# Invites and pairing ------------------------------------------------------------------------------

INVITE_CREATED = (
    "Here's your invite code: *{code}*\n"
    "Share it with the person you'll mentor. They send /start {code} to me (or /join {code} "
    "if they already use me), and you'll be paired. It works once, for {days}."
)
ROLE_INVITE_CREATED = (
    "Here's a {role} invite code: *{code}*\n"
    "The person sends /start {code} to me (or /join {code} if they already use me). It works "
    "once, for {days}. Pair a new mentee with a mentor with `peerbot pair`."
)
INVITE_WHICH_ROLE = "Which role is the invite for? Send /invite followed by one of: {roles}."
INVITE_MENTOR_ONLY = (
    "Only coordinators can invite for a role. Send /invite on its own for a code that pairs a "
    "new mentee with you."
)
INVITE_FULL = (
    "You're mentoring {count}, which is your limit of {limit}, so I can't make a new "
    "invite right now. Ask your coordinator if you'd like to take on more."
)
PAIRED_WITH = (
    "You're paired with a mentor: *{mentor}*. If you send /sos, or a check-in shows you're "
    "having a hard time, they'll be told, so they can reach out."
)
MENTOR_FULL_AT_JOIN = (
    "Your mentor's list is full right now, so I couldn't pair you with them yet. The program "
    "coordinator will find you a mentor; until then, check-ins and /sos work as usual."
)
OWN_INVITE = "That's your own invite code: share it with the person you'll mentor."
PAIR_NOTICE_MENTOR = (
    "You've been paired with a new mentee: *{name}*. Send /mentees to see how they're doing "
    "(within what they choose to share)."
)
PAIR_NOTICE_MENTEE = "Good news: you've been paired with a mentor, *{mentor}*."
"""Stands in for the name of someone who has not chosen one yet."""

# Asking for a different mentor --------------------------------------------------------------------

NEW_MENTOR_SENT = (
    "Thank you for telling me. I've passed it on to the program coordinator (your mentor "
    "isn't told), and they'll be in touch about a new match. Until then everything works as "
    "usual, /sos included."
)
NEW_MENTOR_NOTED = (
    "Thank you for telling me. I've noted it for the program coordinator (your mentor isn't "
    "told), who will see it when they next check. Until then everything works as usual, "
    "/sos included."
)
NEW_MENTOR_NO_COORDINATOR = (
    "Thank you for telling me. I've saved your request (your mentor isn't told), but this "
    "program has no coordinator yet, so nobody has seen it: the first coordinator will find it "
    "on the roster. If it can't wait, ask whoever invited you to the program. Until then "
    "everything works as usual, /sos included."
)
NEW_MENTOR_UNPAIRED = (
    "You don't have a mentor yet. I've let the program coordinator know you'd like one."
)
NEW_MENTOR_UNPAIRED_NOT_REACHED = (
    "You don't have a mentor yet, and I couldn't reach the program coordinator just now, so "
    "nobody has been told. Please send /newmentor again a little later. /sos works any time."
)
NEW_MENTOR_UNPAIRED_NO_COORDINATOR = (
    "You don't have a mentor yet, and this program has no coordinator yet, so there is nobody "
    "I can tell. Please ask whoever invited you to the program, or send /newmentor again "
    "later. /sos works any time."
)
NEW_MENTOR_TO_COORDINATOR = (
    "*{name}* (person {id}) has asked for a different mentor; their mentor hasn't been told. "
    "Approve a suggested mentor below (their current one is left out; /match {id} shows fresh "
    "ones), or pair them yourself with `peerbot pair {id} MENTOR`."
)
WANTS_MENTOR_TO_COORDINATOR = (
    "*{name}* (person {id}) would like a mentor. Approve a suggested mentor below (/match {id} "
    "shows fresh ones), or pair them yourself with `peerbot pair {id} MENTOR`."
)

# What a mentee shares -----------------------------------------------------------------------------

SCOPES = {
    "numbers": "your check-in numbers (mood and craving)",
    "streak": "your streak",
    "notes": "your check-in notes",
    "goals": "your goals and your progress on them",
}
SCOPE_SHORT = {"numbers": "numbers", "streak": "streak", "notes": "notes", "goals": "goals"}
SHARING_MENU = (
    "Here's what {mentor} sees about you:\n{lines}\n\n"
    "They always see that you checked in, and any alert (like /sos). "
    "Your goals stay private unless you share them; if you do, they see each goal's steps "
    "and progress and can leave you a note of encouragement on it. "
    "Tap to change what they see; you can change it any time with /sharing."
)
SHARING_NO_MENTOR = "your mentor, once you have one,"
SCOPE_ON = "✓ {label}"
SCOPE_OFF = "✗ {label} (private)"
SHARE_BUTTON = "Share {scope}"
HIDE_BUTTON = "Hide {scope}"
SHARING_DONE_BUTTON = "Done"
SHARING_SAVED = "Saved. Your mentor sees {shared}. Send /sharing any time to change it."
SHARING_NOTHING = "only that you checked in"
SHARING_AND = " and "

# /mentees -----------------------------------------------------------------------------------------

MENTEES_NONE = "You have no mentees yet. Send /invite for a code to give someone you'll mentor."
MENTEES_HEADER = "Your mentees ({count}):"
MENTEE_NAME = "*{name}*"
MENTEE_NAME_BACKUP = "*{name}* (you're their backup mentor)"
LAST_CHECKIN = "Last check-in: {date}"
NO_CHECKINS = "No check-ins yet"
NUMBERS = "Mood {mood}/5 {arrow}, craving {craving}/10"
NUMBERS_PRIVATE = "Numbers: kept private"
NO_NUMBER = "-"
STREAK = "Streak: {days}"
STREAK_NOT_STARTED = "Streak: not started yet"
STREAK_PRIVATE = "Streak: kept private"
GOALS_SHARED = "Goals: shared (tap Goals below)"
GOALS_PRIVATE = "Goals: kept private"
GOALS_BUTTON = "Goals: {name}"
NOTE = "Latest note: “{note}”"
OPEN_ALERTS = "Open alerts: {count} (see /alerts)"
MENTEES_FOOTER = "You see what each person chose to share. Send /alerts for open alerts."

# /alerts and acknowledging ------------------------------------------------------------------------

ALERTS_NONE = "No open alerts right now. Send /mentees to see how your mentees are doing."
ALERTS_HEADER = "Open alerts ({count}):"
ALERTS_MORE = "Showing the oldest {shown}; acknowledge these to see the rest."
ALERT_LINE = "{severity}: *{name}* {trigger} ({when}). Told: {told}."
TOLD_PART = "{role} at {when}"
NOBODY_TOLD = "nobody yet"
ROLE_NAMES = {"mentor": "mentor", "backup": "backup mentor", "coordinator": "coordinator"}
ALERTS_FOOTER = "Tap Acknowledge once you've got one, then reach out to them."
ACK_BUTTON = "Acknowledge {name}"
ACKED = (
    "Thank you: you've acknowledged the alert for *{name}*, who {trigger} ({when}). "
    "Please reach out to them soon. Send /alerts to see any others."
)
ALREADY_ACKED = (
    "That alert was already acknowledged by {who} ({when}). Send /alerts to see any still open."
)
ACK_STALE_NEXT_STEP = "Send /alerts to see the open ones."
ACK_UNKNOWN = "I can't find that alert any more. Send /alerts to see the open ones."
ACK_NOT_YOURS = (
    "That alert isn't one of yours, so I can't acknowledge it for you. Send /alerts to see yours."
)
ACK_NOTICE = (
    "The alert for *{name}* ({trigger}) has been acknowledged by {who}. Thank you for being there."
)
SOMEONE = "someone on the team"
UNREACHABLE = {
    DeliveryFailure.DMS_CLOSED: (
        "⚠ Their Discord DMs are closed, so daily check-ins can't reach them. You could ask them "
        "to allow DMs from the server, or ask the coordinator to set up a check-in channel."
    ),
}
UNREACHABLE_OTHER = (
    "⚠ Daily check-ins can't reach them right now (the app refused the message), so they are "
    "paused. If you can, reach out another way; /resume from them turns check-ins back on."
)

# Who is on duty (peerbot roster, and a warning at peerbot run) ---------------------------------

NOBODY_ON_DUTY = (
    "No coordinator is on duty: an alert about someone without a mentor goes to every "
    "coordinator at once. Put one on duty with `peerbot oncall ID`."
)
NO_COORDINATOR = (
    "No coordinator is on duty, and there is no coordinator to stand in: a crisis or /sos from "
    "someone without a mentor reaches nobody on the team. Invite a coordinator and put them on "
    "duty with `peerbot oncall ID`."
)


translated_module(__name__)
