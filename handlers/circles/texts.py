"""Peer circles: creating and editing them, RSVPs and reminders, and running a session."""

from handlers.i18n import translated_module

# Showing times ----------------------------------------------------------------------------------

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DATE = "{weekday} {day} {month}"
WHEN = "{date}, {time} {zone}"
ZONE_TIME = "{place} time"
YOUR_TIME = "your time"
AND = " and "
CADENCE_ONCE = "one time only"
CADENCE_WEEKLY = "every {days}"
CADENCE_BIWEEKLY = "every other {days}"
MINUTES = "{minutes} min"
HOURS = "{hours} h"
HOURS_MINUTES = "{hours} h {minutes} min"
SOMEONE = "someone"
SOMEONE_STARTING = "Someone"
NO_LIMIT = "no limit"

# Commands and help --------------------------------------------------------------------------------

HELP_CIRCLES = "see upcoming peer circles and RSVP"
HELP_CIRCLE = "create, edit, cancel or run a peer circle"
HELP_NEXT = "give the floor to the next person in a circle"
CIRCLE_USAGE = (
    "Here's what /circle can do:\n"
    "/circle create: set up a new circle\n"
    "/circle edit: change one\n"
    "/circle cancel DATE, or /circle cancel series\n"
    "/circle here: hold a circle in this chat\n"
    "/circle start (or /circle start quiet for quiet-first order), /next, /circle end\n"
    "/circle handover: pass the running of a session to a co-facilitator"
)
PICK_CIRCLE = "Which circle do you mean? Tap one."
NO_CIRCLES_LED = (
    "You don't have any circles yet. Send /circle create to set one up, "
    "or ask the circle's facilitator to add you as a co-facilitator."
)
NOT_YOUR_CIRCLE = (
    "That circle is led by someone else, so I can't change it for you. "
    "Send /circles to see the circles that are coming up."
)
UNKNOWN_CIRCLE = "I couldn't find circle #{number}. Send /circles to see the ones coming up."
LEADERS_ONLY_BUTTON = (
    "That button is for the circle's facilitators. Send /circles to see what's coming up."
)

# /circle create and /circle edit ----------------------------------------------------------------

CREATE_MOVED_TO_DM = (
    "Let's set up a circle for this chat. I've sent you a private message with the first "
    "question; answer me there."
)
EDIT_MOVED_TO_DM = "I've sent you a private message to make the change; answer me there."
DM_FAILED = (
    "I couldn't send you a private message. Start a chat with me first (send me /start "
    "privately), then try again here."
)
ASK_TITLE = (
    "Let's set up a new circle. What's it called? Something short and welcoming, "
    "like “Tuesday evening circle”. (Send /circle create again to start over at any point.)"
)
ASK_DESCRIPTION = (
    "A sentence or two about it: who it's for and what to expect. Type it, or tap Skip."
)
SKIP = "Skip"
ASK_GUIDELINES = (
    "What guidelines should everyone agree to? Tap to use the standard ones:\n\n{default}\n\n"
    "or type your own (I'll always add: confidentiality, one voice at a time, no cross-talk, "
    "and passing is always fine)."
)
USE_DEFAULT_GUIDELINES = "Use the standard guidelines"
DEFAULT_GUIDELINES = (
    "• What's shared here stays here.\n"
    "• One voice at a time.\n"
    "• No cross-talk: we listen, we don't fix or comment.\n"
    "• Passing is always fine.\n"
    "• Speak from your own experience, with “I”."
)
ASK_DAYS = "Which day does it meet? Tap one, or type several, like “Mon and Thu”."
DAYS_NOT_UNDERSTOOD = "I couldn't read that as days of the week. Try “Tuesday”, or “Mon and Thu”."
ASK_TIME = "What time does it start on {days}? Type it like “7pm” or “19:00”, or tap one."
ASK_ZONE_KNOWN = (
    "Is that {time} in {zone_label}? Tap Yes, or type the city whose time it's in "
    "(like “New York”)."
)
ASK_ZONE_UNKNOWN = "Which city's time is {time} in? For example “New York” or “London”."
ZONE_YES = "Yes, {zone_label}"
ASK_REPEAT = "Does it meet once, every week, or every other week?"
REPEAT_ONCE = "Just once"
REPEAT_WEEKLY = "Every week"
REPEAT_BIWEEKLY = "Every other week"
TAP_REPEAT = "Please tap one of the buttons: once, every week, or every other week."
ASK_DURATION = "How long is each session? Tap one, or type it like “75 min” or “1h30”."
DURATION_RANGE = "Circles can run from {low} to {high} minutes. How long should this one be?"
ASK_CAPACITY = (
    "How many people can join at most? Past that, people go on a waitlist and move up "
    "when someone drops out. Tap one or type a number."
)
CAPACITY_NOT_UNDERSTOOD = "Please type a number from {low} to {high}, or tap “No limit”."
CAPACITY_NO_LIMIT = "No limit"
ASK_WHERE = "Where does it meet? It'll be in the chat where you sent /circle create."
WHERE_TEXT = "There, as a text chat"
WHERE_VOICE = "There, in voice"
WHERE_GROUP = "In that group"
WHERE_LATER = "I'll choose later"
ASK_WHERE_LATER = (
    "Where does it meet? Tap “I'll choose later”, then send /circle here in the group or "
    "channel where it meets, and I'll post the announcement there."
)
CONFIRM = (
    "Here's the circle:\n*{title}*\n{description}\n"
    "When: {when}, {cadence}, {duration}\nPlaces: {capacity}\nWhere: {where}\n\n"
    "Shall I create it?"
)
WHERE_CHOSEN = "the chat you started from ({kind})"
WHERE_NOT_YET = "not chosen yet (send /circle here in that chat)"
KIND_TEXT = "text"
KIND_VOICE = "voice"
KIND_GROUP = "group"
CONFIRM_YES = "Create it"
CONFIRM_RESTART = "Start over"
CONFIRM_NO = "Cancel"
CREATE_CANCELLED = "Okay, I haven't created anything. Send /circle create whenever you like."
CREATED = "Done: *{title}* is set up as circle #{number}. The first one is {when}."
CREATED_ANNOUNCED = "I've posted the announcement with RSVP buttons where it meets."
CREATED_NO_VENUE = (
    "Next step: send /circle here in the group or channel where it meets, and I'll post the "
    "announcement there."
)
CREATED_NEXT = "Change it with /circle edit, or cancel with /circle cancel."
TIME_GAP = (
    "One thing to know: on {date}, {time} doesn't exist in {zone_label} (the clocks go "
    "forward), so that week it starts at {moved_time} instead."
)
TITLE_EMPTY = "I didn't catch a name. What's the circle called?"
TOO_LONG_FIELD = "That's a bit long: {limit} characters at most. Could you shorten it?"
TAP_A_BUTTON = "Please tap one of the buttons above, or send /circle create to start over."
QUESTION_MOVED_ON = "That question has moved on. Answer the latest one, or send /circle create."
EDIT_MENU = "What would you like to change about *{title}*?"
EDIT_TITLE = "Name"
EDIT_DESCRIPTION = "Description"
EDIT_GUIDELINES = "Guidelines"
EDIT_DAYS = "Days"
EDIT_TIME = "Time"
EDIT_DURATION = "Length"
EDIT_CAPACITY = "Places"
EDIT_DONE = "Nothing, thanks"
EDIT_CLOSED = "Okay, nothing changed. Send /circle edit any time."
EDITED = "Done: *{title}* is updated. The next one is {when}."
EDITED_NO_NEXT = "Done: *{title}* is updated."
EDIT_MORE = "Send /circle edit to change something else."

# /circle here, cancel ---------------------------------------------------------------------------

HERE_NEEDS_GROUP = (
    "Send /circle here in the group or channel where the circle meets, not in our private chat."
)
HERE_DONE = "*{title}* now meets in this chat. The announcement with RSVP buttons is below."
HERE_DONE_QUIET = "*{title}* now meets in this chat."
CANCEL_ASK = "Cancel just the next one ({when}), or the whole series?"
CANCEL_NEXT_ONLY = "Just {date}"
CANCEL_SERIES = "The whole series"
CANCEL_BAD_DATE = "{error} Or send /circle cancel series to cancel them all."
CANCEL_NOT_A_DATE = (
    "*{title}* doesn't meet on {date}. The next dates are {dates}. "
    "Send /circle cancel with one of those."
)
CANCEL_PAST = "{date} has already passed, so there's nothing to cancel. Try a later date."
CANCEL_ALREADY = "{date} is already cancelled. Send /circles to see what's coming up."
CANCELLED_ONE = "Done: *{title}* on {date} is cancelled, and everyone who'd answered has been told."
CANCELLED_ONE_NEXT = "The next one is {when}."
CANCELLED_SERIES = (
    "Done: the whole *{title}* series is cancelled, and everyone going has been told."
)
VENUE_CANCELLED_ONE = "*{title}* on {date} is cancelled. Take care, and see you next time."
VENUE_CANCELLED_SERIES = (
    "*{title}* has come to an end: the series is cancelled. Thank you to everyone who came. "
    "Send /circles to find another circle."
)
DM_CANCELLED = (
    "*{title}* on {when} is cancelled, so there's no need to come. "
    "Send /circles to see what else is coming up."
)

# Announcements, RSVPs, reminders ----------------------------------------------------------------

ANNOUNCEMENT = (
    "*{title}*\n{description}When: {when}, {duration}, {cadence}\nWith {facilitator}. {places}\n"
    "Tap Going, Maybe or Can't. If you're going, I'll remind you privately 24 hours and 1 hour "
    "before.\n{counts}"
)
PLACES_LIMITED = "{capacity} places."
PLACES_OPEN = "All welcome."
GOING = "Going"
MAYBE = "Maybe"
CANT = "Can't"
COUNTS = "{going} going · {maybe} maybe"
COUNTS_WAITLIST = " · {waitlist} on the waitlist"
COUNTS_LEFT = " · {left} places left"
COUNTS_ONE_LEFT = " · 1 place left"
COUNTS_FULL = " · full"
RSVP_GOING = "You're going, {name}. I'll remind you privately 24 hours and 1 hour before."
RSVP_MAYBE = "Noted as maybe, {name}. Tap Going if you decide to come."
RSVP_CANT = "Thanks for letting us know, {name}. Hope to see you another time."
RSVP_WAITLIST = (
    "It's full right now, {name}, so you're number {position} on the waitlist. "
    "I'll message you privately the moment a place opens."
)
RSVP_REMINDERS_OFF = "Okay, no more reminders for this one. You're still down as going."
RSVP_NOT_ANSWERED = "Tap Going first, and then I'll know to remind you."
RSVP_MEMBERS_ONLY = (
    "Circles are for members of the program. Send me /start in a private message to join, "
    "then tap again."
)
RSVP_ROLE_ONLY = (
    "Thank you for wanting to come. Signing up for circles here is open to program members "
    "with the circles role on this server, and I don't see it on your account yet. A "
    "facilitator or coordinator can add it for you; then tap again."
)
RSVP_CANCELLED = (
    "*{title}* on {date} was cancelled, so there's nothing to answer. "
    "Send /circles to see what's coming up."
)
RSVP_PAST = "That circle has already happened. Send /circles to see what's coming up."
STALE_NEXT_STEP = "Send /circles to see what's coming up."
PROMOTED = (
    "Good news: a place opened in *{title}* on {when}, and it's yours. "
    "If you can't make it now, tap Can't so the next person can have it."
)
REMINDER_24H = "Reminder: *{title}* is tomorrow, {when}."
REMINDER_1H = "Reminder: *{title}* starts in an hour, {when}."
REMINDER_NEXT = "If you can't make it, tap Can't so someone on the waitlist can have your place."
NO_MORE_REMINDERS = "No more reminders"
STARTING_POST = (
    "*{title}* is starting now. Welcome, everyone. {facilitator} will open it in a moment; "
    "tap “I'm here” when the guidelines appear."
)

# /circles ---------------------------------------------------------------------------------------

UPCOMING_HEADER = "Circles coming up. Tap Going, Maybe or Can't under any of them:"
UPCOMING_ITEM = "*{title}*{number}: {when}, {duration}\n{description}{counts}{mine}"
YOU_ARE = "\nYou: {status}."
STATUS_WORDS = {
    "going": "going",
    "maybe": "maybe",
    "cant": "can't make it",
    "waitlist": "on the waitlist",
}
NO_UPCOMING = "No circles are scheduled right now. Check back soon, or send /help to see more."
NO_UPCOMING_LEADER = "No circles are scheduled right now. Send /circle create to set one up."

# Running a session ------------------------------------------------------------------------------

GUIDELINES_POST = (
    "*{title}* is starting. Welcome, everyone; we're glad you're here.\n"
    "Our guidelines:\n{core}{extra}\n\n"
    "Tap “I'm here” so we know you've arrived. {runner} will open the round with /next "
    "({order})."
)
CORE_GUIDELINES = (
    "• Confidentiality: what's shared here stays here.\n"
    "• One voice at a time.\n"
    "• No cross-talk: we listen, we don't fix or comment.\n"
    "• Passing is always fine."
)
EXTRA_GUIDELINES = "\nThis circle also asks:\n{guidelines}"
ORDER_JOIN = "speaking in the order people arrive"
ORDER_QUIET = "quieter voices first: those who spoke least recently go first"
IM_HERE = "I'm here"
START_NEEDS_VENUE = (
    "*{title}* doesn't have a place to meet yet. Send /circle here in its group or channel first."
)
START_IN_VENUE = "Send this in the circle's own chat, so everyone there can see it."
START_NOT_YET = "It's not time for *{title}* yet: the next one is {when}. Start it then."
START_NOTHING_SCHEDULED = (
    "*{title}* has nothing scheduled. Send /circle edit to set its days and time."
)
ALREADY_RUNNING = (
    "*{title}* is already running (opened by {runner} at {time}). "
    "Carry on with /next, or close it with /circle end before starting again."
)
NO_SESSION_HERE = "No circle is running in this chat. Send /circle start to open one."
NOT_RUNNING_IT = (
    "{runner} is running this circle. They can hand it to you with /circle handover, "
    "or any facilitator taking part can close it with /circle end."
)
WELCOME_HERE = "Welcome, {name}. {count} here so far."
ALREADY_HERE = "You're already marked here, {name}. Welcome."
NOT_A_MEMBER_HERE = (
    "Welcome! To be counted, join the program first: send me /start in a private message."
)
ONLY_IN_THE_ROOM = (
    "That button works in the circle's own chat. Join the circle there, or send /circles to "
    "see when and where it meets."
)
SESSION_OVER = "That circle has ended. Send /circles to see when the next one is."
FLOOR = (
    "*{name}*, the floor is yours for about {minutes} minutes. "
    "Everyone else: listening only, no cross-talk. {after}"
)
UP_NEXT = "Up next: {name}."
LAST_IN_ROUND = "After that, the floor opens: tap ✋ Raise hand to share again."
RAISE_HAND = "✋ Raise hand"
PASS = "Pass"
MORE_TIME = "+2 min"
ROUND_DONE = (
    "That's the opening round. Thank you, everyone. The floor is open: tap ✋ Raise hand to "
    "share, and {runner} will call on you with /next, or close with /circle end."
)
NOBODY_HERE_YET = (
    "Nobody has tapped “I'm here” yet. Once people have, send /next to open the round."
)
HAND_UP = "✋ Your hand is up, {name}. You'll be called on after the opening round."
HAND_UP_OPEN = "✋ Your hand is up, {name}. You're next when the floor opens."
HAND_ALREADY = "Your hand is already up, {name}. You'll be called on soon."
HAND_HAS_FLOOR = "You have the floor right now, {name}. Take your time."
PASSED = "No problem, {name}: you'll be skipped this round. Passing is always fine."
PASSED_ALREADY = "You've had your turn this round, {name}. Tap ✋ Raise hand to speak again."
PASSED_FLOOR = "{name} passes. Thank you."
NUDGE = (
    "A gentle nudge: that's about {minutes} minutes, {name}. Take a moment to finish your "
    "thought. {runner} can give more time with +2 min, or move on with /next."
)
EXTENDED = "Two more minutes for {name}. Take your time."
EXTEND_ONLY_RUNNER = "Only {runner}, who's running the circle, can give more time."
TURN_OVER = "That turn is over. The current speaker's latest message has the buttons."
HANDOVER_PICK = "Who should run the rest of *{title}*? Tap a name."
HANDOVER_NOBODY = (
    "Nobody here can take over yet: a co-facilitator needs the facilitator role and to tap "
    "“I'm here”. Any facilitator can also close the session with /circle end."
)
HANDED_OVER = "{new} is running the circle now. Thank you, {old}."
RUNNER_LEFT_HANDED = "{old} had to step away, so {new} is running the circle now."
RUNNER_LEFT_NOBODY = (
    "{old} had to step away. Any facilitator can carry on with /next or close the circle "
    "with /circle end."
)

# Ending, the pulse and the summary ---------------------------------------------------------------

CLOSING_POST = (
    "That's the end of *{title}* for today. Thank you all for being here and for listening. "
    "I've sent each of you a one-tap check-out privately. {next}"
)
CLOSING_NEXT = "Next time: {when}. RSVP with /circles."
CLOSING_NO_NEXT = "Take good care of yourselves."
END_ACK = "Closed. I'll send you the summary once check-outs are in (within {minutes} minutes)."
END_ACK_NOW = "Closed. The summary is in your private messages."
PULSE = (
    "Thanks for being in *{title}* today. How are you leaving? Tap one: 1 is heavy, 5 is lighter."
)
PULSE_THANKS = "Thank you. Take good care until next time; /circles shows when that is."
PULSE_CHANGED = "Got it, I've changed your answer. Take good care until next time."
PULSE_SAME = "Got it, I already have that answer. Take good care."
PULSE_NOT_ATTENDED = (
    "The check-out is for people who were at the circle. Send /circles to join one."
)
PULSE_NOT_YET = "The check-out opens when the circle ends. For now, stay with the group."
SUMMARY_HEADER = "Summary of *{title}*, {date}:"
SUMMARY_HERE = "Here: {count} ({names})."
SUMMARY_NOBODY_HERE = "Nobody tapped “I'm here” this time. That happens; thank you for being there."
SUMMARY_NOBODY_GOING = "Nobody had said they were going, and {count} came anyway."
SUMMARY_GOING = "Going beforehand: {going}, and {came} of them came."
SUMMARY_SHARES = "Shares: {shares}. Passes: {passes}."
SUMMARY_PULSE = "Check-out pulse: {average} out of 5, from {answers} answers."
SUMMARY_PULSE_FEW = (
    "Check-out pulse: not shown, as fewer than {minimum} people answered ({answers} so far); "
    "that way no one's answer can be picked out."
)
SUMMARY_TIME = "Time used: {used} of {planned} planned."
SUMMARY_CLOSE = "Thank you for holding the space. Send /circles to see the next one."

# Safety in groups -------------------------------------------------------------------------------

CRISIS_PING = (
    "{name} sent a message in *{title}* that may mean they're in crisis. Crisis resources "
    "have gone to them. Please reach out to them privately when you can, and follow your "
    "program's safety plan."
)

# Outside calendars (a Discord server's Events list) -------------------------------------------

CALENDAR_EVENT = (
    "A peer support circle. Come as you are: you're welcome to listen, share or pass. "
    "RSVP on the announcement in the channel, or with /circles."
)


translated_module(__name__)
