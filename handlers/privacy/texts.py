"""``/mydata`` and ``/deleteme``: seeing and erasing what is stored."""

from handlers.i18n import Plural, translated_module

HELP_MYDATA = "get a copy of everything I keep about you"
HELP_DELETEME = "erase everything I keep about you"

PRIVATE_CHAT_ONLY = (
    "For your privacy, /{name} only works in a private chat with me. "
    "Send it to me directly and I'll answer there."
)

NOTHING_STORED = (
    "I don't keep anything about you yet: nothing is stored until you say yes at the start. "
    "Send /start whenever you'd like to begin."
)
MYDATA_SUMMARY = (
    "Here is a copy of everything I keep about you, {name}, in the attached file "
    "({filename}). Any text editor opens it.\n\n"
    "In short:\n"
    "• your profile: your chosen name, time zone, check-in time and role ({roles})\n"
    "• {checkins}, {notes} of them with a note\n"
    "• {goals}\n"
    "• a safety plan: {plan}\n"
    "• {alerts} raised for your mentor\n"
    "• staff looked at your check-ins or alerts {views} (who and when is in the file)\n"
    "• {circles}\n"
    "• a matching profile: {match}; {trainings} and {sessions} logged\n\n"
    "{protection}\n"
    "To erase all of it, send /deleteme. Send /help for everything else."
)
TRAININGS = Plural("{n} training", "{n} trainings")
SESSIONS = Plural("{n} supervision session", "{n} supervision sessions")
PLAN_YES = "yes"
PLAN_NO = "none yet"
ENCRYPTED = "Your notes, safety plan and goals are stored encrypted."
NOT_ENCRYPTED = (
    "Your notes, safety plan and goals are stored on the program's own server, without encryption."
)
EXPORT_ABOUT = (
    "Everything the bot stores about you, table by table, as it was when you asked. Times are "
    "UTC. Alerts record that your mentor was told, never what you wrote."
)
FILENAME = "my-data-{date}.json"

CONFIRM = (
    "*Erase everything?* This deletes your check-ins and notes, goals, safety plan, alerts, "
    "circle sign-ups, and your accounts here, for good. It can't be undone, so you may want "
    "a copy first: /mydata.\n\n"
    "If you have a mentor, they'll only hear that you've left the program. "
    "All I keep is a note that an erasure happened and when, with nothing that points to you."
)
ERASE_BUTTON = "Yes, erase everything"
KEEP_BUTTON = "No, keep my data"
ERASED = (
    "Done. Everything I kept about you is erased. Thank you for the trust you gave this "
    "program, and take good care of yourself. If you ever want to come back, send /start."
)
KEPT = "Okay, nothing was erased. Send /help to see what you can do."
KEPT_TYPED = (
    "I've kept everything: nothing was erased. If you do want to erase it, send /deleteme and "
    "tap the button."
)
NOTHING_TO_ERASE = "There's nothing stored about you now. Send /start whenever you'd like to begin."
STALE_NEXT_STEP = "Send /deleteme again if you want to erase your data."

MENTEE_LEFT = (
    "{name} has left the program. Their check-ins and alerts won't come to you any more, and "
    "there's nothing you need to do. Thank you for walking alongside them. "
    "Send /mentees to see who you're supporting now."
)
MENTOR_LEFT = (
    "Your mentor {name} has left the program. Until you have a new one, alerts go to the "
    "program's coordinator. Send /newmentor to ask for a new mentor; your check-ins carry on "
    "as before."
)

HELD = (
    "This account was linked to your record less than a day ago, so to keep your data safe "
    "I've asked your {platform} account to confirm first. Tap “Yes” there and I'll carry on "
    "here; until then nothing is {done}."
)
HELD_DONE = {"mydata": "sent", "deleteme": "erased"}
HELD_ASK = {
    "mydata": (
        "Your {platform} account, linked to your record less than a day ago, asked for a copy "
        "of all your data. Was that you?"
    ),
    "deleteme": (
        "Your {platform} account, linked to your record less than a day ago, asked to erase "
        "everything I keep about you. Was that you?"
    ),
}
HELD_YES = "Yes, that was me"
HELD_NO = "No, it wasn't me"
HELD_SENT = "Done: I've sent the copy of your data to your {platform} account."
HELD_ERASE_ASKED = (
    "Thanks. I've asked your {platform} account to confirm the erasure there; nothing is erased "
    "until that's tapped."
)
HELD_REFUSED = (
    "Okay, I haven't done it. If you don't recognise that {platform} account, tell your mentor "
    "or coordinator straight away. Send /help to see what you can do."
)
HELD_REFUSED_ASKER = (
    "Your other account said that wasn't confirmed, so nothing was sent or erased. "
    "Send /help to see what you can do."
)
HELD_GONE = "That request was already answered or set aside, so nothing changed."
HELD_SET_ASIDE = (
    "I've set that request aside: nothing was sent or erased. Send /mydata or /deleteme again "
    "when you're ready."
)
HELD_UNREACHABLE = (
    "This account was linked less than a day ago, and I couldn't reach your {platform} "
    "account to confirm, so nothing was {done}. Please try again in a little while."
)


translated_module(__name__)
