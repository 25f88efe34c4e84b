"""The coordinator's data-rights commands: ``peerbot export``, ``erase``, ``purge``,
``rotate-key`` and ``new-data-key`` (their parsers: :mod:`bot.cli_privacy`).

``export`` writes the same JSON a person gets from ``/mydata`` (and records the view in the
audit log); ``erase`` does what ``/deleteme`` does, for a request that comes another way.
``rotate-key`` re-encrypts every stored note, plan, goal and comment with the key in
``PEERBOT_DATA_KEY`` in one transaction, reading the old ones with the key in
``PEERBOT_DATA_KEY_OLD`` (or the variable ``--old-key-env`` names); text stored before any key
was set is encrypted for the first time, and the database's key check moves to the new key
(every other command refuses to open a database whose check the key does not open). Keys are
never printed, except by ``new-data-key``, which prints a fresh one for you to put in the
environment.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime

from bot.config import Config
from bot.database import opened_storage
from handlers import audit
from handlers.app import assemble
from handlers.context import Context
from handlers.privacy.data import (
    COORDINATOR,
    erase_person,
    export_bytes,
    export_document,
    purge_expired,
)
from handlers.texts.plurals import (
    ALERT,
    AUDIT_ROW,
    CHECKIN,
    CONVERSATION,
    LEDGER_ROW,
    LINK_CODE,
    counted,
)
from storage import Storage
from storage.crypto import CipherError, TextCipher
from storage.mentoring import AuditEntry

EXIT_FAILED = 1
EXIT_USAGE = 2
EXPORT = "export"


async def export_command(config: Config, args: argparse.Namespace) -> int:
    async with opened_storage(config) as storage:
        now = datetime.now(UTC)
        if await storage.get_person(args.person) is None:
            print(f"person {args.person} is not anyone this program knows", file=sys.stderr)
            return EXIT_FAILED
        await storage.write_audit([AuditEntry(now, None, audit.COMMAND_LINE, args.person, EXPORT)])
        ctx = assemble(Context(storage=storage, program=config.program, clock=lambda: now))
        data = export_bytes(await export_document(ctx, args.person))
    if args.out:
        descriptor = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        print(f"wrote {args.out} (readable by you only)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data + b"\n")
        sys.stdout.flush()
    return 0


async def erase_command(config: Config, args: argparse.Namespace) -> int:
    if not args.yes:
        print(
            f"this erases person {args.person} for good; run it again with --yes to go ahead",
            file=sys.stderr,
        )
        return EXIT_USAGE
    async with opened_storage(config) as storage:
        ctx = assemble(Context(storage=storage, program=config.program))
        outcome = await erase_person(ctx, args.person, requested_by=COORDINATOR)
        if outcome is None:
            print(f"person {args.person} is not anyone this program knows", file=sys.stderr)
            return EXIT_FAILED
        queued = [await _name(storage, person_id) for person_id in outcome.queued]
    erasure = outcome.erasure
    who = f"#{args.person} {outcome.name}".rstrip()
    print(f"erased {who}. Tombstone {erasure.id}, {erasure.erased_at:%Y-%m-%d %H:%M} UTC.")
    if queued:
        print(
            "The running bot tells " + ", ".join(queued) + " that they have left the program "
            "(nothing more): their mentor or mentees.",
            file=sys.stderr,
        )
    return 0


async def _name(storage: Storage, person_id: int) -> str:
    person = await storage.get_person(person_id)
    return f"#{person_id} {person.display_name}".rstrip() if person else f"#{person_id}"


async def purge_command(config: Config, args: argparse.Namespace) -> int:
    async with opened_storage(config) as storage:
        counts = await purge_expired(assemble(Context(storage=storage, program=config.program)))
    purged = [
        counted(CHECKIN, counts.checkins),
        counted(ALERT, counts.alerts),
        counted(AUDIT_ROW, counts.audit),
        counted(LEDGER_ROW, counts.deliveries),
        counted(CONVERSATION, counts.conversations),
        counted(LINK_CODE, counts.link_codes),
    ]
    print(f"purged {', '.join(purged)}.")
    return 0


async def rotate_key_command(config: Config, args: argparse.Namespace) -> int:
    if config.cipher is None:
        print(
            "PEERBOT_DATA_KEY is not set: put the new key there (`peerbot new-data-key` makes "
            "one), and the old one, if any, in " + args.old_key_env,
            file=sys.stderr,
        )
        return EXIT_USAGE
    old: TextCipher | None = None
    old_key = os.environ.get(args.old_key_env)
    if old_key:
        try:
            old = TextCipher(old_key)
        except CipherError as err:
            print(f"{args.old_key_env} is {err}", file=sys.stderr)
            return EXIT_USAGE
    # Not checked against the key at opening: the database may hold plain text or the old
    # key's; rotate_cipher checks every value (and the key check) and changes all or nothing.
    async with opened_storage(config, check_key=False) as storage:
        try:
            written = await storage.rotate_cipher(config.cipher, old)
        except CipherError:
            print(
                "Some stored text decrypts with neither key, so nothing was changed. Put the key "
                f"the database was made with in {args.old_key_env}, then run this again.",
                file=sys.stderr,
            )
            return EXIT_FAILED
    print(f"re-encrypted {written} stored values with the key in PEERBOT_DATA_KEY.")
    if old is not None:
        print(f"{args.old_key_env} is no longer needed; remove it.", file=sys.stderr)
    return 0


async def new_data_key_command(config: Config | None, args: argparse.Namespace) -> int:
    print(TextCipher.generate_key())
    print(
        "Keep it in PEERBOT_DATA_KEY (and somewhere safe: without it nothing encrypted can be "
        "read). To switch an existing database to it, see `peerbot rotate-key --help`.",
        file=sys.stderr,
    )
    return 0
