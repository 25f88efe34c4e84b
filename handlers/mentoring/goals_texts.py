"""What a mentor sees of a mentee's goals (within their /sharing choice), and cheering them on."""

from handlers.i18n import translated_module

GOALS_HEADER = "*{name}*'s goals:"
GOAL_HEAD = "*{title}* · {facts}"
STEP_LINE = "  {mark} {title}"
NOTES_SO_FAR = "💬 Notes of encouragement so far: {count}"
GOALS_FOOTER = (
    "Tap Cheer to leave {name} a short note of encouragement on a goal; it shows on their goal "
    "and I'll pass it on."
)
NO_GOALS = (
    "{name} hasn't set any goals yet. If it feels right, you could talk about one together: "
    "they send /goal add to set it."
)
CHEER_BUTTON = "Cheer: {title}"

NOT_PAIRED = (
    "That person isn't one of your mentees, so their goals aren't shown to you. "
    "Send /mentees to see the people you mentor."
)
PRIVATE = (
    "{name} keeps their goals private, so I can't show them. That's their choice, made with "
    "/sharing; you could simply ask them how their goals are going."
)
GOAL_GONE = "That goal isn't on {name}'s list any more. Send /mentees to see their goals."
STALE_NEXT_STEP = "Send /mentees to see your mentees."

ASK_CHEER = (
    "What would you like to tell {name} about “{title}”? One short message ({limit} characters "
    "at most): it shows on their goal, and I'll pass it on."
)
NEVER_MIND = "Never mind"
CHEER_CANCELLED = "Okay, nothing sent. Send /mentees whenever you like."
CHEER_EMPTY = "Could you write a few words of encouragement? Or tap Never mind."
CHEER_TOO_LONG = "That's a bit long ({limit} characters at most). Could you say it more briefly?"

CHEER_SENT = "Sent. {name} will see your note on “{title}”. Thank you for cheering them on."
CHEER_SAVED_PAUSED = (
    "Saved: your note shows on {name}'s goal “{title}”. They've paused messages from me, so "
    "they'll see it next time they open their goals."
)
CHEER_SAVED_UNREACHED = (
    "Saved: your note shows on {name}'s goal “{title}”, though I couldn't message them just "
    "now. They'll see it next time they open their goals."
)

CHEER_TO_MENTEE = "💬 {mentor} cheered you on for your goal “{title}”:\n“{text}”"
SEE_GOAL = "See the goal"


translated_module(__name__)
