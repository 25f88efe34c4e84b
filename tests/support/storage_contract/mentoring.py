"""The storage contract for mentoring: pairings, sharing, alerts, safety plans, the audit log.

Mixed into each backend's contract class beside
:class:`tests.support.storage_contract.StorageContract` (see ``test_storage_sqlite.py``), with the
same ``store`` fixture.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from storage.base import Storage
from storage.checkins import Answer
from storage.mentoring import (
    POSSIBLE_FLAGS_KEPT,
    AlertReuse,
    AuditEntry,
    ChainRole,
    EscalationStep,
    PairingError,
    PairingProblem,
    PairingSource,
    SafetyPlan,
    Severity,
    Sharing,
    Trigger,
)
from storage.people import Account, AccountAddress, Role
from storage.privacy import LedgerKinds, PurgeCutoffs

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


async def person(store: Storage, user_id: str, role: Role = Role.MENTEE, name: str = "") -> int:
    account = Account(AccountAddress("telegram", user_id), person_id=0, chat_id=user_id)
    created = await store.create_person(
        account, role=role, consented_at=NOW, display_name=name or f"P{user_id}"
    )
    return created.id


class MentoringContract:
    async def test_pair_capacity_and_repair(self, store: Storage) -> None:
        mentor = await person(store, "1", Role.MENTOR)
        other = await person(store, "2", Role.MENTOR)
        a, b, c = [await person(store, str(n)) for n in (10, 11, 12)]
        first = await store.pair(a, mentor, NOW, default_capacity=2)
        assert first.active and first.source is PairingSource.COORDINATOR
        await store.pair(b, mentor, NOW, default_capacity=2, source=PairingSource.INVITE)
        with pytest.raises(PairingError) as err:
            await store.pair(c, mentor, NOW, default_capacity=2)
        assert err.value.problem is PairingProblem.FULL
        await store.set_mentor_capacity(mentor, 3)
        assert await store.mentor_capacity(mentor, 2) == 3
        await store.pair(c, mentor, NOW, default_capacity=2)
        # Pairing again with the same mentor keeps the pairing and sets the backup.
        again = await store.pair(a, mentor, NOW, default_capacity=2, backup_id=other)
        assert again.id == first.id and again.backup_id == other
        # A new mentor ends the old pairing.
        moved = await store.pair(a, other, NOW + timedelta(hours=1), default_capacity=2)
        assert moved.id != first.id
        ended = await store.get_pairing(first.id)
        assert ended is not None and ended.ended_at == NOW + timedelta(hours=1)
        assert [p.mentee_id for p in await store.mentees_of(mentor)] == [b, c]
        assert (await store.pairing_of(a)) == moved
        assert len(await store.active_pairings()) == 3

    async def test_pair_refusals(self, store: Storage) -> None:
        mentor = await person(store, "1", Role.MENTOR)
        mentee = await person(store, "2")
        not_a_mentor = await person(store, "3")
        with pytest.raises(PairingError) as err:
            await store.pair(mentee, not_a_mentor, NOW, default_capacity=5)
        assert err.value.problem is PairingProblem.NOT_A_MENTOR
        with pytest.raises(PairingError) as err:
            await store.pair(mentor, mentor, NOW, default_capacity=5)
        assert err.value.problem is PairingProblem.SAME_PERSON
        with pytest.raises(PairingError) as err:
            await store.pair(999, mentor, NOW, default_capacity=5)
        assert err.value.problem is PairingProblem.UNKNOWN_PERSON
        with pytest.raises(PairingError) as err:
            await store.set_backup(mentee, mentor)
        assert err.value.problem is PairingProblem.NOT_PAIRED

    async def test_unpair_backup_and_change_request(self, store: Storage) -> None:
        mentor = await person(store, "1", Role.MENTOR)
        backup = await person(store, "2", Role.MENTOR)
        mentee = await person(store, "3")
        await store.pair(mentee, mentor, NOW, default_capacity=5)
        with_backup = await store.set_backup(mentee, backup)
        assert with_backup.backup_id == backup
        assert [p.mentee_id for p in await store.mentees_of(backup)] == [mentee]
        requested = await store.request_new_mentor(mentee, NOW)
        assert requested is not None and requested.change_requested_at == NOW
        ended = await store.unpair(mentee, NOW)
        assert ended is not None and ended.ended_at == NOW
        assert await store.pairing_of(mentee) is None
        assert await store.unpair(mentee, NOW) is None
        assert await store.request_new_mentor(mentee, NOW) is None

    async def test_people_with_role_and_on_duty(self, store: Storage) -> None:
        coordinator = await person(store, "1", Role.COORDINATOR, "Alex")
        mentee = await person(store, "2")
        assert [p.display_name for p in await store.people_with_role(Role.COORDINATOR)] == ["Alex"]
        assert await store.on_duty() is None
        await store.set_on_duty(coordinator, NOW)
        assert await store.on_duty() == coordinator
        with pytest.raises(ValueError):
            await store.set_on_duty(mentee, NOW)
        await store.set_on_duty(None, NOW)
        assert await store.on_duty() is None

    async def test_sharing_defaults_and_choice(self, store: Storage) -> None:
        mentee = await person(store, "1")
        assert await store.get_sharing(mentee) == Sharing(True, True, False, None)
        await store.set_sharing(mentee, Sharing(numbers=False, streak=True, notes=True), NOW)
        assert await store.get_sharing(mentee) == Sharing(False, True, True, NOW)
        assert not (await store.get_sharing(mentee)).goals  # goals are opt-in
        await store.set_sharing(mentee, Sharing(goals=True), NOW)
        assert await store.get_sharing(mentee) == Sharing(True, True, False, NOW, goals=True)

    async def test_alerts_reuse_ack_and_open(self, store: Storage) -> None:
        mentor = await person(store, "1", Role.MENTOR)
        mentee = await person(store, "2")
        alert, created = await store.create_alert(mentee, Trigger.CRISIS, NOW)
        assert created and alert.severity is Severity.URGENT and alert.open
        reuse = AlertReuse(since=NOW - timedelta(minutes=30))
        again, created = await store.create_alert(
            mentee, Trigger.SOS, NOW + timedelta(minutes=5), reuse=reuse
        )
        assert not created and again.id == alert.id
        normal, created = await store.create_alert(
            mentee,
            Trigger.CRAVING,
            NOW,
            reuse=AlertReuse(since=NOW - timedelta(days=1), same_trigger=True, unacked_only=True),
        )
        assert created and normal.severity is Severity.NORMAL
        assert [a.id for a in await store.open_alerts([mentee])] == [alert.id, normal.id]
        assert await store.open_alerts([]) == []
        step = EscalationStep(alert.id, 1, mentor, ChainRole.MENTOR, NOW)
        assert await store.record_step(step)
        assert not await store.record_step(step)
        assert await store.steps_of(alert.id) == [step]
        assert [a.id for a in await store.open_alerts_for_recipient(mentor)] == [alert.id]
        acked = await store.ack_alert(alert.id, mentor, NOW + timedelta(minutes=3))
        assert acked is not None and acked[1] and acked[0].acked_by == mentor
        twice = await store.ack_alert(alert.id, mentee, NOW + timedelta(minutes=4))
        assert twice is not None and not twice[1]
        assert twice[0].acked_by == mentor and twice[0].acked_at == NOW + timedelta(minutes=3)
        assert await store.ack_alert(9999, mentor, NOW) is None
        assert [a.id for a in await store.open_alerts(None)] == [normal.id]
        # An acknowledged urgent alert still counts as "recent" for reuse.
        _, created = await store.create_alert(
            mentee, Trigger.CRISIS, NOW + timedelta(minutes=10), reuse=reuse
        )
        assert not created

    async def test_possible_verdicts_counted_over_a_window(self, store: Storage) -> None:
        mentee = await person(store, "1")
        other = await person(store, "2")
        week = timedelta(days=7)
        assert await store.record_possible(mentee, NOW, NOW - week) == 1
        assert await store.record_possible(other, NOW, NOW - week) == 1
        later = NOW + timedelta(days=3)
        assert await store.record_possible(mentee, later, later - week) == 2
        much_later = NOW + timedelta(days=8)  # the first has left the window
        assert await store.record_possible(mentee, much_later, much_later - week) == 2
        for trigger in (Trigger.POSSIBLE_UNANSWERED, Trigger.POSSIBLE_REPEATED):
            alert, created = await store.create_alert(mentee, trigger, NOW)
            assert created and alert.severity is Severity.NORMAL and alert.trigger is trigger

    async def test_the_purge_forgets_old_possible_verdicts(self, store: Storage) -> None:
        mentee = await person(store, "1")
        await store.record_possible(mentee, NOW, NOW - timedelta(days=7))
        later = NOW + POSSIBLE_FLAGS_KEPT + timedelta(days=1)
        cutoffs = PurgeCutoffs(None, None, None, pre_consent=NOW - timedelta(days=7), now=later)
        await store.purge_expired(cutoffs, LedgerKinds())
        # Counted over a whole year, only the new verdict is left.
        assert await store.record_possible(mentee, later, later - timedelta(days=365)) == 1

    async def test_safety_plan_round_trip(self, store: Storage) -> None:
        mentee = await person(store, "1")
        assert await store.get_safety_plan(mentee) is None
        plan = SafetyPlan(mentee, warning_signs="not sleeping", what_helps="a walk")
        saved = await store.save_safety_plan(plan, NOW)
        assert saved.updated_at == NOW
        found = await store.get_safety_plan(mentee)
        assert found is not None and found.what_helps == "a walk" and not found.empty

    async def test_audit_log_filters_newest_first(self, store: Storage) -> None:
        mentor = await person(store, "1", Role.MENTOR, "Mo")
        a, b = await person(store, "2"), await person(store, "3")
        await store.write_audit(
            [
                AuditEntry(NOW, mentor, "Mo", a, "view_mentees"),
                AuditEntry(NOW + timedelta(minutes=1), mentor, "Mo", b, "view_mentees"),
                AuditEntry(NOW + timedelta(minutes=2), None, "command line", a, "roster"),
            ]
        )
        everything = await store.audit_log()
        assert [e.action for e in everything] == ["roster", "view_mentees", "view_mentees"]
        assert [e.at for e in await store.audit_log(subject_id=a)] == [
            NOW + timedelta(minutes=2),
            NOW,
        ]
        assert len(await store.audit_log(actor_id=mentor)) == 2
        assert len(await store.audit_log(since=NOW + timedelta(minutes=1))) == 2
        assert len(await store.audit_log(limit=1)) == 1

    async def test_recent_checkins_newest_first_with_answers(self, store: Storage) -> None:
        mentee = await person(store, "1")
        for n in range(3):
            checkin = await store.open_checkin(
                mentee, date(2026, 11, 20 + n), "on_demand", NOW + timedelta(days=n)
            )
            await store.record_answer(checkin.id, Answer("mood", number=float(n + 1)), NOW)
            await store.complete_checkin(checkin.id, NOW + timedelta(days=n, minutes=1))
        await store.open_checkin(mentee, date(2026, 11, 23), "on_demand", NOW)  # not completed
        recent = await store.recent_checkins(mentee, 2)
        assert [c.local_date.day for c in recent] == [22, 21]
        assert recent[0].answers["mood"].number == 3
