"""/settings, /pause, /resume and /stop."""

from handlers.i18n import translated_module

MENU = (
    "What would you like to change?\nName: {name}\nTime zone: {zone}\nDaily check-in: {time}\n"
    "Quiet hours (no reminders): {quiet}\nYour recovery date: {since}\nLanguage: {language}"
)
CHECKINS_ARE_OFF = "off"
NO_RECOVERY_DATE = "not set"
MENU_SINCE = "Recovery date"
MENU_LANGUAGE = "🌐 Language"
ASK_LANGUAGE = "Which language would you like me to use?"
LANGUAGE_SAVED = "Done: I'll write to you in {language} from now on."
ASK_SINCE = (
    "What date do you count your recovery from? Send it like “2025-10-01” or “1 Oct 2025”. "
    "Your day count and milestones will count from there."
)
CHECKINS_OFF_BUTTON = "No daily check-ins"
CHECKINS_TURNED_OFF = (
    "Done: daily check-ins are off. You can still send /checkin any time, or choose a time "
    "in /settings to turn them back on."
)
MENU_NAME = "Name"
MENU_ZONE = "Time zone"
MENU_TIME = "Check-in time"
MENU_QUIET = "Quiet hours"
MENU_DONE = "Nothing, thanks"
MENU_CLOSED = "Okay, nothing changed. Send /settings any time."
NAME_SAVED = "Done: I'll call you {name}."
ZONE_SAVED = "Done: your time zone is now {zone}."
TIME_SAVED = "Done: your daily check-in is now at {time}."
PAUSED_UNTIL = (
    "Check-ins are paused until {date}. Take the time you need. Send /resume to restart sooner."
)
PAUSED_OPEN = "Check-ins are paused. Take the time you need; send /resume when you're ready."
PAUSE_IN_PAST = "That date has already passed. Try a later one, like “/pause until {example}”."
RESUMED = "Welcome back. Your daily check-in is on again at {time}."
NOT_PAUSED = "Your check-ins aren't paused. Send /pause if you'd like a break."
STOPPED = (
    "Okay, I won't send you any more messages. What you've told me is kept until you erase "
    "it with /deleteme. Send /start whenever you'd like to come back."
)
TAP_A_BUTTON = "Tap one of the buttons above to choose what to change, or send /settings again."
STALE_NEXT_STEP = "Send /settings to open them again."
ASK_QUIET = (
    "When should I hold back reminders? Type a range like “22:00-07:00” or “10pm-7am”, "
    "or “off” to allow them any time."
)
QUIET_SAVED = "Done: quiet hours are {quiet}."
QUIET_OFF = "off, so reminders can come at any time"


translated_module(__name__)
