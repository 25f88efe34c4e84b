"""The coordinator's mentoring commands: ``peerbot pair``, ``unpair``, ``roster``, ``audit``,
``oncall`` and ``capacity`` (their parsers: :mod:`bot.cli_mentoring`).

People are named by their person id, which ``peerbot roster`` lists. Each command parses its
arguments, calls the core's use case on an assembled context (the same functions the chat
uses: :mod:`handlers.mentoring.pairing`, :mod:`handlers.mentoring.roster`,
:mod:`handlers.audit`, :mod:`handlers.account.codeguard`) and prints what it returns. A
pairing made here is announced by the running bot (a ``pairing`` row in the due queue): the
mentor hears about their new mentee, and the mentee about their mentor, with the choice of
what to share. Listings that name people (``roster``) write the audit log, like every other
staff view; ``audit`` also lists accounts with repeated failed code attempts.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.config import Config
from bot.database import assembled
from handlers import audit
from handlers.account import codeguard
from handlers.mentoring import pairing, roster
from handlers.numbers import read_whole
from handlers.profile import PersonLabel
from handlers.texts.plurals import MENTEE, counted
from handlers.timing import TimingError, parse_duration
from storage.mentoring import PairingError, PairingProblem, PairingSource

EXIT_FAILED = 1
EXIT_USAGE = 2

_PAIRING_PROBLEMS = {
    PairingProblem.NOT_A_MENTOR: "is not a mentor (they join as one with a mentor invite code)",
    PairingProblem.SAME_PERSON: "would be paired with themselves",
    PairingProblem.FULL: "is at their limit of mentees (use --over-capacity, or `peerbot "
    "capacity` to raise it)",
    PairingProblem.NOT_PAIRED: "has no mentor to back up",
    PairingProblem.UNKNOWN_PERSON: "is not anyone this program knows",
}


async def pair_command(config: Config, args: argparse.Namespace) -> int:
    async with assembled(config) as ctx:
        try:
            outcome = await pairing.pair(
                ctx,
                args.mentee,
                args.mentor,
                backup_id=args.backup,
                by=PairingSource.COORDINATOR,
                over_capacity=args.over_capacity,
            )
        except PairingError as err:
            who = args.mentor if err.problem is not PairingProblem.UNKNOWN_PERSON else args.mentee
            if err.problem is PairingProblem.NOT_A_MENTOR and args.backup is not None:
                who = f"{args.mentor} (or backup {args.backup})"
            print(f"person {who} {_PAIRING_PROBLEMS[err.problem]}", file=sys.stderr)
            return EXIT_FAILED
        backup = f", backup {_name(outcome.backup)}" if outcome.backup else ""
        print(
            f"paired {_name(outcome.mentee)} with mentor "
            f"{_name(outcome.mentor)}{backup}. The running bot tells them both."
        )
        return 0


async def unpair_command(config: Config, args: argparse.Namespace) -> int:
    async with assembled(config) as ctx:
        ended = await pairing.unpair(ctx, args.mentee)
        if ended is None:
            print(f"person {args.mentee} has no mentor", file=sys.stderr)
            return EXIT_FAILED
        print(
            f"{_name(ended.mentee)} is no longer paired with "
            f"{_name(ended.mentor)}. Pair them again with `peerbot pair`."
        )
        return 0


async def roster_command(config: Config, args: argparse.Namespace) -> int:
    async with assembled(config) as ctx:
        team = await roster.roster(ctx)
    mentor_rows = [
        (
            str(row.capacity.mentor.id),
            row.capacity.mentor.name or "",
            f"{row.capacity.load}/{row.capacity.limit}",
            row.backing,
        )
        for row in team.mentors
    ]
    mentee_rows = [
        (
            str(row.mentee.id),
            row.mentee.name or "",
            _name(row.mentor),
            _name(row.backup),
            f"{row.since:%Y-%m-%d}" if row.since else "-",
            "wants a new mentor" if row.wants_new_mentor else "",
        )
        for row in team.mentees
    ]
    print("Mentors")
    print(_table(("id", "name", "mentees", "backup for"), mentor_rows))
    print("\nMentees")
    print(_table(("id", "name", "mentor", "backup", "since", ""), mentee_rows))
    shown = _name(team.on_duty) if team.on_duty is not None else "nobody"
    print(f"\nCoordinator on duty: {shown} (set with `peerbot oncall ID`)")
    if team.duty_warning is not None:
        print(f"Warning: {team.duty_warning}")
    return 0


async def audit_command(config: Config, args: argparse.Namespace) -> int:
    try:
        window = parse_duration(args.since)
    except TimingError:
        print(
            f'--since "{args.since}" is not a duration (write it like 7d or 12h)', file=sys.stderr
        )
        return EXIT_USAGE
    async with assembled(config) as ctx:
        lines = await audit.read_log(ctx, subject_id=args.person, window=window, limit=args.limit)
        failures = await codeguard.repeated_failures(ctx, window=window)
    if args.person is not None:
        failures = [f for f in failures if f.person is not None and f.person.id == args.person]
    if not lines:
        print("no views recorded in that time")
    else:
        rows = [
            (
                f"{line.entry.at:%Y-%m-%d %H:%M}",
                line.entry.actor_label
                + (f" (#{line.entry.actor_id})" if line.entry.actor_id else ""),
                f"erased:{line.entry.subject_pseudonym}"
                if line.entry.subject_pseudonym
                else _name(line.subject),
                line.entry.action,
                line.entry.detail,
            )
            for line in lines
        ]
        print(_table(("when (UTC)", "who", "whose", "what", "detail"), rows))
    if failures:
        print(
            f"\nrepeated failed code attempts ({codeguard.LIMIT} or more from one account;"
            " someone may be guessing codes):"
        )
        failed_rows = [
            (
                f"{f.address.platform} {f.address.platform_user_id}",
                _name(f.person) if f.person else "no record here",
                ", ".join(sorted(f.kinds)),
                f.failures,
                f"{f.first_at:%Y-%m-%d %H:%M}",
                f"{f.last_at:%Y-%m-%d %H:%M}",
            )
            for f in failures[: args.limit]
        ]
        headers = ("account", "whose", "codes", "failed", "first (UTC)", "last (UTC)")
        print(_table(headers, failed_rows))
    return 0


async def oncall_command(config: Config, args: argparse.Namespace) -> int:
    async with assembled(config) as ctx:
        if args.clear:
            await roster.set_on_duty(ctx, None)
            print("nobody is on duty now: escalations end with the first coordinator")
            return 0
        if args.person is not None:
            try:
                on_duty = await roster.set_on_duty(ctx, args.person)
            except ValueError:
                print(f"person {args.person} is not a coordinator", file=sys.stderr)
                return EXIT_FAILED
        else:
            on_duty = await roster.on_duty(ctx)
    shown = _name(on_duty) if on_duty is not None else "nobody"
    print(f"coordinator on duty: {shown}")
    return 0


async def capacity_command(config: Config, args: argparse.Namespace) -> int:
    limit: int | None = None
    if args.limit != "default":
        limit = read_whole(args.limit)
        if limit is None:
            print(f'limit "{args.limit}" must be a number or "default"', file=sys.stderr)
            return EXIT_USAGE
    async with assembled(config) as ctx:
        try:
            capacity = await pairing.set_capacity(ctx, args.mentor, limit)
        except PairingError:
            print(f"person {args.mentor} is not a mentor", file=sys.stderr)
            return EXIT_FAILED
    print(f"{_name(capacity.mentor)} takes at most {counted(MENTEE, capacity.limit)}")
    return 0


def _name(person: PersonLabel | None) -> str:
    """``#12 Sam``; ``#12`` for someone unnamed or gone; ``-`` for nobody."""
    if person is None:
        return "-"
    if person.name is None:
        return f"#{person.id}"
    return f"#{person.id} {person.name}".rstrip()


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Plain aligned columns."""
    cells = [list(headers), *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths).rstrip())
    if not rows:
        lines.append("(none)")
    return "\n".join(lines)
