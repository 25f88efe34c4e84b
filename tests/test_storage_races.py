"""Writes that race when several processes share one database, on both backends.

Each "process" is a storage object of its own on the same database (its own connection or
pool, its own in-process write lock), as two ``peerbot run`` processes are. On SQLite one
writer at a time (``BEGIN IMMEDIATE``) keeps each read-then-write true; on PostgreSQL the
row lock, the advisory transaction locks and the unique keys must do it. Whatever the
interleaving, a limit holds and the loser gets the same domain error on both backends.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, date, datetime, time, timedelta

import pytest

from storage import storage_from_url
from storage.base import Storage
from storage.circles import Circle, Recurrence, RsvpStatus
from storage.mentoring import PairingError, PairingProblem
from storage.people import Account, AccountAddress, InviteCode, InviteError, Role

pytestmark = pytest.mark.backends("sqlite", "postgres")

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PROCESSES = 4
ROUNDS = 5


@pytest.fixture
async def stores(database_url: str) -> AsyncIterator[list[Storage]]:
    """Several storage objects on one database, each standing for a process."""
    opened: list[Storage] = []
    try:
        for _ in range(PROCESSES):
            store = storage_from_url(database_url)
            await store.open()
            opened.append(store)
        yield opened
    finally:
        for store in opened:
            await store.close()


async def person(store: Storage, user_id: str, role: Role = Role.MENTEE) -> int:
    account = Account(AccountAddress("telegram", user_id), person_id=0, chat_id=user_id)
    made = await store.create_person(account, role=role, consented_at=NOW, display_name=user_id)
    return made.id


async def outcomes(*calls: Awaitable[object]) -> list[object]:
    return list(await asyncio.gather(*calls, return_exceptions=True))


async def test_an_invite_is_never_used_more_often_than_it_allows(stores: list[Storage]) -> None:
    for n in range(ROUNDS):
        code = f"TWO-USES-{n}"
        await stores[0].create_invite(InviteCode(code, Role.MENTEE, 2, NOW))
        results = await outcomes(*(s.redeem_invite(code, NOW) for s in stores))
        assert sum(isinstance(r, InviteCode) for r in results) == 2
        refused = [r for r in results if not isinstance(r, InviteCode)]
        assert len(refused) == PROCESSES - 2
        assert all(isinstance(r, InviteError) for r in refused), refused


async def test_a_mentor_is_never_paired_past_capacity(stores: list[Storage]) -> None:
    for n in range(ROUNDS):
        mentor = await person(stores[0], f"mentor-{n}", Role.MENTOR)
        mentees = [await person(stores[0], f"mentee-{n}-{k}") for k in range(PROCESSES)]
        results = await outcomes(
            *(
                store.pair(mentee, mentor, NOW, default_capacity=1)
                for store, mentee in zip(stores, mentees, strict=True)
            )
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        assert len(failures) == PROCESSES - 1
        assert all(
            isinstance(r, PairingError) and r.problem is PairingProblem.FULL for r in failures
        ), failures


async def test_one_mentee_paired_at_once_by_two_coordinators_has_one_pairing(
    stores: list[Storage],
) -> None:
    mentee = await person(stores[0], "mentee")
    mentors = [await person(stores[0], f"mentor-{k}", Role.MENTOR) for k in range(PROCESSES)]
    await outcomes(
        *(
            store.pair(mentee, mentor, NOW, default_capacity=5)
            for store, mentor in zip(stores, mentors, strict=True)
        )
    )
    current = await stores[0].pairing_of(mentee)
    assert current is not None and current.mentor_id in mentors
    loads = [len(await stores[0].mentees_of(mentor)) for mentor in mentors]
    assert sum(loads) == 1


async def test_a_circle_date_never_fills_past_its_capacity(stores: list[Storage]) -> None:
    host = await person(stores[0], "host", Role.FACILITATOR)
    circle = await stores[0].create_circle(
        Circle(
            id=0,
            title="Circle",
            facilitator_id=host,
            zone="UTC",
            local_time=time(19, 0),
            weekdays=(1,),
            recurrence=Recurrence.WEEKLY,
            start_date=date(2026, 12, 1),
            duration=timedelta(minutes=60),
            created_at=NOW,
            capacity=1,
        )
    )
    for n in range(ROUNDS):
        day = date(2026, 12, 1) + timedelta(weeks=n)
        occurrence = await stores[0].save_occurrence(
            circle.id, day, datetime.combine(day, time(19), UTC)
        )
        people = [await person(stores[0], f"guest-{n}-{k}") for k in range(PROCESSES)]
        changes = await asyncio.gather(
            *(
                store.set_rsvp(occurrence.id, who, RsvpStatus.GOING, capacity=1, now=NOW)
                for store, who in zip(stores, people, strict=True)
            )
        )
        statuses = sorted(change.status.value for change in changes)
        assert statuses == ["going"] + ["waitlist"] * (PROCESSES - 1)


async def test_one_account_signing_up_twice_at_once_is_one_person(stores: list[Storage]) -> None:
    for n in range(ROUNDS):
        results = await outcomes(*(person(store, f"twice-{n}") for store in stores))
        made = [r for r in results if isinstance(r, int)]
        assert len(made) == 1
        # The others get the answer SQLite's check gives, whatever the backend noticed.
        assert all(
            isinstance(r, ValueError) and "already belongs" in str(r)
            for r in results
            if not isinstance(r, int)
        ), results
