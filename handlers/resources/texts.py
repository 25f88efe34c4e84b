"""/resources, and the problems a resources file can have (for whoever maintains it)."""

from handlers.i18n import translated_module

CATEGORY_LABELS = {
    "crisis": "Crisis support",
    "treatment": "Treatment",
    "housing": "Housing",
    "employment": "Work and jobs",
    "legal": "Legal help",
    "health": "Health",
    "meetings": "Meetings",
    "family": "Family",
}

MENU = "What kind of help are you looking for? Tap a topic, or send /resources housing (say)."
NO_DIRECTORY = (
    "Your program hasn't added a list of local services yet. If you need help now: "
    "{crisis_line}. Your mentor can also help you find services near you."
)
LIST_HEADER = "*{label}*"
CRISIS_FIRST = "If you're in danger or thinking of harming yourself, reach out now:"
CRISIS_RESOURCE_LINE = "• {name}: {contact}"
NONE_IN_CATEGORY = (
    "I don't have any {label} services listed yet. Your mentor may know some. "
    "Send /resources to see the other kinds."
)
UNKNOWN_CATEGORY = "I don't have a list by that name. Tap one of these:"
LIST_FOOTER = "Send /resources to see other kinds of help."
STALE_NEXT_STEP = "Send /resources to see the list again."

ENTRY_PHONE = "📞 {phone}"
ENTRY_TEXT = "💬 {text}"
ENTRY_URL = "🔗 {url}"
ENTRY_HOURS = "Hours: {hours}"
ENTRY_AREA = "Area: {area}"
ENTRY_LANGUAGES = "Languages: {languages}"

# Problems in a resources file. Each completes "FILE: entry N ("NAME"): ..." or stands alone.
FILE_UNREADABLE = "{file}: cannot be read ({reason})"
FILE_NOT_TOML = "{file}: is not valid TOML ({reason})"
FILE_UNKNOWN_KEY = "{file}: {key} is not part of a resources file (each entry is a [[resource]])"
FILE_NOT_A_LIST = "{file}: resource must be a list of [[resource]] tables"
FILE_EMPTY = "{file}: has no [[resource]] entries"
ENTRY_NAMED = 'entry {number} ("{name}")'
ENTRY_UNNAMED = "entry {number} (no name)"
UNKNOWN_FIELD = "{field} is not a field a resource has ({fields})"
MISSING_FIELD = "{field} is missing"
NOT_TEXT = "must be text in quotes"
BAD_LENGTH = "must be 1 to {limit} characters"
MULTILINE = "must be one line"
BAD_CATEGORY = "is not a category; use one of {categories}"
BAD_LANGUAGES = 'must be a list of language names, like ["English", "Spanish"]'
BAD_PHONE = "is not a phone number (it needs at least 3 digits)"
BAD_URL = 'is not a web address (write it like "https://example.org")'
NO_CONTACT = "needs a way to reach it: a phone, text or url"
DUPLICATE = "has the same name as entry {entry}"

CHECK_OK = "{file}: {count} entries, all fine ({summary})"
CHECK_PROBLEMS = "{count} problem(s) found."

# A mentor sending an entry to a mentee
SEND_OFFER = "To send one of these to a mentee, tap it:"
SEND_BUTTON = "Send to a mentee: {name}"
SEND_PICK = "Who would you like to send *{name}* to?"
SEND_NO_MENTEES = (
    "You have no mentees to send it to yet. Send /invite for a code to give someone you'll mentor."
)
SEND_NOT_PAIRED = (
    "That person isn't one of your mentees any more, so I haven't sent it. "
    "Send /mentees to see the people you mentor."
)
SEND_ONLY_MENTORS = "Only mentors can send resources to someone. Send /resources to see the list."
SEND_STALE = "Send /resources to find it again."
SENT_TO_MENTEE = "{mentor} thought this might help you:\n\n{entry}"
SEND_DONE = "Sent *{resource}* to {name}."
SEND_ALREADY = "You already sent *{resource}* to {name} today, so I didn't send it again."
SEND_PAUSED = "{name} has paused messages from me, so I didn't send *{resource}*."
SEND_UNREACHED = (
    "I couldn't reach {name} just now, so *{resource}* wasn't sent. Please try again later."
)


translated_module(__name__)
