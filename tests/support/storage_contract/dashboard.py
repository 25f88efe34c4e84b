"""The dashboard's storage contract: one-time login links, open invites, recent alerts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from storage.base import Storage
from storage.dashboard import LoginLink, LoginLinkError, LoginLinkProblem
from storage.mentoring import Trigger
from storage.people import InviteCode, Role
from tests.support.storage_contract.core import NOW, make_person

TEN_MINUTES = timedelta(minutes=10)


class DashboardContract:
    async def test_a_login_link_is_good_once(self, store: Storage) -> None:
        person = await make_person(store, role=Role.COORDINATOR)
        await store.create_login_link(LoginLink("h1", person, NOW, NOW + TEN_MINUTES))
        assert await store.use_login_link("h1", NOW + timedelta(minutes=9)) == person
        with pytest.raises(LoginLinkError) as again:
            await store.use_login_link("h1", NOW + timedelta(minutes=9))
        assert again.value.problem is LoginLinkProblem.USED

    async def test_an_expired_or_unknown_link_is_refused(self, store: Storage) -> None:
        person = await make_person(store, role=Role.COORDINATOR)
        await store.create_login_link(LoginLink("h2", person, NOW, NOW + TEN_MINUTES))
        with pytest.raises(LoginLinkError) as late:
            await store.use_login_link("h2", NOW + TEN_MINUTES)
        assert late.value.problem is LoginLinkProblem.EXPIRED
        with pytest.raises(LoginLinkError) as unknown:
            await store.use_login_link("nope", NOW)
        assert unknown.value.problem is LoginLinkProblem.UNKNOWN

    async def test_two_uses_at_once_one_wins(self, store: Storage) -> None:
        person = await make_person(store, role=Role.COORDINATOR)
        await store.create_login_link(LoginLink("h3", person, NOW, NOW + TEN_MINUTES))
        results = await asyncio.gather(
            store.use_login_link("h3", NOW), store.use_login_link("h3", NOW), return_exceptions=True
        )
        assert sorted(type(r).__name__ for r in results) == ["LoginLinkError", "int"]

    async def test_old_links_are_dropped_when_a_new_one_is_made(self, store: Storage) -> None:
        person = await make_person(store, role=Role.COORDINATOR)
        await store.create_login_link(LoginLink("old", person, NOW, NOW + TEN_MINUTES))
        later = NOW + timedelta(hours=1)
        await store.create_login_link(LoginLink("new", person, later, later + TEN_MINUTES))
        with pytest.raises(LoginLinkError) as gone:
            await store.use_login_link("old", later)
        assert gone.value.problem is LoginLinkProblem.UNKNOWN
        assert await store.use_login_link("new", later) == person

    async def test_open_invites_and_revoking(self, store: Storage) -> None:
        mentor = await make_person(store, role=Role.MENTOR)
        week = timedelta(days=7)
        for code, uses, expires in (
            ("OPEN1", 1, NOW + week),
            ("OPEN2", 3, None),
            ("USEDUP", 0, NOW + week),
            ("STALE", 1, NOW - timedelta(seconds=1)),
        ):
            created = NOW - timedelta(minutes=len(code))
            await store.create_invite(InviteCode(code, Role.MENTEE, uses, created, expires, mentor))
        found = await store.open_invites(NOW)
        assert [i.code for i in found] == ["OPEN1", "OPEN2"]  # newest first
        assert found[0].created_by == mentor and found[1].expires_at is None
        assert await store.revoke_invite("OPEN1") is True
        assert await store.revoke_invite("OPEN1") is False
        assert [i.code for i in await store.open_invites(NOW)] == ["OPEN2"]

    async def test_recent_alerts_are_open_or_new(self, store: Storage) -> None:
        mentee = await make_person(store)
        mentor = await make_person(store, "7", Role.MENTOR)
        old_open, _ = await store.create_alert(mentee, Trigger.CRAVING, NOW - timedelta(days=40))
        old_acked, _ = await store.create_alert(mentee, Trigger.MISSED, NOW - timedelta(days=39))
        await store.ack_alert(old_acked.id, mentor, NOW - timedelta(days=38))
        new, _ = await store.create_alert(mentee, Trigger.CRISIS, NOW - timedelta(days=1))
        found = await store.recent_alerts(NOW - timedelta(days=30), limit=10)
        assert [a.id for a in found] == [new.id, old_open.id]
        assert [a.id for a in await store.recent_alerts(NOW, limit=1)] == [new.id]  # both open
