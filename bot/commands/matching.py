"""What ``peerbot match --suggest`` and ``peerbot training`` do (their parsers:
:mod:`bot.cli_matching`).

``match --suggest`` prints each waiting mentee's short list with its reasons, through the same
use case as the chat's ``/match`` (:mod:`handlers.matching.suggest`); nothing is paired here:
the coordinator approves with ``peerbot pair MENTEE MENTOR`` (or the chat's button). The lists
name mentees, so they are written to the audit log. ``training`` lists every mentor's standing
against ``[training]`` (:mod:`handlers.training.status`): who is due and who lapsed.
"""

from __future__ import annotations

import argparse
import sys

from bot.commands.mentoring import _table
from bot.config import Config
from bot.database import assembled
from handlers import audit
from handlers.matching import suggest
from handlers.matching import texts as matching_texts
from handlers.training import texts as training_texts
from handlers.training.report import mentor_standings
from handlers.training.status import Standing

EXIT_FAILED = 1
EXIT_USAGE = 2


async def match_command(config: Config, args: argparse.Namespace) -> int:
    if not args.suggest:
        print(
            "peerbot match --suggest prints suggestions; approve one with "
            "`peerbot pair MENTEE MENTOR` (nothing is paired without it)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    async with assembled(config) as ctx:
        lists = await suggest.all_suggestions(ctx, args.mentee)
        if args.mentee is not None and not lists:
            print(f"person {args.mentee} is not a mentee", file=sys.stderr)
            return EXIT_FAILED
        await audit.record_views(ctx, None, [w.mentee_id for w in lists], suggest.AUDIT_ACTION)
    if not lists:
        print(matching_texts.NOBODY_WAITING)
        return 0
    for waiting in lists:
        wants = " (asked for a different mentor)" if waiting.current_mentor is not None else ""
        print(f"#{waiting.mentee_id} {waiting.name}{wants}")
        if not waiting.suggestions:
            print(f"  {matching_texts.NO_FIT.format(next=matching_texts.NO_FIT_NEXT)}")
        for n, s in enumerate(waiting.suggestions, start=1):
            print(f"  {n}. #{s.mentor.mentor_id} {s.mentor.name}: {s.reason_text}")
            print(f"     approve: peerbot pair {waiting.mentee_id} {s.mentor.mentor_id}")
        print()
    return 0


async def training_command(config: Config, args: argparse.Namespace) -> int:
    async with assembled(config) as ctx:
        rows = await mentor_standings(ctx)
    shown = {
        Standing.OK: training_texts.CLI_OK,
        Standing.DUE: training_texts.CLI_DUE,
        Standing.LAPSED: training_texts.CLI_LAPSED,
    }
    table = [
        (
            f"#{row.mentor.id}",
            row.mentor.name or "",
            shown[row.status.standing],
            f"{row.status.hours:g}/{row.status.hours_needed:g}",
            f"{row.status.supervision}/{row.status.supervision_needed}",
            row.detail,
        )
        for row in rows
        if not args.due or row.status.standing is not Standing.OK
    ]
    headers = ("id", "mentor", "standing", "hours (365 d)", "supervision (30 d)", "what is due")
    print(_table(headers, table))
    lapsed = sum(1 for row in rows if row.status.standing is Standing.LAPSED)
    if lapsed and config.program.training.hold_lapsed_from_new_pairings:
        print(f"\n{lapsed} lapsed: not suggested for new mentees (as [training] asks)")
    return 0
