"""The program's default check-in questions (``[checkin]`` in config.toml may set its own), and
the crisis lines shown when a place has none of its own."""

from handlers.i18n import translated_module

MOOD_QUESTION = "How are you feeling today?"
MOOD_LABELS = ("1 · Very low", "2 · Low", "3 · Okay", "4 · Good", "5 · Great")
CRAVING_QUESTION = "How strong are cravings right now, from 0 (none) to 10 (very strong)?"
USED_QUESTION = "Have you used since your last check-in? An honest answer helps; no judgement here."
NOTE_QUESTION = (
    "Anything you'd like to note about today? Type a few words, or tap Skip. "
    "Notes stay private unless you choose to share them."
)


FALLBACK_HELPLINE = "Find a helpline near you"
FALLBACK_EMERGENCY = "Emergency"
FALLBACK_EMERGENCY_CONTACT = "call your local emergency number if you are in danger right now"


translated_module(__name__)
