"""Alerts: the ping a mentor (or the chain above them) gets, and what the mentee is told.

A ping never carries what the mentee wrote: only their chosen name, how urgent it is, what
raised it and when.
"""

from handlers.i18n import translated_module

SEVERITY = {"urgent": "🚨 Urgent", "normal": "Heads-up"}
TRIGGERS = {
    "crisis": "sent a message that may mean they're in crisis",
    "sos": "asked for help with /sos",
    "use": "said in their check-in that they have used",
    "craving": "reported a strong craving in their check-in",
    "low_mood": "reported a low mood on 3 check-ins in a row",
    "missed_checkins": "has missed {missed} in a row",
    "possible_unanswered": "didn't answer when I asked whether they're safe",
    "possible_repeated": "has had several messages this week that made me ask if they're safe",
}
"""Stands in for the name of someone who has not chosen one yet."""

PING = "{severity}: *{name}* {trigger} ({when})."
PING_AS_BACKUP = "You're their backup mentor: their mentor hasn't acknowledged this yet."
PING_AS_COORDINATOR = (
    "You're the coordinator on duty: nobody on their mentor chain has acknowledged this yet."
)
PING_REMINDER = "Reminder: this alert is still waiting for someone to acknowledge it."
PING_NEXT_STEP = (
    "Please reach out to them, and tap Acknowledge so the team knows you've got it. "
    "Send /alerts to see every open alert."
)
ACKNOWLEDGE = "Acknowledge"

MENTEE_TOLD = "I've let your mentor know, so they can check in with you."


translated_module(__name__)
