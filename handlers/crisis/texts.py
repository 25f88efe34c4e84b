"""What the bot says when a message signals a crisis. Never any detail about methods."""

CRISIS_OPENING = (
    "It sounds like you might be going through something really hard right now. "
    "You don't have to face it alone. Please reach out now:"
)
CRISIS_RESOURCE_LINE = "• *{name}*: {contact}"
CRISIS_HOPE = (
    "Reaching out is a strong step. Feelings this heavy can pass, and people want to help."
)
CRISIS_NOBODY_ALERTED = (
    "This bot is peer support, not an emergency service, and nobody on the team has been "
    "alerted, so please use one of the lines above now."
)
CRISIS_COORDINATOR_ALERTED = (
    "I've let the program's coordinator know you need support. This bot is peer support, not "
    "an emergency service, so please use one of the lines above now too."
)
CRISIS_MENTOR_ALERTED = "I've let your mentor know you need support. They'll reach out."
CRISIS_OVERDOSE = (
    "If someone may have overdosed or isn't breathing: call {emergency} now. "
    "If naloxone (Narcan) is at hand, use it, and stay with them until help comes."
)
CRISIS_SENT_PRIVATELY = "I've also sent you a private message."
EMERGENCY_NAME = "Emergency"
EMERGENCY_CONTACT = "call {number} if you or someone near you is in danger right now"
LOCAL_EMERGENCY_NUMBER = "your local emergency number"
