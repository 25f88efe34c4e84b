"""/link: one person on two platforms."""

from handlers.i18n import translated_module

LINK_CODE = (
    "To use me on another app too, send this there within {minutes} minutes:\n\n"
    "/link {code}\n\n"
    "I'll then ask you here to confirm, and your check-ins, counts, goals and mentor will be "
    "the same on both. Keep this code to yourself: anyone who has it can ask to join your record."
)
REQUEST_SENT = (
    "Nearly there. To keep your record safe, I've asked your {platform} account to confirm. "
    "Open {platform} and tap “Yes, link it” there: this account joins your record once you do. "
    "If nobody confirms within 24 hours, I'll cancel it."
)
ASK_OWNER = (
    "Someone used your /link code on a {platform} account. Link this account to yours?\n\n"
    "If that was you, tap “Yes, link it”. If it wasn't, tap “No”: nothing is shared, and it's "
    "a good idea to keep /link codes to yourself."
)
ACCEPT_BUTTON = "Yes, link it"
REFUSE_BUTTON = "No, it wasn't me"
CONFIRMED = (
    "Done: your {platform} account is now linked, and shares your check-ins, counts, goals and "
    "mentor. Send /settings any time to choose where check-ins come."
)
REFUSED = "Okay, I haven't linked it: your record stays just as it was. Send /help if you need me."
REFUSED_NEW = (
    "The link wasn't confirmed, so this account hasn't joined any record and nothing was shared. "
    "If you meant to link it, send /link on your other app for a new code and confirm there; "
    "or send /start to begin fresh here."
)
EXPIRED_NEW = (
    "Your link request wasn't confirmed within 24 hours, so I've cancelled it and nothing was "
    "shared. If you still want to link, send /link on your other app for a new code and confirm "
    "it there."
)
REQUEST_GONE = (
    "That link request has expired or was already answered, so nothing changed. "
    "Send /link for a new code if you'd like to link an account."
)
NOW_TAKEN = (
    "That account now has a record of its own, so I couldn't link it and nothing changed. "
    "Ask your coordinator if you'd like the two joined."
)
CANNOT_ASK = (
    "I couldn't reach your {platform} account to ask it to confirm, so nothing was linked. "
    "Send /link there for a new code and try again in a little while."
)
NEW_ACCOUNT_LINKED = (
    "A {platform} account was just linked to your record. If that wasn't you, tell your "
    "mentor or coordinator straight away; send /help to see what you can do."
)
LINKED = (
    "Linked. This account and your {platforms} account are now one record: your check-ins, "
    "counts, goals and mentor are shared. Where should daily check-ins come?"
)
WHERE_PROMPTS = "Where should daily check-ins come?"
PROMPTS_GO_TO = "Done: daily check-ins will come on {platform}."
PROBLEM = {
    "unknown": "I couldn't find that code. On your other app, send /link to get a new one.",
    "expired": "That code has expired. On your other app, send /link to get a new one.",
    "account_taken": (
        "This account already has its own record here, so I can't link it. "
        "Ask your coordinator if you'd like the two joined."
    ),
}
ALREADY_LINKED = "This account is already part of your record. Send /help to see what you can do."
PLATFORM_NAMES = {"telegram": "Telegram", "discord": "Discord", "console": "the console"}


translated_module(__name__)
