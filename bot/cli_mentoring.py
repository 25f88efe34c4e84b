"""The coordinator's mentoring commands: ``peerbot pair``, ``unpair``, ``roster``, ``audit``,
``oncall`` and ``capacity``.

People are named by their person id, which ``peerbot roster`` lists. A pairing made here is
announced by the running bot (a ``pairing`` row in the due queue): the mentor hears about their
new mentee, and the mentee about their mentor, with the choice of what to share. Listings that
name people (``roster``) write the audit log, like every other staff view.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.config import Config
from bot.database import opened_storage
from handlers import audit
from handlers.mentoring.pairing import pair_notice_work
from handlers.timing import TimingError, parse_duration
from storage import Storage
from storage.mentoring import AuditEntry, PairingError, PairingProblem
from storage.people import Role

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


def add_commands(subparsers: Any) -> None:
    pair = subparsers.add_parser("pair", help="pair a mentee with a mentor (ids: peerbot roster)")
    pair.add_argument("mentee", type=int, help="the mentee's person id")
    pair.add_argument("mentor", type=int, help="the mentor's person id")
    pair.add_argument("--backup", type=int, help="a backup mentor's person id")
    pair.add_argument(
        "--over-capacity", action="store_true", help="pair even if the mentor is at their limit"
    )
    pair.set_defaults(handler=_pair)

    unpair = subparsers.add_parser("unpair", help="end a mentee's pairing with their mentor")
    unpair.add_argument("mentee", type=int, help="the mentee's person id")
    unpair.set_defaults(handler=_unpair)

    roster = subparsers.add_parser("roster", help="list mentors, mentees and who is on duty")
    roster.set_defaults(handler=_roster)

    audit_parser = subparsers.add_parser("audit", help="print who viewed whose data, and when")
    audit_parser.add_argument("--person", type=int, help="only views of this person's data")
    audit_parser.add_argument("--since", default="30d", help="how far back, e.g. 7d or 12h")
    audit_parser.add_argument("--limit", type=int, default=200, help="at most this many rows")
    audit_parser.set_defaults(handler=_audit)

    oncall = subparsers.add_parser(
        "oncall", help="set (or show) the coordinator on duty, last on every escalation chain"
    )
    oncall.add_argument("person", type=int, nargs="?", help="the coordinator's person id")
    oncall.add_argument("--clear", action="store_true", help="nobody on duty")
    oncall.set_defaults(handler=_oncall)

    capacity = subparsers.add_parser("capacity", help="set one mentor's limit of mentees")
    capacity.add_argument("mentor", type=int, help="the mentor's person id")
    capacity.add_argument("limit", help='a number, or "default" for [mentoring] max_mentees')
    capacity.set_defaults(handler=_capacity)


async def _pair(config: Config, args: argparse.Namespace) -> int:
    async with opened_storage(config) as storage:
        now = datetime.now(UTC)
        try:
            pairing = await storage.pair(
                args.mentee,
                args.mentor,
                now,
                default_capacity=config.program.mentoring.max_mentees,
                backup_id=args.backup,
                over_capacity=args.over_capacity,
            )
        except PairingError as err:
            who = args.mentor if err.problem is not PairingProblem.UNKNOWN_PERSON else args.mentee
            if err.problem is PairingProblem.NOT_A_MENTOR and args.backup is not None:
                who = f"{args.mentor} (or backup {args.backup})"
            print(f"person {who} {_PAIRING_PROBLEMS[err.problem]}", file=sys.stderr)
            return EXIT_FAILED
        await storage.set_due(pair_notice_work(pairing, now))
        backup = f", backup {await _name(storage, pairing.backup_id)}" if pairing.backup_id else ""
        print(
            f"paired {await _name(storage, pairing.mentee_id)} with mentor "
            f"{await _name(storage, pairing.mentor_id)}{backup}. The running bot tells them both."
        )
        return 0


async def _unpair(config: Config, args: argparse.Namespace) -> int:
    async with opened_storage(config) as storage:
        ended = await storage.unpair(args.mentee, datetime.now(UTC))
        if ended is None:
            print(f"person {args.mentee} has no mentor", file=sys.stderr)
            return EXIT_FAILED
        print(
            f"{await _name(storage, ended.mentee_id)} is no longer paired with "
            f"{await _name(storage, ended.mentor_id)}. Pair them again with `peerbot pair`."
        )
        return 0


async def _roster(config: Config, args: argparse.Namespace) -> int:
    async with opened_storage(config) as storage:
        now = datetime.now(UTC)
        default = config.program.mentoring.max_mentees
        pairings = await storage.active_pairings()
        by_mentee = {p.mentee_id: p for p in pairings}
        mentors = await storage.people_with_role(Role.MENTOR)
        mentees = await storage.people_with_role(Role.MENTEE)
        mentor_rows = []
        for mentor in mentors:
            load = sum(p.mentor_id == mentor.id for p in pairings)
            backing = sum(p.backup_id == mentor.id for p in pairings)
            limit = await storage.mentor_capacity(mentor.id, default)
            mentor_rows.append((str(mentor.id), mentor.display_name, f"{load}/{limit}", backing))
        mentee_rows = []
        for mentee in mentees:
            pairing = by_mentee.get(mentee.id)
            mentee_rows.append(
                (
                    str(mentee.id),
                    mentee.display_name,
                    await _name(storage, pairing.mentor_id) if pairing else "-",
                    await _name(storage, pairing.backup_id) if pairing else "-",
                    f"{pairing.started_at:%Y-%m-%d}" if pairing else "-",
                    "wants a new mentor" if pairing and pairing.change_requested_at else "",
                )
            )
        named = {p.id for p in mentors} | {p.id for p in mentees}
        await storage.write_audit(
            [
                AuditEntry(now, None, audit.COMMAND_LINE, person_id, audit.ROSTER)
                for person_id in sorted(named)
            ]
        )
        print("Mentors")
        print(_table(("id", "name", "mentees", "backup for"), mentor_rows))
        print("\nMentees")
        print(_table(("id", "name", "mentor", "backup", "since", ""), mentee_rows))
        on_duty = await storage.on_duty()
        shown = await _name(storage, on_duty) if on_duty is not None else "nobody"
        print(f"\nCoordinator on duty: {shown} (set with `peerbot oncall ID`)")
        return 0


async def _audit(config: Config, args: argparse.Namespace) -> int:
    try:
        window = parse_duration(args.since)
    except TimingError:
        print(
            f'--since "{args.since}" is not a duration (write it like 7d or 12h)', file=sys.stderr
        )
        return EXIT_USAGE
    async with opened_storage(config) as storage:
        entries = await storage.audit_log(
            subject_id=args.person, since=datetime.now(UTC) - window, limit=args.limit
        )
        if not entries:
            print("no views recorded in that time")
            return 0
        rows = [
            (
                f"{entry.at:%Y-%m-%d %H:%M}",
                entry.actor_label + (f" (#{entry.actor_id})" if entry.actor_id else ""),
                f"erased:{entry.subject_pseudonym}"
                if entry.subject_pseudonym
                else await _name(storage, entry.subject_id),
                entry.action,
                entry.detail,
            )
            for entry in entries
        ]
        print(_table(("when (UTC)", "who", "whose", "what", "detail"), rows))
        return 0


async def _oncall(config: Config, args: argparse.Namespace) -> int:
    async with opened_storage(config) as storage:
        if args.clear:
            await storage.set_on_duty(None, datetime.now(UTC))
            print("nobody is on duty now: escalations end with the first coordinator")
            return 0
        if args.person is not None:
            try:
                await storage.set_on_duty(args.person, datetime.now(UTC))
            except ValueError:
                print(f"person {args.person} is not a coordinator", file=sys.stderr)
                return EXIT_FAILED
        on_duty = await storage.on_duty()
        shown = await _name(storage, on_duty) if on_duty is not None else "nobody"
        print(f"coordinator on duty: {shown}")
        return 0


async def _capacity(config: Config, args: argparse.Namespace) -> int:
    limit: int | None = None
    if args.limit != "default":
        if not args.limit.isdigit():
            print(f'limit "{args.limit}" must be a number or "default"', file=sys.stderr)
            return EXIT_USAGE
        limit = int(args.limit)
    async with opened_storage(config) as storage:
        if Role.MENTOR not in await storage.roles_of(args.mentor):
            print(f"person {args.mentor} is not a mentor", file=sys.stderr)
            return EXIT_FAILED
        await storage.set_mentor_capacity(args.mentor, limit)
        shown = await storage.mentor_capacity(args.mentor, config.program.mentoring.max_mentees)
        print(f"{await _name(storage, args.mentor)} takes at most {shown} mentees")
        return 0


async def _name(storage: Storage, person_id: int | None) -> str:
    if person_id is None:
        return "-"
    person = await storage.get_person(person_id)
    if person is None:
        return f"#{person_id}"
    return f"#{person_id} {person.display_name}".rstrip()


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
