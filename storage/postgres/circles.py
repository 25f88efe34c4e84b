"""Peer circles on PostgreSQL: series, occurrences, RSVPs with a waitlist, sessions, attendance."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from storage.circles import (
    Circle,
    MirroredEvent,
    Occurrence,
    Recurrence,
    Rsvp,
    RsvpChange,
    RsvpStatus,
    Venue,
    VenueKind,
)
from storage.postgres.circle_sessions import PostgresCircleSessions
from storage.postgres.connection import Row, Transaction
from storage.timestamps import from_db, from_db_date, maybe_from_db, to_db, to_db_date

_GOING = RsvpStatus.GOING.value
_WAITLIST = RsvpStatus.WAITLIST.value


class PostgresCircles(PostgresCircleSessions):
    """Circles, occurrences and RSVPs; sessions, attendance and pulses in the base class."""

    # Circles ---------------------------------------------------------------------------------

    async def create_circle(self, circle: Circle) -> Circle:
        async with self._db.write() as db:
            inserted = await db.execute_fetchall(
                "INSERT INTO circles (title, description, guidelines, facilitator_id,"
                " co_facilitator_id, zone, local_time, weekdays, recurrence, start_date,"
                " duration_minutes, capacity, venue_platform, venue_chat_id, venue_thread_id,"
                " venue_kind, created_at)"
                f" VALUES ({', '.join('?' * 17)}) RETURNING id",
                (*_circle_fields(circle), to_db(circle.created_at)),
            )
            circle_id: int = inserted[0]["id"]
        stored = await self.get_circle(circle_id)
        assert stored is not None
        return stored

    async def get_circle(self, circle_id: int) -> Circle | None:
        row = await self._db.fetchone("SELECT * FROM circles WHERE id = ?", (circle_id,))
        return _circle(row) if row is not None else None

    async def update_circle(self, circle: Circle) -> None:
        await self._db.write_one(
            "UPDATE circles SET title = ?, description = ?, guidelines = ?,"
            " facilitator_id = ?, co_facilitator_id = ?, zone = ?, local_time = ?,"
            " weekdays = ?, recurrence = ?, start_date = ?, duration_minutes = ?,"
            " capacity = ?, venue_platform = ?, venue_chat_id = ?, venue_thread_id = ?,"
            " venue_kind = ? WHERE id = ?",
            (*_circle_fields(circle), circle.id),
        )

    async def cancel_circle(self, circle_id: int, now: datetime) -> list[Occurrence]:
        stamp = to_db(now)
        async with self._db.write() as db:
            await db.execute(
                "UPDATE circles SET cancelled_at = COALESCE(cancelled_at, ?) WHERE id = ?",
                (stamp, circle_id),
            )
            rows = await db.execute_fetchall(
                "UPDATE circle_occurrences SET cancelled_at = ? WHERE circle_id = ?"
                " AND cancelled_at IS NULL AND starts_at > ? RETURNING *",
                (stamp, circle_id, stamp),
            )
        return sorted((_occurrence(row) for row in rows), key=lambda o: o.starts_at)

    async def circles_at_venue(self, platform: str, chat_id: str) -> list[Circle]:
        rows = await self._db.fetchall(
            "SELECT * FROM circles WHERE venue_platform = ? AND venue_chat_id = ?"
            " AND cancelled_at IS NULL ORDER BY id",
            (platform, chat_id),
        )
        return [_circle(row) for row in rows]

    async def circles_led_by(self, person_id: int) -> list[Circle]:
        rows = await self._db.fetchall(
            "SELECT * FROM circles WHERE (facilitator_id = ? OR co_facilitator_id = ?)"
            " AND cancelled_at IS NULL ORDER BY id",
            (person_id, person_id),
        )
        return [_circle(row) for row in rows]

    async def active_circles(self) -> list[Circle]:
        rows = await self._db.fetchall(
            "SELECT * FROM circles WHERE cancelled_at IS NULL ORDER BY id"
        )
        return [_circle(row) for row in rows]

    # Occurrences -----------------------------------------------------------------------------

    async def save_occurrence(
        self, circle_id: int, local_date: date, starts_at: datetime
    ) -> Occurrence:
        async with self._db.write() as db:
            rows = await db.execute_fetchall(
                "INSERT INTO circle_occurrences (circle_id, local_date, starts_at)"
                " VALUES (?, ?, ?) ON CONFLICT (circle_id, local_date) DO UPDATE SET"
                " starts_at = CASE WHEN circle_occurrences.cancelled_at IS NULL"
                " THEN excluded.starts_at ELSE circle_occurrences.starts_at END RETURNING *",
                (circle_id, to_db_date(local_date), to_db(starts_at)),
            )
        return _occurrence(next(iter(rows)))

    async def get_occurrence(self, occurrence_id: int) -> Occurrence | None:
        row = await self._db.fetchone(
            "SELECT * FROM circle_occurrences WHERE id = ?", (occurrence_id,)
        )
        return _occurrence(row) if row is not None else None

    async def occurrence_on(self, circle_id: int, local_date: date) -> Occurrence | None:
        row = await self._db.fetchone(
            "SELECT * FROM circle_occurrences WHERE circle_id = ? AND local_date = ?",
            (circle_id, to_db_date(local_date)),
        )
        return _occurrence(row) if row is not None else None

    async def occurrences_of(self, circle_id: int, *, after: datetime) -> list[Occurrence]:
        rows = await self._db.fetchall(
            "SELECT * FROM circle_occurrences WHERE circle_id = ? AND starts_at >= ?"
            " ORDER BY starts_at",
            (circle_id, to_db(after)),
        )
        return [_occurrence(row) for row in rows]

    async def upcoming_occurrences(self, after: datetime, limit: int) -> list[Occurrence]:
        rows = await self._db.fetchall(
            "SELECT o.* FROM circle_occurrences o JOIN circles c ON c.id = o.circle_id"
            " WHERE o.starts_at >= ? AND o.cancelled_at IS NULL AND c.cancelled_at IS NULL"
            " ORDER BY o.starts_at, o.id LIMIT ?",
            (to_db(after), limit),
        )
        return [_occurrence(row) for row in rows]

    async def cancel_occurrence(self, occurrence_id: int, now: datetime) -> bool:
        async with self._db.write() as db:
            changed = await db.execute(
                "UPDATE circle_occurrences SET cancelled_at = ? WHERE id = ?"
                " AND cancelled_at IS NULL",
                (to_db(now), occurrence_id),
            )
            return changed == 1

    # RSVPs -----------------------------------------------------------------------------------

    async def set_rsvp(
        self,
        occurrence_id: int,
        person_id: int,
        wanted: RsvpStatus,
        *,
        capacity: int | None,
        now: datetime,
    ) -> RsvpChange:
        async with self._db.write() as db:
            # Another process answering for this date waits: the count of places taken stays
            # true until this commits, so a circle is never filled past its capacity.
            await db.serialise("occurrence", occurrence_id)
            rows = list(
                await db.execute_fetchall(
                    "SELECT status, position FROM circle_rsvps"
                    " WHERE occurrence_id = ? AND person_id = ?",
                    (occurrence_id, person_id),
                )
            )
            previous = RsvpStatus(rows[0]["status"]) if rows else None
            status, position = wanted, None
            if wanted is RsvpStatus.GOING and previous is RsvpStatus.WAITLIST:
                status, position = RsvpStatus.WAITLIST, rows[0]["position"]
            elif wanted is RsvpStatus.GOING and previous is not RsvpStatus.GOING:
                going = await _count(db, occurrence_id, _GOING)
                if capacity is not None and going >= capacity:
                    status = RsvpStatus.WAITLIST
                    position = await _next_position(db, occurrence_id)
            await db.execute(
                "INSERT INTO circle_rsvps (occurrence_id, person_id, status, position,"
                " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (occurrence_id, person_id)"
                " DO UPDATE SET status = excluded.status, position = excluded.position,"
                " updated_at = CASE WHEN circle_rsvps.status = excluded.status"
                " THEN circle_rsvps.updated_at ELSE excluded.updated_at END",
                (occurrence_id, person_id, status.value, position, to_db(now)),
            )
            promoted: tuple[int, ...] = ()
            if previous is RsvpStatus.GOING and status is not RsvpStatus.GOING:
                promoted = await _promote(db, occurrence_id, capacity, now)
        return RsvpChange(status, previous, promoted)

    async def fill_places(
        self, occurrence_id: int, *, capacity: int | None, now: datetime
    ) -> tuple[int, ...]:
        async with self._db.write() as db:
            await db.serialise("occurrence", occurrence_id)
            return await _promote(db, occurrence_id, capacity, now)

    async def rsvps_of(self, occurrence_id: int) -> list[Rsvp]:
        rows = await self._db.fetchall(
            "SELECT * FROM circle_rsvps WHERE occurrence_id = ?"
            " ORDER BY status = 'waitlist', position, updated_at, person_id",
            (occurrence_id,),
        )
        return [_rsvp(row) for row in rows]

    async def get_rsvp(self, occurrence_id: int, person_id: int) -> Rsvp | None:
        row = await self._db.fetchone(
            "SELECT * FROM circle_rsvps WHERE occurrence_id = ? AND person_id = ?",
            (occurrence_id, person_id),
        )
        return _rsvp(row) if row is not None else None

    async def set_reminders_off(self, occurrence_id: int, person_id: int, off: bool) -> bool:
        async with self._db.write() as db:
            changed = await db.execute(
                "UPDATE circle_rsvps SET reminders_off = ? WHERE occurrence_id = ?"
                " AND person_id = ?",
                (int(off), occurrence_id, person_id),
            )
            return changed == 1

    # Copies in outside calendars -------------------------------------------------------------

    async def save_mirrored_event(self, event: MirroredEvent) -> None:
        await self._db.write_one(
            "INSERT INTO occurrence_mirrors (mirror, occurrence_id, place, event_id)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (mirror, occurrence_id) DO UPDATE SET"
            " place = excluded.place, event_id = excluded.event_id",
            (event.mirror, event.occurrence_id, event.place, event.event_id),
        )

    async def mirrored_event(self, mirror: str, occurrence_id: int) -> MirroredEvent | None:
        row = await self._db.fetchone(
            "SELECT * FROM occurrence_mirrors WHERE mirror = ? AND occurrence_id = ?",
            (mirror, occurrence_id),
        )
        if row is None:
            return None
        return MirroredEvent(row["mirror"], row["occurrence_id"], row["place"], row["event_id"])

    async def forget_mirrored_event(self, mirror: str, occurrence_id: int) -> None:
        await self._db.write_one(
            "DELETE FROM occurrence_mirrors WHERE mirror = ? AND occurrence_id = ?",
            (mirror, occurrence_id),
        )


async def _count(db: Transaction, occurrence_id: int, status: str) -> int:
    rows = await db.execute_fetchall(
        "SELECT COUNT(*) FROM circle_rsvps WHERE occurrence_id = ? AND status = ?",
        (occurrence_id, status),
    )
    return int(next(iter(rows))[0])


async def _next_position(db: Transaction, occurrence_id: int) -> int:
    rows = await db.execute_fetchall(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM circle_rsvps WHERE occurrence_id = ?",
        (occurrence_id,),
    )
    return int(next(iter(rows))[0])


async def _promote(
    db: Transaction, occurrence_id: int, capacity: int | None, now: datetime
) -> tuple[int, ...]:
    """Inside a write: move the waitlist up, first come first served, into free places."""
    going = await _count(db, occurrence_id, _GOING)
    free = (capacity - going) if capacity is not None else None
    if free is not None and free <= 0:
        return ()
    waiting = await db.execute_fetchall(
        "SELECT person_id FROM circle_rsvps WHERE occurrence_id = ? AND status = ?"
        " ORDER BY position LIMIT ?",
        (occurrence_id, _WAITLIST, free if free is not None else -1),
    )
    promoted = tuple(int(row[0]) for row in waiting)
    for person_id in promoted:
        await db.execute(
            "UPDATE circle_rsvps SET status = ?, position = NULL, updated_at = ?"
            " WHERE occurrence_id = ? AND person_id = ?",
            (_GOING, to_db(now), occurrence_id, person_id),
        )
    return promoted


def _circle_fields(circle: Circle) -> tuple[Any, ...]:
    venue = circle.venue
    return (
        circle.title,
        circle.description,
        circle.guidelines,
        circle.facilitator_id,
        circle.co_facilitator_id,
        circle.zone,
        circle.local_time.strftime("%H:%M"),
        ",".join(str(day) for day in sorted(circle.weekdays)),
        circle.recurrence.value,
        to_db_date(circle.start_date),
        int(circle.duration.total_seconds() // 60),
        circle.capacity,
        venue.platform if venue else None,
        venue.chat_id if venue else None,
        venue.thread_id if venue else None,
        venue.kind.value if venue else None,
    )


def _circle(row: Row) -> Circle:
    venue = (
        Venue(
            row["venue_platform"],
            row["venue_chat_id"],
            row["venue_thread_id"],
            VenueKind(row["venue_kind"] or VenueKind.TEXT.value),
        )
        if row["venue_platform"] is not None
        else None
    )
    return Circle(
        id=row["id"],
        title=row["title"],
        description=row["description"],
        guidelines=row["guidelines"],
        facilitator_id=row["facilitator_id"],
        co_facilitator_id=row["co_facilitator_id"],
        zone=row["zone"],
        local_time=time.fromisoformat(row["local_time"]),
        weekdays=tuple(int(day) for day in row["weekdays"].split(",") if day),
        recurrence=Recurrence(row["recurrence"]),
        start_date=from_db_date(row["start_date"]),
        duration=timedelta(minutes=row["duration_minutes"]),
        capacity=row["capacity"],
        venue=venue,
        created_at=from_db(row["created_at"]),
        cancelled_at=maybe_from_db(row["cancelled_at"]),
    )


def _occurrence(row: Row) -> Occurrence:
    return Occurrence(
        id=row["id"],
        circle_id=row["circle_id"],
        local_date=from_db_date(row["local_date"]),
        starts_at=from_db(row["starts_at"]),
        cancelled_at=maybe_from_db(row["cancelled_at"]),
    )


def _rsvp(row: Row) -> Rsvp:
    return Rsvp(
        occurrence_id=row["occurrence_id"],
        person_id=row["person_id"],
        status=RsvpStatus(row["status"]),
        updated_at=from_db(row["updated_at"]),
        position=row["position"],
        reminders_off=bool(row["reminders_off"]),
    )
