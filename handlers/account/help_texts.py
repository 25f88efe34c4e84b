"""/help: the commands of each role, with one line each."""

from handlers.i18n import translated_module

HELP_HEADER = "Here's what you can do:"
HELP_LINE = "/{name}: {description}"
HELP_FOOTER = (
    "This bot is peer support, not an emergency service. If you're in danger, "
    "reach out now: {crisis_line}."
)


translated_module(__name__)
