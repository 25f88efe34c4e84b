"""Several real ``peerbot run`` processes on one PostgreSQL database (issue 17, item 2).

Four members (console adapter, output to files: :mod:`tests.support.fleet`) share a throwaway
cluster's database. 2,000 people come due at once; one member is killed with SIGKILL in the
middle of the fan-out while it holds claimed rows. Every person gets their prompt; the only
duplicates are prompts the killed member had printed whose ``sent`` mark it had not committed,
at most its worker's concurrency (``DueWorker`` slots, 32: the window documented in
``handlers.checkins.batch``), and the killed member's claims come back to the others once its
lease (``[queue] lease_seconds``) runs out. The retention purge runs once per UTC day across
the four, whoever claims it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import EXIT_FAILED
from tests.support.emulator import running_emulator
from tests.support.fleet import (
    Member,
    kill_while_holding_claims,
    prompts_seen,
    scalar,
    seed_due_prompts,
    start_member,
    until_all_prompted,
    wait_for_log,
)

pytestmark = [pytest.mark.e2e, pytest.mark.backends("postgres")]

PEOPLE = 2000
MEMBERS = 4
CONCURRENCY = 32
"""``DueWorker``'s default slots per lane: the killed member's duplicate window."""
LEASE_SECONDS = 6
CONFIG = f"[checkin]\ntick_seconds = 1\n\n[queue]\nlease_seconds = {LEASE_SECONDS}\n"


async def test_four_processes_send_each_prompt_once_and_survive_a_kill(
    tmp_path: Path, database_url: str
) -> None:
    started_day = datetime.now(UTC).date()
    members: list[Member] = []
    try:
        for n in range(MEMBERS):
            members.append(await start_member(f"m{n}", tmp_path / f"m{n}", database_url, CONFIG))
        for member in members:
            await wait_for_log(member, "starting the console adapter")
        await seed_due_prompts(database_url, PEOPLE)  # all due at once, members ticking

        victim = members[0]
        # Killed in the middle of its work: it has printed prompts and holds claimed rows.
        stranded = await kill_while_holding_claims(victim, database_url, started_day.isoformat())

        # The survivors finish the fan-out, the victim's claims (``stranded``, counted right after
        # the kill) included once their lease runs out.
        await until_all_prompted(members, PEOPLE, within=60)
        sent = await scalar(
            database_url,
            "SELECT count(*) FROM deliveries WHERE kind = 'checkin' AND status = 'sent'",
        )
        for member in members[1:]:
            await wait_for_log(member, "retention purge:", within=30)
    finally:
        codes = [await member.stop() for member in members]

    seen = prompts_seen(members)
    assert len(seen) == PEOPLE, f"{PEOPLE - len(seen)} people got no prompt"
    assert sent == PEOPLE
    duplicates = {person: n - 1 for person, n in seen.items() if n > 1}
    # A duplicate is a prompt the victim printed and could not mark sent before it died.
    printed_by_victim = victim.prompts()
    assert all(person in printed_by_victim for person in duplicates), duplicates
    assert sum(duplicates.values()) <= CONCURRENCY, (stranded, duplicates)
    assert codes[1:] == [0] * (MEMBERS - 1), [m.log()[-2000:] for m in members[1:]]

    # The purge: one run per UTC day the test spanned, by whoever claimed it.
    days = await scalar(database_url, "SELECT count(*) FROM job_runs WHERE job = 'retention-purge'")
    purges = sum(m.log().count("retention purge: ") - m.log().count("retention purge: already")
                 for m in members)  # fmt: skip
    assert purges == days
    assert 1 <= days <= 1 + (datetime.now(UTC).date() - started_day).days
    print(f"stranded claims at the kill: {stranded}; duplicates: {sum(duplicates.values())}")


async def test_a_second_long_poller_is_refused_until_the_first_stops(
    tmp_path: Path, database_url: str
) -> None:
    async with running_emulator() as emu:
        config = f'[telegram]\napi_base_url = "{emu.base_url}"\npoll_timeout = 1\n'

        async def poller(name: str) -> Member:
            return await start_member(
                name, tmp_path / name, database_url, config, telegram_token=emu.token
            )

        first = await poller("first")
        try:
            await wait_for_log(first, "started the TelegramAdapter")
            second = await poller("second")
            assert await asyncio.wait_for(second.process.wait(), timeout=60) == EXIT_FAILED
            refusal = second.log()
            assert "already long-polling Telegram on this database" in refusal
            assert "webhook_url" in refusal and "Traceback" not in refusal
            assert emu.token not in refusal
        finally:
            assert await first.stop() == 0
        # The first gave polling up as it stopped: a new poller starts at once.
        third = await poller("third")
        await wait_for_log(third, "started the TelegramAdapter")
        # Killed, it gives nothing up; a poller started on the same machine sees it is gone
        # and takes over without waiting its lease out.
        third.kill()
        await third.process.wait()
        fourth = await poller("fourth")
        try:
            await wait_for_log(fourth, "started the TelegramAdapter")
            assert "from a process that is gone" in fourth.log()
        finally:
            assert await fourth.stop() == 0
