"""What the bot says about the coordinators' web dashboard (the pages' own words are in the
dashboard's templates, ``bot/dashboard/templates``)."""

from handlers.i18n import translated_module

LINK = (
    "Here is your link to the dashboard:\n{url}\n\n"
    "It works once, for {minutes} minutes. Please don't forward it: whoever opens it signs in"
    " as you. Send /dashboard again any time for a new one."
)
IN_A_GROUP = (
    "The dashboard link signs you in, so I only send it in a private chat. Message me"
    " directly and send /dashboard there."
)
OFF = (
    "The dashboard isn't switched on for this program yet. Whoever runs the bot can set"
    " [dashboard] listen and public_url in config.toml; until then the `peerbot` commands do"
    " the same work."
)


translated_module(__name__)
