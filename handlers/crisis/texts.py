"""What the bot says when a message signals a crisis. Never any detail about methods."""

from handlers.i18n import translated_module

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
CRISIS_NOT_AN_EMERGENCY_SERVICE = (
    "This bot is peer support, not an emergency service, so please use one of the lines above now."
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

# Asking when unsure: the screen thinks a message may signal a crisis but is not sure. We ask
# directly and kindly, as crisis counsellors do, with the resources in the same message.
ASK_OPENING = "I want to check in with you, because you matter."
ASK_QUESTION = "Are you thinking about ending your life, or about hurting yourself?"
ASK_RESOURCES = "Whatever your answer, you can talk to someone right now, any time:"
ASK_NEXT_STEP = "Tap an answer below. There's no wrong answer, and you can keep talking to me too."
ASK_YES = "Yes, I am"
ASK_NO = "No, I'm not"
ASK_RATHER_NOT_SAY = "I'd rather not say"
ASK_YES_THANKS = (
    "Thank you for telling me. That took courage. If you can, call or text one of the lines "
    "above now. You can type /safetyplan to look at your plan, or /sos any time."
)
ASK_QUIET_OPENING = (
    "That's okay. You don't have to say anything you're not ready to say. "
    "If it would help to talk, these lines are there any time:"
)
ASK_QUIET_MENTOR_ALERTED = (
    "I've asked your mentor to check in with you. They won't see anything you wrote here."
)
ASK_QUIET_NEXT_STEP = "You can keep talking to me whenever you're ready, or type /sos any time."
ASK_NO_OPENING = "Thank you for letting me know. I'm really glad."
ASK_NO_RESOURCES = "If that changes, or things get heavy, these are here for you any time:"
ASK_NO_NEXT_STEP = (
    "You can pick up where we left off: just answer my last question, or type /help "
    "to see what else I can do."
)
ASK_TAP_AN_ANSWER = (
    "When you're ready, tap one of the answers to my question, or type /sos for help right now."
)
ASK_IN_A_GROUP = (
    "If anything is weighing on you, you don't have to carry it alone. "
    "These lines are there any time:"
)


translated_module(__name__)
