"""A person with data in every table that can hold it, and a scan of a database file for them.

``build_world`` makes the subject (Quillonette, a mentee on two platforms) do everything the
product lets a person do, and has staff look at them, so an export or an erasure has every
kind of row to cover. ``traces`` scans every table and column of the file, and the raw bytes
of the file and its WAL, for anything that points back to the subject.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path

from handlers.app import REGISTRY, assemble, build_dispatcher
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.messaging import Messengers
from handlers.program import DashboardSettings, ProgramSettings
from scheduling.due import DueWorker
from storage.base import Storage
from storage.circles import Circle, Recurrence, RsvpStatus, SpeakingOrder
from storage.goals import GoalTerm
from storage.mentoring import AuditEntry, Sharing
from storage.people import Role
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.mentoring import ACK_PREFIX, mentee_of, pings, staff
from tests.support.messenger import RecordingMessenger

NAME = "Quillonette"
USER = "880077123"
DISCORD_USER = "990066321"
NOTE = "NOTE-zebra-lantern-4417 I slipped after the party"
PLAN = (
    "PLAN-warning-ochre-1183",
    "PLAN-helps-cobalt-2294",
    "PLAN-people-saffron-3305",
    "PLAN-pros-magenta-4416",
)
GOAL = "GOAL-violet-harbor-2291"
STEP = "STEP-amber-kite-5530"
COMMENT = "COMMENT-teal-meadow-6641"
CRISIS = "I want to kill myself tonight, QX-crisis-7752"
COURSE = "COURSE-indigo-gatekeeper-7731"
PROVIDER = "PROVIDER-russet-academy-8842"
SUPERVISOR = "SUPERVISOR-jade-9953"
FREE_TEXT = (NOTE, *PLAN, GOAL, STEP, COMMENT, COURSE, PROVIDER, SUPERVISOR)
"""What is encrypted at rest when a key is set."""


@dataclass
class World:
    ctx: Context
    dispatcher: Dispatcher
    messenger: RecordingMessenger
    discord: RecordingMessenger
    subject: Chat
    subject_id: int
    on_discord: Chat
    mentor: Chat
    mentor_id: int
    coordinator_id: int
    facilitator_id: int
    said: list[str] = field(default_factory=list)

    @property
    def secrets(self) -> list[str]:
        """Every string that points back to the subject: names, platform ids, their words."""
        return [NAME, USER, DISCORD_USER, *FREE_TEXT, CRISIS, *self.said]


def make_ctx(storage: Storage, clock: FakeClock) -> tuple[Context, Messengers]:
    messengers = Messengers(
        {"test": RecordingMessenger("test"), "discord": RecordingMessenger("discord")}
    )
    # With the dashboard on, so the subject's /dashboard leaves a login link row to erase.
    program = ProgramSettings(dashboard=DashboardSettings(public_url="http://dash.test"))
    return assemble(Context(storage, program, messengers, clock)), messengers


async def build_world(storage: Storage, clock: FakeClock) -> World:
    ctx, messengers = make_ctx(storage, clock)
    messenger, discord = messengers.get("test"), messengers.get("discord")
    assert isinstance(messenger, RecordingMessenger) and isinstance(discord, RecordingMessenger)
    dispatcher = build_dispatcher(ctx)
    mentor, mentor_id = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    _, coordinator_id = await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
    await storage.set_on_duty(coordinator_id, clock())
    _, facilitator_id = await staff(ctx, dispatcher, Role.FACILITATOR, "f1", "Fay")
    subject, sid = await mentee_of(ctx, dispatcher, mentor, USER, NAME)
    worker = DueWorker(ctx)
    await worker.tick()  # the pairing notices
    await storage.set_sharing(sid, Sharing(numbers=True, streak=True, notes=True), clock())

    # A check-in with a relapse and a note (alerts for the craving and the use).
    await subject.command("checkin")
    for answer in ("2", "9", "yes", NOTE):
        await subject.say(answer)
    await subject.command("safetyplan")
    for part in PLAN:
        await subject.say(part)
    goal = await storage.create_goal(
        sid, title=GOAL, term=GoalTerm.SHORT, target_date=None, steps=[STEP], now=clock()
    )
    await storage.add_goal_comment(goal.id, mentor_id, COMMENT, clock())
    await subject.command("goal", "review", "monday")
    await subject.say(CRISIS)  # an urgent alert; the text itself is never stored
    # The screen was unsure about a message once (only the time is kept; the model stage
    # that gives this verdict is not on main yet, so it is noted directly).
    await storage.record_possible(sid, clock(), clock() - timedelta(days=7))

    # Staff look: every view writes the audit log.
    await mentor.command("mentees")
    await mentor.command("alerts")
    ping = pings(messenger, "m1")[0]
    await mentor.press(next(b.payload for b in ping.buttons if b.payload.startswith(ACK_PREFIX)))
    await storage.write_audit([AuditEntry(clock(), None, "command line", sid, "roster")])

    await subject.command("newmentor")  # the coordinator hears: a ledger row about the subject
    on_discord = Chat(dispatcher, user_id=DISCORD_USER, platform="discord")
    code = (await subject.command("link"))[0].text.split("/link ")[1].split()[0]
    await on_discord.command("link", code)
    question = messenger.last(USER)  # the subject confirms the link on their first account
    await subject.press(next(b.payload for b in question.buttons if "Yes" in b.label))
    pending = (await subject.command("link"))[0].text.split("/link ")[1].split()[0]
    asking = Chat(dispatcher, user_id="990066322", platform="discord")
    await asking.command("link", pending)  # a link request left unanswered
    await subject.command("link")  # a code left outstanding
    await subject.command("join", "NOTACODE")  # a failed attempt: the throttle and its record

    await storage.grant_role(sid, Role.MENTOR, clock())  # a mentee who also mentors
    await subject.command("invite")
    await storage.grant_role(sid, Role.COORDINATOR, clock())
    await subject.command("dashboard")  # a one-time login link (its hash) for the subject
    await _matching_and_training(subject)
    await storage.grant_role(sid, Role.FACILITATOR, clock())
    await _circles(storage, clock, sid, facilitator_id)

    due = await storage.get_due("checkin", str(sid))
    assert due is not None
    clock.set(due.due_at)
    await worker.tick()  # the daily prompt: a ledger row keyed by the subject's id
    await storage.set_mentor_capacity(sid, 3)
    await on_discord.command("goal", "add")  # a conversation left half-way, on Discord
    return World(
        ctx,
        dispatcher,
        messenger,
        discord,
        subject,
        sid,
        on_discord,
        mentor,
        mentor_id,
        coordinator_id,
        facilitator_id,
    )


async def _matching_and_training(subject: Chat) -> None:
    """A matching profile, a training with an expiry (its reminder waits in the due queue)
    and a supervision session, each made in the chat."""
    await subject.command("profile")
    await subject.press_label("Yes")
    await subject.press_label("Languages")
    await subject.press_label("Spanish")
    await subject.command("training")
    await subject.press_label("Log a training")
    for answer in (COURSE, PROVIDER, "today", "6", "2027-06-01"):
        await subject.say(answer)
    await subject.command("supervision")
    await subject.press_label("Today")
    await subject.say(SUPERVISOR)
    await subject.say("60")


async def _circles(storage: Storage, clock: FakeClock, sid: int, fac_id: int) -> None:
    """A circle the subject goes to (and runs a session of), and one they facilitate."""

    def circle(facilitator: int, co: int | None) -> Circle:
        return Circle(
            id=0,
            title="Thursday circle",
            facilitator_id=facilitator,
            co_facilitator_id=co,
            zone="America/New_York",
            local_time=time(19, 0),
            weekdays=(3,),
            recurrence=Recurrence.WEEKLY,
            start_date=date(2026, 12, 3),
            duration=timedelta(minutes=90),
            created_at=clock(),
        )

    joined = await storage.create_circle(circle(fac_id, None))
    occurrence = await storage.save_occurrence(
        joined.id, date(2026, 12, 3), clock() + timedelta(days=6)
    )
    await storage.set_rsvp(occurrence.id, sid, RsvpStatus.GOING, capacity=None, now=clock())
    session = await storage.start_session(
        joined.id,
        occurrence.id,
        runner_id=sid,
        mode=SpeakingOrder.JOIN_ORDER,
        share_seconds=180,
        now=clock(),
    )
    assert session is not None
    await storage.mark_here(session.id, sid, clock())
    await storage.set_speaker(session.id, sid, clock())
    await storage.record_pulse(session.id, sid, 4, clock())
    await storage.create_circle(circle(sid, fac_id))


# The scan -----------------------------------------------------------------------------------


def person_columns(db: sqlite3.Connection, table: str) -> set[str]:
    """Columns holding a person id: foreign keys to people(id), and people.id itself."""
    found = {
        row[3] for row in db.execute(f"PRAGMA foreign_key_list({table})") if row[2] == "people"
    }
    return found | ({"id"} if table == "people" else set())


def tables(db: sqlite3.Connection) -> list[str]:
    return [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]


def raw_bytes(path: Path) -> bytes:
    """The database file and its WAL, as bytes on disk."""
    files = (Path(f"{path}{suffix}") for suffix in ("", "-wal"))
    return b"".join(f.read_bytes() for f in files if f.exists())


def traces(path: Path, person_id: int, strings: list[str]) -> list[str]:
    """Everything in the database file that points back to the person, as readable lines."""
    found = []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for table in tables(db):
            ids = person_columns(db, table)
            cursor = db.execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in cursor.description]
            for row in cursor:
                values = dict(zip(columns, row, strict=True))
                for column, value in values.items():
                    if column in ids and value == person_id:
                        found.append(f"{table}.{column} = {person_id}")
                    if isinstance(value, str | bytes):
                        text = value if isinstance(value, str) else value.decode(errors="replace")
                        found += [f"{table}.{column} has {s!r}" for s in strings if s in text]
                if table in ("due_work", "deliveries"):
                    subject = str(values["subject"])
                    person_kind = values["kind"] in REGISTRY.ledger_kinds.person
                    if (person_kind and subject == str(person_id)) or subject.endswith(
                        f":{person_id}"
                    ):
                        found.append(f"{table} {values['kind']} subject {subject}")
    finally:
        db.close()
    raw = raw_bytes(path)
    found += [f"bytes of {path.name} (and WAL) have {s!r}" for s in strings if s.encode() in raw]
    return found
