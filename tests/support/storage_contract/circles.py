"""The storage contract for peer circles: every backend runs these very tests.

Mixed into a backend's contract class (see ``test_storage_sqlite.py``), which provides the
``store`` fixture.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from storage.base import Storage
from storage.circles import (
    Circle,
    MirroredEvent,
    Recurrence,
    RsvpStatus,
    SpeakingOrder,
    Venue,
    VenueKind,
)
from tests.support.storage_contract.core import make_person

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
FIRST = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)


async def _circle(store: Storage, facilitator: int, **changes: object) -> Circle:
    draft = Circle(
        id=0,
        title="Tuesday evening circle",
        facilitator_id=facilitator,
        zone="America/New_York",
        local_time=time(19, 0),
        weekdays=(1,),
        recurrence=Recurrence.WEEKLY,
        start_date=date(2026, 12, 1),
        duration=timedelta(minutes=90),
        created_at=NOW,
        capacity=2,
        venue=Venue("telegram", "-100", None, VenueKind.GROUP),
    )
    return await store.create_circle(replace(draft, **changes))  # type: ignore[arg-type]


class CircleContract:
    async def test_circle_round_trip_and_lookups(self, store: Storage) -> None:
        robin = await make_person(store, "1")
        sky = await make_person(store, "2")
        circle = await _circle(store, robin, weekdays=(3, 1), description="hi")
        assert circle.id > 0 and circle.weekdays == (1, 3) and circle.active
        assert await store.get_circle(circle.id) == circle
        moved = replace(circle, co_facilitator_id=sky, capacity=None, venue=None, title="New")
        await store.update_circle(moved)
        assert await store.get_circle(circle.id) == moved
        assert [c.id for c in await store.circles_led_by(sky)] == [circle.id]
        assert await store.circles_at_venue("telegram", "-100") == []
        await store.update_circle(circle)
        assert [c.id for c in await store.circles_at_venue("telegram", "-100")] == [circle.id]
        assert [c.id for c in await store.active_circles()] == [circle.id]

    async def test_occurrences_and_cancelling(self, store: Storage) -> None:
        circle = await _circle(store, await make_person(store))
        first = await store.save_occurrence(circle.id, date(2026, 12, 1), FIRST)
        again = await store.save_occurrence(
            circle.id, date(2026, 12, 1), FIRST + timedelta(hours=1)
        )
        assert again.id == first.id and again.starts_at == FIRST + timedelta(hours=1)
        second = await store.save_occurrence(
            circle.id, date(2026, 12, 8), FIRST + timedelta(days=7)
        )
        assert await store.cancel_occurrence(first.id, NOW)
        assert not await store.cancel_occurrence(first.id, NOW)
        kept = await store.save_occurrence(circle.id, date(2026, 12, 1), FIRST)
        assert kept.cancelled and kept.starts_at == FIRST + timedelta(hours=1)  # stays as it was
        assert [o.id for o in await store.upcoming_occurrences(NOW, 10)] == [second.id]
        assert [o.id for o in await store.occurrences_of(circle.id, after=NOW)] == [
            first.id,
            second.id,
        ]
        assert (await store.occurrence_on(circle.id, date(2026, 12, 8))) == second
        cancelled = await store.cancel_circle(circle.id, NOW)
        assert [o.id for o in cancelled] == [second.id]
        assert await store.upcoming_occurrences(NOW, 10) == []
        assert await store.circles_at_venue("telegram", "-100") == []

    async def test_rsvps_waitlist_and_promotion(self, store: Storage) -> None:
        people = [await make_person(store, str(n)) for n in range(5)]
        circle = await _circle(store, people[0])
        occurrence = await store.save_occurrence(circle.id, date(2026, 12, 1), FIRST)

        async def rsvp(person: int, status: RsvpStatus, capacity: int | None = 2) -> RsvpStatus:
            change = await store.set_rsvp(occurrence.id, person, status, capacity=capacity, now=NOW)
            return change.status

        assert await rsvp(people[1], RsvpStatus.GOING) is RsvpStatus.GOING
        assert await rsvp(people[2], RsvpStatus.GOING) is RsvpStatus.GOING
        assert await rsvp(people[3], RsvpStatus.GOING) is RsvpStatus.WAITLIST
        assert await rsvp(people[4], RsvpStatus.GOING) is RsvpStatus.WAITLIST
        assert await rsvp(people[3], RsvpStatus.GOING) is RsvpStatus.WAITLIST  # keeps its place
        assert await rsvp(people[1], RsvpStatus.GOING) is RsvpStatus.GOING  # a place held
        change = await store.set_rsvp(
            occurrence.id, people[1], RsvpStatus.CANT, capacity=2, now=NOW
        )
        assert change.previous is RsvpStatus.GOING and change.promoted == (people[3],)
        waiting = [r for r in await store.rsvps_of(occurrence.id) if r.position is not None]
        assert [r.person_id for r in waiting] == [people[4]]
        assert await store.fill_places(occurrence.id, capacity=3, now=NOW) == (people[4],)
        assert await store.fill_places(occurrence.id, capacity=3, now=NOW) == ()
        assert await store.set_reminders_off(occurrence.id, people[4], True)
        assert not await store.set_reminders_off(occurrence.id, people[0], True)
        rsvp_row = await store.get_rsvp(occurrence.id, people[4])
        assert rsvp_row is not None and rsvp_row.reminders_off
        assert rsvp_row.status is RsvpStatus.GOING

    async def test_sessions_attendance_and_pulses(self, store: Storage) -> None:
        robin, alex, blair = [await make_person(store, str(n)) for n in range(3)]
        circle = await _circle(store, robin)
        occurrence = await store.save_occurrence(circle.id, date(2026, 12, 1), FIRST)
        await store.set_rsvp(occurrence.id, alex, RsvpStatus.GOING, capacity=None, now=NOW)
        session = await store.start_session(
            circle.id,
            occurrence.id,
            runner_id=robin,
            mode=SpeakingOrder.JOIN_ORDER,
            share_seconds=180,
            now=FIRST,
        )
        assert session is not None and session.open and session.turn_no == 0
        twice = await store.start_session(
            circle.id,
            occurrence.id,
            runner_id=robin,
            mode=SpeakingOrder.JOIN_ORDER,
            share_seconds=180,
            now=FIRST,
        )
        assert twice is None
        assert await store.open_session(circle.id) == session
        expected = await store.attendance_of(session.id)
        assert [(a.person_id, a.attended) for a in expected] == [(alex, False)]
        assert await store.mark_here(session.id, blair, FIRST)
        assert await store.mark_here(session.id, alex, FIRST + timedelta(seconds=1))
        assert not await store.mark_here(session.id, alex, FIRST + timedelta(seconds=2))
        assert [a.person_id for a in await store.attendance_of(session.id)] == [blair, alex]
        speaking = await store.set_speaker(session.id, blair, FIRST)
        assert speaking.current_speaker_id == blair and speaking.turn_no == 1
        await store.record_share(session.id, blair, FIRST + timedelta(minutes=3))
        assert await store.record_pass(session.id, alex)
        assert not await store.record_pass(session.id, blair)  # she shared
        assert await store.set_hand(session.id, alex, FIRST)
        assert not await store.set_hand(session.id, alex, FIRST)
        assert await store.set_hand(session.id, alex, None)
        await store.set_runner(session.id, blair)
        await store.set_speaking_order(session.id, SpeakingOrder.QUIET_FIRST)
        assert await store.end_session(session.id, FIRST + timedelta(minutes=30))
        assert not await store.end_session(session.id, FIRST + timedelta(minutes=31))
        ended = await store.get_session(session.id)
        assert ended is not None and not ended.open and ended.runner_id == blair
        assert ended.mode is SpeakingOrder.QUIET_FIRST and ended.current_speaker_id is None
        assert await store.record_pulse(session.id, alex, 4, FIRST)
        assert not await store.record_pulse(session.id, alex, 4, FIRST)
        assert await store.record_pulse(session.id, alex, 2, FIRST)
        assert await store.pulses_of(session.id) == [2]
        later = await store.start_session(
            circle.id,
            occurrence.id,
            runner_id=robin,
            mode=SpeakingOrder.QUIET_FIRST,
            share_seconds=180,
            now=FIRST + timedelta(days=7),
        )
        assert later is not None
        assert await store.last_spoke(circle.id, later.id) == {blair: FIRST + timedelta(minutes=3)}
        assert await store.attendance_by_person(circle.id) == {alex: 1, blair: 1}
        assert [s.id for s in await store.sessions_of_occurrence(occurrence.id)] == [
            session.id,
            later.id,
        ]
        assert len(await store.sessions_of_circle(circle.id)) == 2

    async def test_mirrored_events_are_remembered_per_calendar_and_occurrence(
        self, store: Storage
    ) -> None:
        circle = await _circle(store, await make_person(store))
        first = await store.save_occurrence(circle.id, date(2026, 12, 1), FIRST)
        second = await store.save_occurrence(
            circle.id, date(2026, 12, 8), FIRST + timedelta(days=7)
        )
        assert await store.mirrored_event("discord", first.id) is None
        copy = MirroredEvent("discord", first.id, "111", "222")
        await store.save_mirrored_event(copy)
        await store.save_mirrored_event(MirroredEvent("discord", second.id, "111", "333"))
        assert await store.mirrored_event("discord", first.id) == copy
        assert await store.mirrored_event("elsewhere", first.id) is None
        moved = MirroredEvent("discord", first.id, "444", "555")  # made again in another server
        await store.save_mirrored_event(moved)
        assert await store.mirrored_event("discord", first.id) == moved
        await store.forget_mirrored_event("discord", first.id)
        await store.forget_mirrored_event("discord", first.id)  # twice is harmless
        assert await store.mirrored_event("discord", first.id) is None
        kept = await store.mirrored_event("discord", second.id)
        assert kept is not None and kept.event_id == "333"
