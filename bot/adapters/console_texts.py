"""What the console adapter and ``peerbot run`` say themselves (the bot's sentences are the
core's)."""

from __future__ import annotations

BANNER = """\
peer-support-bot console: you chat with the bot privately, as "{speaker}".
  @name TEXT      speak as someone else (new on first use; stays until the next @name)
  #{group} TEXT    say one line in the console group #{group} (/circle here, /circle start)
  NUMBER          pick one of the numbered choices shown in that chat
Replies say who gets them: [@name DM] a private chat, [#{group} group] the group.
End with Ctrl-D (or the end of piped input).{extra}"""

DEMO_EXTRA = """
Demo program (a fresh copy in {path} each time): {people}.
Try: @{mentee} /checkin, @{mentor} /mentees, @{facilitator} #{group} /circle start."""

LOG_FILE = "\nLog lines go to {path}, not here."

YOU = "you"
"""How the default speaker (the console's single person before any @name) is shown."""

OPS_DID_NOT_START = (
    "Could not serve /healthz and /metrics on {listen} ({error}): another program may use that "
    "port. Set [ops] listen to a free host:port (or remove it), then start again."
)
ADAPTER_DID_NOT_START = (
    "Could not start the {platform} adapter ({error}): its API did not answer or refused. Check "
    "the network, {token} and the [{section}] settings in the config, then start again."
)

SECOND_POLLER = (
    "Another peerbot process ({holder}) is already long-polling Telegram on this database, and"
    " Telegram hands updates to one poller only. Stop that process, or run every process in"
    " webhook mode ([telegram] webhook_url), then start again. (A process that ended without"
    " shutting down gives polling up within {seconds} seconds.)"
)

POLLING_BESIDE_WEBHOOK = (
    "peerbot processes in webhook mode are running on this database, and starting long polling"
    " would delete their webhook. Set [telegram] webhook_url here too (every process in webhook"
    " mode), or stop them first. (Their claim runs out within {seconds} seconds of the last"
    " one stopping.)"
)

WEBHOOK_BESIDE_POLLING = (
    "Another peerbot process ({holder}) is long-polling Telegram on this database, and a webhook"
    " would stop its polling. Stop it (or restart it in webhook mode), then start again. (A"
    " process that ended without shutting down gives polling up within {seconds} seconds.)"
)

DASHBOARD_DID_NOT_START = (
    "Could not start the dashboard on {listen} ({error}): is another program using that port?"
    " Change [dashboard] listen in the config, or remove it to run without the dashboard."
)
