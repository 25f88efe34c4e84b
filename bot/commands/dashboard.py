"""``peerbot dashboard-link PERSON_ID``: a coordinator's one-time sign-in link, printed on the
server (the same use case as ``/dashboard`` in the chat: :mod:`handlers.dashboard.login`; its
parser: :mod:`bot.cli_dashboard`)."""

from __future__ import annotations

import argparse
import sys

from bot.config import Config
from bot.database import assembled
from handlers.dashboard import login

EXIT_FAILED = 1


async def dashboard_link_command(config: Config, args: argparse.Namespace) -> int:
    async with assembled(config) as ctx:
        try:
            issued = await login.issue_link(ctx, args.person)
        except login.DashboardOff:
            print(
                "The dashboard is off: set [dashboard] listen (and public_url behind a proxy)"
                " in the config file first.",
                file=sys.stderr,
            )
            return EXIT_FAILED
        except login.NotACoordinator:
            print(f"person {args.person} is not a coordinator", file=sys.stderr)
            return EXIT_FAILED
    print(issued.url)
    print(
        f"It works once, until {issued.expires_at:%H:%M} UTC. Give it only to that coordinator.",
        file=sys.stderr,
    )
    return 0
