"""/link: one person on two platforms."""

LINK_CODE = (
    "To use me on another app too, send this there within {minutes} minutes:\n\n"
    "/link {code}\n\n"
    "Your check-ins, counts, goals and mentor will then be the same on both."
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
