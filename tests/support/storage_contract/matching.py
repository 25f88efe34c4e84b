"""The storage contract for matching profiles, re-match history, per-person outcomes, and the
mentors' training and supervision log. Mixed into each backend's contract class with the same
``store`` fixture."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from storage.base import Storage
from storage.deliveries import DeliveryStatus
from storage.matching import Gender, MatchPair, MatchProfile, Pathway
from storage.people import Role
from tests.support.storage_contract.mentoring import NOW, person


class MatchingContract:
    async def test_a_profile_is_saved_replaced_read_and_deleted(self, store: Storage) -> None:
        mentor = await person(store, "1", Role.MENTOR)
        mentee = await person(store, "2")
        assert await store.match_profile(mentor) is None
        profile = MatchProfile(
            mentor,
            languages=frozenset({"es", "en"}),
            pathways=frozenset({Pathway.SMART, Pathway.TWELVE_STEP}),
            experience=frozenset({"alcohol"}),
            gender=Gender.WOMAN,
            gender_preference=Gender.WOMAN,
            hours=frozenset({18, 19, 20}),
        )
        saved = await store.save_match_profile(profile, NOW)
        assert saved == replace(profile, updated_at=NOW)
        changed = await store.save_match_profile(
            MatchProfile(mentor, languages=frozenset({"fr"})), NOW + timedelta(hours=1)
        )
        assert changed.languages == {"fr"} and changed.pathways == frozenset()
        assert changed.gender is None and changed.updated_at == NOW + timedelta(hours=1)
        await store.save_match_profile(MatchProfile(mentee, hours=frozenset({7})), NOW)
        both = await store.match_profiles([mentor, mentee, 999])
        assert set(both) == {mentor, mentee} and both[mentee].hours == {7}
        assert await store.match_profiles([]) == {}
        assert await store.delete_match_profile(mentor) is True
        assert await store.delete_match_profile(mentor) is False
        assert await store.match_profile(mentor) is None

    async def test_rematch_requests_and_latest_pairings(self, store: Storage) -> None:
        first = await person(store, "1", Role.MENTOR)
        second = await person(store, "2", Role.MENTOR)
        mentee = await person(store, "3")
        other = await person(store, "4")
        await store.pair(mentee, first, NOW, default_capacity=5)
        await store.request_new_mentor(mentee, NOW + timedelta(hours=1))
        await store.pair(mentee, second, NOW + timedelta(hours=2), default_capacity=5)
        await store.pair(other, first, NOW, default_capacity=5)
        await store.unpair(other, NOW + timedelta(hours=3))
        requests = await store.rematch_requests()
        assert [(r.mentee_id, r.mentor_id) for r in requests] == [(mentee, first)]
        assert requests[0].requested_at == NOW + timedelta(hours=1)
        assert await store.latest_pairings() == [
            MatchPair(mentee, second),
            MatchPair(other, first),
        ]

    async def test_outcomes_person_by_person(self, store: Storage) -> None:
        keen, quiet = await person(store, "1"), await person(store, "2")
        for pid in (keen, quiet):
            await store.mark_onboarded(pid, NOW - timedelta(days=40))
        start = (NOW - timedelta(days=10)).date()
        for n in range(4):
            day = start + timedelta(days=n)
            for pid in (keen, quiet):
                await store.finish_delivery(
                    "checkin", str(pid), day.isoformat(), DeliveryStatus.SENT, NOW, person_id=pid
                )
            checkin = await store.open_checkin(keen, day, "scheduled", NOW)
            await store.complete_checkin(checkin.id, NOW)
        # Keen also checked in on day 30 after joining: retained at 30 days.
        day30 = (NOW - timedelta(days=40)).date() + timedelta(days=30)
        checkin = await store.open_checkin(keen, day30, "scheduled", NOW)
        await store.complete_checkin(checkin.id, NOW)
        done = await store.completion_by_person(start, start + timedelta(days=3))
        assert [(c.person_id, c.prompted, c.answered) for c in done] == [
            (keen, 4, 4),
            (quiet, 4, 0),
        ]
        kept = await store.retention_by_person(30, NOW)
        assert [(r.person_id, r.retained) for r in kept] == [(keen, True), (quiet, False)]
        assert await store.retention_by_person(60, NOW) == []

    async def test_trainings_and_supervision_are_logged_read_and_removed(
        self, store: Storage
    ) -> None:
        mentor = await person(store, "1", Role.MENTOR)
        other = await person(store, "2", Role.MENTOR)
        naloxone = await store.log_training(
            mentor,
            course="Naloxone",
            provider="County health – Año nuevo",
            completed_on=date(2026, 3, 1),
            hours=1.5,
            expires_on=date(2028, 3, 1),
            now=NOW,
        )
        ethics = await store.log_training(
            mentor,
            course="Ethics",
            provider="Recovery coach academy",
            completed_on=date(2026, 9, 1),
            hours=6,
            expires_on=None,
            now=NOW,
        )
        assert naloxone.provider == "County health – Año nuevo" and naloxone.hours == 1.5
        assert await store.get_training(naloxone.id) == naloxone
        assert [t.id for t in await store.trainings_of(mentor)] == [ethics.id, naloxone.id]
        assert ethics.expires_on is None and ethics.logged_at == NOW
        assert await store.delete_training(other, ethics.id) is False  # not theirs
        assert await store.delete_training(mentor, ethics.id) is True
        assert [t.id for t in await store.trainings_of(mentor)] == [naloxone.id]

        old = await store.log_supervision(
            mentor, held_on=date(2026, 10, 2), supervisor="Dr Rae", minutes=60, now=NOW
        )
        new = await store.log_supervision(
            mentor, held_on=date(2026, 11, 20), supervisor="Dr Rae", minutes=45, now=NOW
        )
        assert [s.id for s in await store.supervision_of(mentor)] == [new.id, old.id]
        recent = await store.supervision_of(mentor, since=date(2026, 11, 1))
        assert [(s.held_on, s.supervisor, s.minutes) for s in recent] == [
            (date(2026, 11, 20), "Dr Rae", 45)
        ]
        assert await store.supervision_of(other) == []
