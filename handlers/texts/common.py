"""Sentences shared by every capability."""

from handlers.i18n import translated_module

UNNAMED = "a new mentee"
"""How a person who has not chosen a name yet is called to others."""

NOT_STARTED = (
    "Hi, I'm a peer-support companion for people in recovery. "
    "Send /start to begin, or /help to see what I can do."
)
UNKNOWN_COMMAND = "I don't know /{name}. Send /help to see the commands you can use."
DID_YOU_MEAN = "I don't know /{name}. Did you mean /{match}? Send /help to see them all."
NOT_FOR_YOUR_ROLE = (
    "/{name} is for {roles} in the program, so I can't run it for you. "
    "Send /help to see the commands you can use."
)
TOO_LONG = (
    "That message is longer than I can take ({limit:,} characters at most). "
    "Could you send a shorter one?"
)
IDLE = (
    "I'm here. Send /checkin for a check-in, or /help to see everything. "
    "If you need someone right now, the crisis line is in /help too."
)
STALE_BUTTON = "That button is from an older message and no longer does anything. {next_step}"
STALE_NEXT_STEP = "Send /help to see what you can do."
SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on my side. What you told me before this is safe. "
    "Please try again in a moment, or send /help."
)
UNSUPPORTED_MESSAGE = "I can only read text messages and buttons. Could you type it out instead?"
NEED_ONBOARDING = "Let's get you set up first: send /start."
SENT_PRIVATELY = "I've sent that to you in a private message, to keep it between us."
ASK_PRIVATELY = (
    "That's personal, so I only answer it in a private chat. Open a private chat with me and "
    "send /{name} there."
)
GROUP_WELCOME = (
    "Hello, everyone. I'm the peer support program's bot. A facilitator can set up a peer "
    "circle here with /circle create, and anyone can send /help to see what I do."
)
GROUP_STAFF_ONLY = (
    "Hello! I'm the peer support program's bot. Only the program's facilitators, mentors and "
    "coordinators can add me to a group, so I'll leave now. If you'd like to join the program "
    "or talk to someone, message me directly and send /start."
)


translated_module(__name__)
