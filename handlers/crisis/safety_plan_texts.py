"""``/safetyplan``: building, showing and editing a personal safety plan."""

from handlers.i18n import translated_module

TITLES = {
    "warning_signs": "Warning signs",
    "what_helps": "What helps",
    "people_places": "People and places",
    "professionals": "Professionals to call",
}
INTRO = (
    "A safety plan is a few notes to yourself for a hard moment: the signs that one may be "
    "coming, what helps, who and where you can turn to, and professionals you can call. "
    "I'll show it to you whenever you send /sos or tell me you're in crisis. It stays private: "
    "your mentor never sees it.\n\n"
    "Let's build it one part at a time. Type your answer, or tap Skip."
)
ASK = {
    "warning_signs": (
        "1 of 4 · *Warning signs*: which thoughts, feelings or situations tell you a hard "
        "moment may be coming?"
    ),
    "what_helps": (
        "2 of 4 · *What helps*: things you can do on your own to get through it "
        "(a walk, music, a shower, a meeting...)"
    ),
    "people_places": (
        "3 of 4 · *People and places*: who can you reach out to, and where can you go to feel "
        "safer?"
    ),
    "professionals": (
        "4 of 4 · *Professionals to call*: a counsellor, doctor, sponsor or helpline. "
        "Add their numbers if you like."
    ),
}
EDIT_ASK = "Type the new text for *{title}*, or tap Keep to leave it as it is."
SKIP = "Skip"
KEEP = "Keep as it is"
SAVED = (
    "Your safety plan is saved. I'll show it to you if you send /sos or tell me you're in "
    "crisis. Send /safetyplan any time to see or change it."
)
NOTHING_SAVED = (
    "That's okay, nothing is saved for now. Send /safetyplan whenever you'd like to try again."
)
UPDATED = "Updated."
SHOW_HEADER = "*Your safety plan*"
SHOW_LINE = "*{title}*: {text}"
EMPTY_PART = "(nothing yet)"
SHOW_FOOTER = "Tap a part to change it, or Done."
EDIT_BUTTON = "Edit {title}"
DONE = "Done"
CLOSED = "Okay. Send /safetyplan any time to see or change it."
TAP_A_BUTTON = "Tap a part of your plan to change it, or Done."
TOO_LONG = "That's a bit long for one part: {limit} characters at most. Could you shorten it?"
STALE = "That safety-plan button is from an older message. Send /safetyplan to open your plan."

CRISIS_HEADER = "*Your safety plan:*"
CRISIS_LINE = "• {title}: {text}"


translated_module(__name__)
