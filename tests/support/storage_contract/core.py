"""The core storage contract: people, accounts, conversations, the due queue, check-ins."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from storage.base import Storage
from storage.checkins import Answer, FinishedCheckin
from storage.conversations import ConversationState
from storage.due_queue import DueWork
from storage.people import Account, AccountAddress, InviteCode, InviteError, InviteProblem, Role

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ADDRESS = AccountAddress("telegram", "42")


async def make_person(store: Storage, user_id: str = "42", role: Role = Role.MENTEE) -> int:
    account = Account(AccountAddress("telegram", user_id), person_id=0, chat_id=user_id)
    person = await store.create_person(account, role=role, consented_at=NOW, display_name="Sam")
    return person.id


class StorageContract:
    async def test_create_and_find_person(self, store: Storage) -> None:
        person_id = await make_person(store)
        found = await store.person_for_account(ADDRESS)
        assert found is not None and found.id == person_id
        assert found.display_name == "Sam"
        assert found.created_at == NOW and found.onboarded_at is None
        assert await store.roles_of(person_id) == {Role.MENTEE}
        assert await store.consents_of(person_id) == {"storage"}
        accounts = await store.accounts_of(person_id)
        assert [a.address for a in accounts] == [ADDRESS]

    async def test_unknown_account_is_none(self, store: Storage) -> None:
        assert await store.person_for_account(AccountAddress("discord", "nobody")) is None

    async def test_one_account_one_person(self, store: Storage) -> None:
        await make_person(store)
        with pytest.raises(ValueError):
            await make_person(store)

    async def test_onboarded_and_stopped(self, store: Storage) -> None:
        person_id = await make_person(store)
        await store.mark_onboarded(person_id, NOW)
        await store.mark_onboarded(person_id, NOW + timedelta(days=1))  # first time stays
        await store.set_stopped(person_id, NOW)
        person = await store.get_person(person_id)
        assert person is not None and person.onboarded_at == NOW and person.stopped_at == NOW
        await store.set_stopped(person_id, None)
        person = await store.get_person(person_id)
        assert person is not None and person.stopped_at is None

    async def test_roles_accumulate(self, store: Storage) -> None:
        person_id = await make_person(store)
        await store.grant_role(person_id, Role.MENTOR, NOW)
        await store.grant_role(person_id, Role.MENTOR, NOW)
        assert await store.roles_of(person_id) == {Role.MENTEE, Role.MENTOR}

    async def test_settings_update_only_given_fields(self, store: Storage) -> None:
        person_id = await make_person(store)
        await store.update_settings(person_id, timezone="America/Denver", checkin_time="20:00")
        pause = NOW + timedelta(days=3)
        settings = await store.update_settings(person_id, paused_until=pause)
        assert settings.timezone == "America/Denver"
        assert settings.checkin_time == "20:00"
        assert settings.paused_until == pause
        settings = await store.update_settings(person_id, paused_until=None)
        assert settings.paused_until is None
        assert (await store.get_settings(person_id)).timezone == "America/Denver"

    async def test_language_is_kept_with_the_settings(self, store: Storage) -> None:
        person_id = await make_person(store)
        assert (await store.get_settings(person_id)).language is None
        await store.update_settings(person_id, language="es", timezone="America/Mexico_City")
        settings = await store.update_settings(person_id, checkin_time="08:00")
        assert (settings.language, settings.timezone) == ("es", "America/Mexico_City")
        await store.update_settings(person_id, language="en")
        assert (await store.get_settings(person_id)).language == "en"

    async def test_invite_uses_and_expiry(self, store: Storage) -> None:
        await store.create_invite(
            InviteCode("TWOUSES", Role.MENTOR, 2, NOW, expires_at=NOW + timedelta(days=1))
        )
        assert (await store.check_invite("TWOUSES", NOW)).role is Role.MENTOR
        await store.redeem_invite("TWOUSES", NOW)
        await store.redeem_invite("TWOUSES", NOW)
        with pytest.raises(InviteError) as used:
            await store.redeem_invite("TWOUSES", NOW)
        assert used.value.problem is InviteProblem.USED_UP
        await store.create_invite(InviteCode("OLD", Role.MENTEE, 5, NOW, expires_at=NOW))
        with pytest.raises(InviteError) as expired:
            await store.check_invite("OLD", NOW)
        assert expired.value.problem is InviteProblem.EXPIRED
        with pytest.raises(InviteError) as unknown:
            await store.redeem_invite("NOPE", NOW)
        assert unknown.value.problem is InviteProblem.UNKNOWN

    async def test_conversation_state_round_trip(self, store: Storage) -> None:
        assert await store.load_conversation(ADDRESS) is None
        state = ConversationState("ob", "zone_confirm", {"zone": "Europe/London", "n": 3})
        await store.save_conversation(ADDRESS, state, NOW)
        assert await store.load_conversation(ADDRESS) == state
        await store.save_conversation(ADDRESS, ConversationState("ob", "time"), NOW)
        loaded = await store.load_conversation(ADDRESS)
        assert loaded is not None and loaded.step == "time" and loaded.data == {}
        await store.clear_conversation(ADDRESS)
        assert await store.load_conversation(ADDRESS) is None

    async def test_turn_facts_match_the_separate_reads(self, store: Storage) -> None:
        assert await store.turn_facts(ADDRESS) == (None, frozenset(), None)
        state = ConversationState("ob", "name", {"n": 1})
        await store.save_conversation(ADDRESS, state, NOW)  # state before any person
        assert await store.turn_facts(ADDRESS) == (None, frozenset(), state)
        person_id = await make_person(store)
        await store.grant_role(person_id, Role.MENTOR, NOW)
        person, roles, loaded = await store.turn_facts(ADDRESS)
        assert person == await store.person_for_account(ADDRESS)
        assert roles == {Role.MENTEE, Role.MENTOR} == await store.roles_of(person_id)
        assert loaded == state
        await store.clear_conversation(ADDRESS)
        assert (await store.turn_facts(ADDRESS))[2] is None
        other = await make_person(store, user_id="43")
        facts = await store.turn_facts(AccountAddress("telegram", "43"))
        assert facts[0] is not None and facts[0].id == other and facts[1] == {Role.MENTEE}

    async def test_open_answer_moves_the_conversation_only_when_stored(
        self, store: Storage
    ) -> None:
        person_id = await make_person(store)
        other_id = await make_person(store, user_id="43")
        checkin = await store.open_checkin(person_id, NOW.date(), "on_demand", NOW)
        asked_craving = (ADDRESS, ConversationState("ck", "craving", {"checkin_id": checkin.id}))
        mood = Answer("mood", number=3.0)
        assert await store.record_open_answer(checkin.id, person_id, mood, NOW, then=asked_craving)
        assert await store.load_conversation(ADDRESS) == asked_craving[1]
        assert (await store.answers_of(checkin.id))["mood"] == mood

        # Refused, so the conversation stays where it was: a double press, someone else's
        # check-in, a completed one.
        stale = (ADDRESS, ConversationState("ck", "stale", {}))
        twice = Answer("mood", number=5.0)
        assert not await store.record_open_answer(checkin.id, person_id, twice, NOW, then=stale)
        craving = Answer("craving", number=2.0)
        assert not await store.record_open_answer(checkin.id, other_id, craving, NOW, then=stale)
        assert await store.complete_checkin(checkin.id, NOW)
        assert not await store.record_open_answer(checkin.id, person_id, craving, NOW, then=stale)
        assert await store.load_conversation(ADDRESS) == asked_craving[1]
        assert await store.answers_of(checkin.id) == {"mood": mood}

        # Without ``then`` only the answer is stored.
        second = await store.open_checkin(person_id, NOW.date(), "on_demand", NOW)
        assert await store.record_open_answer(second.id, person_id, craving, NOW)
        assert await store.answers_of(second.id) == {"craving": craving}
        assert await store.load_conversation(ADDRESS) == asked_craving[1]

    async def test_finish_checkin_changes_everything_at_once_or_nothing(
        self, store: Storage
    ) -> None:
        person_id = await make_person(store)
        other_id = await make_person(store, user_id="43")
        day = NOW.date()
        checkin = await store.open_checkin(person_id, day, "on_demand", NOW)
        await store.record_answer(checkin.id, Answer("mood", number=4.0), NOW)
        await store.count_miss(person_id)
        await store.save_conversation(ADDRESS, ConversationState("ck", "note", {}), NOW)
        follow_up = DueWork("checkin_alert", str(checkin.id), NOW, "1", person_id=person_id)
        note = Answer("note", skipped=True)

        def finished(last: Answer, by: int = person_id) -> FinishedCheckin:
            return FinishedCheckin(
                checkin.id,
                by,
                last,
                day - timedelta(days=9),
                day - timedelta(days=2),
                conversation=ADDRESS,
                follow_up=follow_up,
            )

        # Refused, nothing changed: someone else's, an answer already there.
        assert not await store.finish_checkin(finished(note, by=other_id), NOW)
        assert not await store.finish_checkin(finished(Answer("mood", number=1.0)), NOW)
        still = await store.get_checkin(checkin.id)
        assert still is not None and still.open
        assert await store.load_conversation(ADDRESS) is not None
        assert await store.get_due("checkin_alert", str(checkin.id)) is None
        person = await store.get_person(person_id)
        assert person is not None and person.streak_start is None

        assert await store.finish_checkin(finished(note), NOW + timedelta(minutes=1))
        done = await store.get_checkin(checkin.id)
        assert done is not None and done.completed_at == NOW + timedelta(minutes=1)
        assert await store.answers_of(checkin.id) == {"mood": Answer("mood", 4.0), "note": note}
        person = await store.get_person(person_id)
        assert person is not None
        assert (person.journey_start, person.streak_start) == (
            day - timedelta(days=9),
            day - timedelta(days=2),
        )
        assert (await store.get_settings(person_id)).consecutive_misses == 0
        assert await store.load_conversation(ADDRESS) is None
        queued = await store.get_due("checkin_alert", str(checkin.id))
        assert queued is not None and queued.due_at == NOW and queued.person_id == person_id
        assert not await store.finish_checkin(finished(note), NOW)  # a double press

    async def test_a_second_checkin_on_a_day_replaces_the_first(self, store: Storage) -> None:
        person_id = await make_person(store)
        other_id = await make_person(store, user_id="43")
        day = NOW.date()

        async def complete(who: int, on: date, mood: float, at: datetime) -> int:
            checkin = await store.open_checkin(who, on, "on_demand", at)
            await store.record_answer(checkin.id, Answer("mood", number=mood), at)
            last = Answer("used", number=0.0, text="no")
            assert await store.finish_checkin(FinishedCheckin(checkin.id, who, last, on, on), at)
            return checkin.id

        yesterday = await complete(person_id, day - timedelta(days=1), 2.0, NOW)
        theirs = await complete(other_id, day, 1.0, NOW)
        first = await complete(person_id, day, 3.0, NOW)
        second = await complete(person_id, day, 5.0, NOW + timedelta(hours=1))
        assert await store.get_checkin(first) is None
        assert await store.answers_of(first) == {}
        assert (await store.answers_of(second))["mood"] == Answer("mood", 5.0)
        # Other days and other people keep theirs.
        assert await store.get_checkin(yesterday) is not None
        assert await store.get_checkin(theirs) is not None
        assert [s.mood for s in await store.daily_scores(person_id, day, day)] == [5.0]
        recent = await store.recent_checkins(person_id, 5)
        assert [c.checkin_id for c in recent] == [second, yesterday]

    async def test_each_milestone_of_a_streak_is_new_once(self, store: Storage) -> None:
        person_id = await make_person(store)
        other_id = await make_person(store, user_id="43")
        start = date(2025, 10, 1)
        assert await store.mark_milestones(person_id, start, ["1d", "7d"], NOW) == {"1d", "7d"}
        assert await store.mark_milestones(person_id, start, ["7d", "1y"], NOW) == {"1y"}
        assert await store.mark_milestones(person_id, start, ["1y"], NOW) == frozenset()
        # Another person, or a new streak after a relapse, counts again.
        assert await store.mark_milestones(other_id, start, ["1y"], NOW) == {"1y"}
        restart = date(2026, 11, 1)
        assert await store.mark_milestones(person_id, restart, ["1d", "7d"], NOW) == {"1d", "7d"}
        assert await store.mark_milestones(person_id, restart, [], NOW) == frozenset()

    async def test_claim_due_leases_rows_once(self, store: Storage) -> None:
        person_id = await make_person(store)
        due = DueWork("checkin", str(person_id), NOW, "2026-11-27", person_id=person_id)
        await store.set_due(due)
        later = NOW + timedelta(minutes=1)
        first = await store.claim_due(
            later, owner="a", lease_until=later + timedelta(minutes=5), limit=10, kinds=("checkin",)
        )
        second = await store.claim_due(
            later, owner="b", lease_until=later + timedelta(minutes=5), limit=10, kinds=("checkin",)
        )
        assert [w.subject for w in first] == [str(person_id)] and second == []
        # An expired lease (a crashed worker) can be claimed again.
        much_later = later + timedelta(minutes=6)
        again = await store.claim_due(
            much_later, owner="b", lease_until=much_later, limit=10, kinds=("checkin",)
        )
        assert [w.lease_owner for w in again] == ["b"]
        # Only the current owner may advance it.
        assert not await store.advance_due(first[0], None)
        nxt = DueWork("checkin", str(person_id), NOW + timedelta(days=1), "2026-11-28")
        assert await store.advance_due(again[0], nxt)
        row = await store.get_due("checkin", str(person_id))
        assert row is not None and row.occurrence == "2026-11-28" and row.lease_owner is None

    async def test_claim_due_respects_kind_time_and_limit(self, store: Storage) -> None:
        for n in range(5):
            await store.set_due(DueWork("checkin", f"s{n}", NOW + timedelta(minutes=n), "d"))
        await store.set_due(DueWork("other", "x", NOW, "d"))
        claimed = await store.claim_due(
            NOW + timedelta(minutes=2),
            owner="a",
            lease_until=NOW + timedelta(hours=1),
            limit=2,
            kinds=("checkin",),
        )
        assert [w.subject for w in claimed] == ["s0", "s1"]
        assert await store.claim_due(NOW, owner="a", lease_until=NOW, limit=9, kinds=()) == []

    async def test_due_per_minute_counts_one_kind_by_minute(self, store: Storage) -> None:
        for n in range(3):
            await store.set_due(DueWork("checkin", f"a{n}", NOW + timedelta(seconds=10 * n), "d"))
        await store.set_due(DueWork("checkin", "b", NOW + timedelta(minutes=5, seconds=59), "d"))
        await store.set_due(DueWork("other", "x", NOW, "d"))
        assert await store.due_per_minute("checkin") == [
            (NOW.replace(second=0, microsecond=0), 3),
            (NOW.replace(second=0, microsecond=0) + timedelta(minutes=5), 1),
        ]
        assert await store.due_per_minute("nothing") == []

    async def test_oldest_due_is_the_longest_waiting_row_leased_or_not(
        self, store: Storage
    ) -> None:
        assert await store.oldest_due(NOW) is None
        await store.set_due(DueWork("checkin", "later", NOW + timedelta(minutes=1), "d"))
        assert await store.oldest_due(NOW) is None  # not due yet: no lag
        await store.set_due(DueWork("checkin", "a", NOW - timedelta(minutes=5), "d"))
        await store.set_due(DueWork("reminder", "b", NOW - timedelta(minutes=9), "d"))
        await store.claim_due(
            NOW, owner="w", lease_until=NOW + timedelta(hours=1), limit=9, kinds=("reminder",)
        )
        assert await store.oldest_due(NOW) == NOW - timedelta(minutes=9)
        await store.clear_due("reminder", "b")
        assert await store.oldest_due(NOW) == NOW - timedelta(minutes=5)

    async def test_set_due_moves_row_and_drops_lease(self, store: Storage) -> None:
        await store.set_due(DueWork("checkin", "p", NOW, "d1"))
        await store.claim_due(
            NOW, owner="a", lease_until=NOW + timedelta(hours=1), limit=5, kinds=("checkin",)
        )
        await store.set_due(DueWork("checkin", "p", NOW + timedelta(hours=2), "d2"))
        row = await store.get_due("checkin", "p")
        assert row is not None and row.lease_owner is None and row.occurrence == "d2"
        await store.clear_due("checkin", "p")
        assert await store.get_due("checkin", "p") is None

    async def test_link_codes_make_requests_only_the_owner_account_can_accept(
        self, store: Storage
    ) -> None:
        from storage.links import LinkError, LinkProblem

        day = timedelta(days=1)
        person_id = await make_person(store)
        await store.create_link_code(
            "LINK1", person_id, made_by=ADDRESS, now=NOW, expires_at=NOW + day
        )
        discord = Account(AccountAddress("discord", "77"), person_id=0, chat_id="77")
        request = await store.request_link("LINK1", discord, now=NOW, expires_at=NOW + day)
        assert request.person_id == person_id and request.owner == ADDRESS
        assert request.account.address == discord.address and request.account.chat_id == "77"
        assert await store.link_request(request.id) == request
        assert len(await store.accounts_of(person_id)) == 1  # nothing until accepted
        assert await store.person_for_account(discord.address) is None
        with pytest.raises(LinkError) as used:
            await store.request_link("LINK1", discord, now=NOW, expires_at=NOW + day)
        assert used.value.problem is LinkProblem.UNKNOWN

        later = NOW + timedelta(hours=1)
        assert await store.linked_at(discord.address) is None
        assert await store.answer_link_request(request.id, accept=True, now=later) == request
        assert len(await store.accounts_of(person_id)) == 2
        assert await store.linked_at(discord.address) == later
        assert await store.linked_at(ADDRESS) is None  # the account they signed up with
        assert await store.link_request(request.id) is None
        assert await store.answer_link_request(request.id, accept=True, now=later) is None

        await store.create_link_code(
            "LINK4", person_id, made_by=ADDRESS, now=NOW, expires_at=NOW + day
        )
        with pytest.raises(LinkError) as mine:
            await store.request_link("LINK4", discord, now=NOW, expires_at=NOW + day)
        assert mine.value.problem is LinkProblem.ALREADY_LINKED
        other = await make_person(store, user_id="43")
        other_address = AccountAddress("telegram", "43")
        await store.create_link_code(
            "LINK2", other, made_by=other_address, now=NOW, expires_at=NOW + day
        )
        with pytest.raises(LinkError) as taken:
            await store.request_link("LINK2", discord, now=NOW, expires_at=NOW + day)
        assert taken.value.problem is LinkProblem.ACCOUNT_TAKEN
        await store.create_link_code("LINK3", other, made_by=other_address, now=NOW, expires_at=NOW)
        with pytest.raises(LinkError) as expired:
            await store.request_link("LINK3", discord, now=NOW, expires_at=NOW + day)
        assert expired.value.problem is LinkProblem.EXPIRED

    async def test_link_requests_are_refused_or_expire(self, store: Storage) -> None:
        day = timedelta(days=1)
        person_id = await make_person(store)
        newcomer = Account(AccountAddress("discord", "88"), person_id=0, chat_id="88")
        for code in ("NO1", "LATE1"):
            await store.create_link_code(
                code, person_id, made_by=ADDRESS, now=NOW, expires_at=NOW + day
            )
            request = await store.request_link(code, newcomer, now=NOW, expires_at=NOW + day)
            if code == "NO1":
                refused = await store.answer_link_request(request.id, accept=False, now=NOW)
                assert refused == request
                assert await store.link_request(request.id) is None
        assert await store.expire_link_request(request.id, NOW + day / 2) is None
        assert await store.answer_link_request(request.id, accept=True, now=NOW + day) is None
        assert await store.expire_link_request(request.id, NOW + day) == request
        assert await store.expire_link_request(request.id, NOW + day) is None
        assert await store.person_for_account(newcomer.address) is None
        assert len(await store.accounts_of(person_id)) == 1

    async def test_code_attempts_keep_the_throttle_and_count_failures(self, store: Storage) -> None:
        from storage.attempts import CodeThrottle

        source = AccountAddress("discord", "guesser")
        assert await store.code_throttle(source) == CodeThrottle()
        blocked = CodeThrottle(None, 0, 1, NOW + timedelta(minutes=10), NOW)
        for n in range(3):
            throttle = CodeThrottle(NOW, n + 1, 0, None, NOW) if n < 2 else blocked
            await store.record_code_failure(source, "link", NOW + timedelta(seconds=n), throttle)
        assert await store.code_throttle(source) == blocked
        person_id = await make_person(store)
        await store.record_code_failure(ADDRESS, "invite", NOW, CodeThrottle(NOW, 1, 0, None, NOW))
        assert await store.code_throttle(source) == blocked  # one source's row per source
        rows = await store.code_failures(NOW - timedelta(minutes=1), 1)
        assert [(r.address, r.failures, r.person_id, r.kinds) for r in rows] == [
            (source, 3, None, frozenset({"link"})),
            (ADDRESS, 1, person_id, frozenset({"invite"})),
        ]
        assert rows[0].first_at == NOW and rows[0].last_at == NOW + timedelta(seconds=2)
        assert [r.address for r in await store.code_failures(NOW, 2)] == [source]
        assert await store.code_failures(NOW + timedelta(seconds=3), 1) == []
