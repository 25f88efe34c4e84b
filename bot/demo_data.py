"""``peerbot demo-data``: a small, realistic program in a separate database, through the storage
API, so the report and the charts can be seen on a fresh machine.

A few mentors, two facilitators and a coordinator; a few dozen mentees joining over about three
months, each with their own rhythm: most check in on most days, some drift away, a few slip
and start a new streak; moods lift and cravings ease slowly, unevenly. Goals with steps, some
reached; alerts acknowledged after a while; a weekly peer circle. Matching profiles for the
mentors and most mentees, a few new mentees waiting for a mentor (and one who asked for a
different one), and the mentors' trainings and supervision, one course about to expire and one
expired, so ``peerbot match --suggest`` and ``peerbot training`` have something to show.
Seeded, so every run with the same ``now`` gives the same program. Nobody in it is real.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.training.reminders import reminder_work
from storage.base import Storage
from storage.checkins import Answer
from storage.deliveries import DeliveryStatus
from storage.goals import GoalTerm
from storage.matching import Gender, MatchProfile, Pathway
from storage.mentoring import Trigger
from storage.people import Account, AccountAddress, Role

log = logging.getLogger(__name__)

PLATFORM = "demo"
PROGRAM_DAYS = 95
MENTEES = 36
FIRST_COHORT = 8
ZONES = ("America/Denver", "America/Chicago", "America/New_York", "America/Los_Angeles")
CHECKIN_TIME = time(20, 0)
FIRST_NAMES = (
    "Alex Ana Ben Bo Cam Dani Eli Emre Finn Gia Hana Ira Jo Kai Lee Lina Max Mia Noor Omar "
    "Pat Quinn Ravi Rosa Sam Sky Tam Uma Val Wen Xan Yara Zed Ash Bea Cruz Dev Eve Fox Gus"
).split()
GOALS = (
    ("Go to two meetings a week", GoalTerm.SHORT, ("Find a meeting nearby", "Go once", "Go twice")),
    ("Find stable housing", GoalTerm.LONG, ("List options", "Call two places", "Visit", "Apply")),
    ("Walk 20 minutes a day", GoalTerm.SHORT, ("Buy shoes", "Walk Mon", "Walk Wed", "Walk Fri")),
    ("Get my driving licence back", GoalTerm.LONG, ("Call the DMV", "Pay the fee", "Pass test")),
    ("Reconnect with my sister", GoalTerm.SHORT, ("Write a message", "Send it", "Meet for coffee")),
    ("Update my CV", GoalTerm.SHORT, ("Draft it", "Ask my mentor to read it", "Send 3")),
    ("Cook at home more", GoalTerm.SHORT, ()),
    ("Finish my GED", GoalTerm.LONG, ("Enrol", "Maths module", "English module", "Sit exams")),
)


WAITING = 4
"""New mentees at the end of the demo who have no mentor yet."""
NEWCOMERS = ("Rae", "Jun", "Ola", "Tess")
MENTOR_LIMITS = (12, 10, 14, 9)
"""Each demo mentor's own limit (``peerbot capacity``): the last is full."""


@dataclass(frozen=True, slots=True)
class DemoSummary:
    mentees: int
    staff: int
    checkins: int
    prompts: int
    goals: int
    alerts: int
    circles: int | None
    sample_person_id: int
    waiting: int = 0
    trainings: int = 0


Tick = Callable[[str], None]


def _at(day: date, local: time, zone: str, minutes: float = 0) -> datetime:
    moment = datetime.combine(day, local, tzinfo=ZoneInfo(zone)) + timedelta(minutes=minutes)
    return moment.astimezone(UTC)


async def _person(
    storage: Storage, key: str, name: str, role: Role, zone: str, joined: datetime
) -> int:
    account = Account(AccountAddress(PLATFORM, key), person_id=0, chat_id=key)
    person = await storage.create_person(account, role=role, consented_at=joined, display_name=name)
    await storage.update_settings(person.id, timezone=zone, checkin_time="20:00")
    await storage.mark_onboarded(person.id, joined + timedelta(minutes=3))
    return person.id


async def seed(storage: Storage, now: datetime, tick: Tick | None = None) -> DemoSummary:
    """Fill an empty, opened storage with the demo program ending at ``now``."""
    rng = random.Random(20261127)
    start = (now - timedelta(days=PROGRAM_DAYS)).replace(hour=16, minute=0, second=0, microsecond=0)
    names = iter(rng.sample(FIRST_NAMES, len(FIRST_NAMES)))
    staff = []
    for n, role in enumerate([Role.MENTOR] * 4 + [Role.FACILITATOR] * 2 + [Role.COORDINATOR]):
        joined = start - timedelta(days=14 - n)
        staff.append(
            (await _person(storage, f"staff{n}", next(names), role, ZONES[0], joined), role)
        )
    mentors = [pid for pid, role in staff if role is Role.MENTOR]
    counts = {"checkins": 0, "prompts": 0, "goals": 0, "alerts": 0}
    sample, most = 0, -1
    mentee_ids = []
    for n in range(MENTEES):
        offset = rng.uniform(0, 2) if n < FIRST_COHORT else rng.uniform(3, PROGRAM_DAYS - 12)
        zone = rng.choice(ZONES)
        joined = start + timedelta(days=offset)
        name = next(names, f"Friend {n}")
        pid = await _person(storage, f"mentee{n}", name, Role.MENTEE, zone, joined)
        mentee_ids.append(pid)
        await storage.pair(pid, mentors[n % len(mentors)], joined, default_capacity=20)
        before = counts["checkins"]
        await _mentee_history(storage, rng, pid, zone, joined, now, counts)
        if counts["checkins"] - before > most:  # the chart sample: the steadiest mentee
            sample, most = pid, counts["checkins"] - before
        await _goals(storage, rng, pid, joined, now, counts)
        if tick is not None:
            tick(name)
    circles = await _circles(storage, rng, staff, start, now)
    # Matching and training draw from a generator of their own, so the history above stays
    # exactly what it was before they existed.
    matching = random.Random(20261207)
    waiting = await _matching(storage, matching, mentors, mentee_ids, now)
    trainings = await _training(storage, matching, mentors, now)
    return DemoSummary(
        mentees=MENTEES + waiting,
        staff=len(staff),
        checkins=counts["checkins"],
        prompts=counts["prompts"],
        goals=counts["goals"],
        alerts=counts["alerts"],
        circles=circles,
        sample_person_id=sample,
        waiting=waiting,
        trainings=trainings,
    )


async def _mentee_history(
    storage: Storage,
    rng: random.Random,
    pid: int,
    zone: str,
    joined: datetime,
    now: datetime,
    counts: dict[str, int],
) -> None:
    """Daily prompts and check-ins from the day after joining to yesterday."""
    engagement = rng.uniform(0.55, 0.96)
    drifts_after = rng.uniform(5, 55) if rng.random() < 0.35 else math.inf
    mood0, craving0 = rng.uniform(2.0, 3.2), rng.uniform(5.0, 8.0)
    first = joined.astimezone(ZoneInfo(zone)).date() + timedelta(days=1)
    last = now.astimezone(ZoneInfo(zone)).date() - timedelta(days=1)
    journey: date | None = None
    streak: date | None = None
    missed_run = 0
    day = first
    while day <= last:
        n = (day - first).days
        prompt_at = _at(day, CHECKIN_TIME, zone)
        down = rng.random() < 0.03  # the bot was down: prompt recorded as missed
        status = DeliveryStatus.MISSED if down else DeliveryStatus.SENT
        await storage.finish_delivery(
            "checkin", str(pid), day.isoformat(), status, prompt_at, person_id=pid
        )
        counts["prompts"] += 1
        answers = not down and n < drifts_after and rng.random() < engagement
        if answers:
            missed_run = 0
            used = rng.random() < 0.012
            mood = mood0 + n * 0.015 + rng.gauss(0, 0.7) - (1.2 if used else 0)
            craving = craving0 - n * 0.045 + rng.gauss(0, 1.3) + (2.5 if used else 0)
            mood_v, craving_v = min(5, max(1, round(mood))), min(10, max(0, round(craving)))
            at = prompt_at + timedelta(minutes=rng.uniform(2, 150))
            checkin = await storage.open_checkin(pid, day, "scheduled", at)
            for answer in (
                Answer("mood", number=float(mood_v)),
                Answer("craving", number=float(craving_v)),
                Answer("used", number=float(used), text="yes" if used else "no"),
                Answer("note", skipped=True),
            ):
                await storage.record_answer(checkin.id, answer, at)
            await storage.complete_checkin(checkin.id, at + timedelta(minutes=1))
            counts["checkins"] += 1
            journey = journey or day
            streak = day if used or streak is None else streak
            trigger = None
            if used:
                trigger = Trigger.USE
            elif craving_v >= 9 and rng.random() < 0.4:
                trigger = Trigger.CRAVING
            elif mood_v <= 1 and rng.random() < 0.4:
                trigger = Trigger.LOW_MOOD
            if trigger is not None:
                await _alert(storage, rng, pid, trigger, at, now, counts)
        else:
            missed_run += 1
            if missed_run == 3 and n < drifts_after:
                await _alert(storage, rng, pid, Trigger.MISSED, prompt_at, now, counts)
        day += timedelta(days=1)
    if journey is not None:
        await storage.set_streak(pid, journey_start=journey, streak_start=streak)
    if drifts_after < math.inf and rng.random() < 0.5:
        await storage.set_stopped(
            pid, _at(first + timedelta(days=int(drifts_after) + 5), time(9, 0), zone)
        )


async def _alert(
    storage: Storage,
    rng: random.Random,
    pid: int,
    trigger: Trigger,
    at: datetime,
    now: datetime,
    counts: dict[str, int],
) -> None:
    """Raise an alert and have the mentor acknowledge it a while later (not always)."""
    alert, _ = await storage.create_alert(pid, trigger, at)
    pairing = await storage.pairing_of(pid)
    counts["alerts"] += 1
    median = 12 if trigger.severity.value == "urgent" else 45
    wait = timedelta(minutes=rng.lognormvariate(math.log(median), 0.9))
    if pairing is not None and at + wait < now and rng.random() < 0.93:
        await storage.ack_alert(alert.id, pairing.mentor_id, at + wait)


async def _goals(
    storage: Storage,
    rng: random.Random,
    pid: int,
    joined: datetime,
    now: datetime,
    counts: dict[str, int],
) -> None:
    for title, term, steps in rng.sample(GOALS, rng.choice((0, 1, 1, 2, 2, 3))):
        created = joined + timedelta(days=rng.uniform(1, 20))
        if created >= now:
            continue
        target = created.date() + timedelta(days=30 if term is GoalTerm.SHORT else 120)
        goal = await storage.create_goal(
            pid,
            title=title,
            term=term,
            target_date=target if rng.random() < 0.6 else None,
            steps=steps,
            now=created,
        )
        counts["goals"] += 1
        moment = created
        pace = rng.uniform(2, 12)
        for step in goal.steps:
            moment += timedelta(days=rng.expovariate(1 / pace))
            if moment >= now or rng.random() < 0.2:
                break
            await storage.set_step_done(goal.id, step.id, True, moment)
        if not goal.steps and rng.random() < 0.5 and created + timedelta(days=10) < now:
            await storage.set_goal_done(goal.id, True, created + timedelta(days=10))
    if rng.random() < 0.4:
        await storage.set_goal_review_day(pid, rng.randrange(7), joined)


async def _circles(
    storage: Storage,
    rng: random.Random,
    staff: list[tuple[int, Role]],
    start: datetime,
    now: datetime,
) -> int | None:
    """A weekly circle since the start, with RSVPs and attendance, if storage has circles."""
    try:
        from storage.circles import Circle, Recurrence, RsvpStatus, SpeakingOrder
    except ImportError:
        return None
    store: Any = storage
    if not hasattr(store, "create_circle"):
        return None
    facilitator = next(pid for pid, role in staff if role is Role.FACILITATOR)
    zone = ZONES[0]
    first = start.astimezone(ZoneInfo(zone)).date() + timedelta(days=7)
    first += timedelta(days=(1 - first.weekday()) % 7)  # a Tuesday
    try:
        circle = await store.create_circle(
            Circle(
                id=0,
                title="Tuesday evening circle",
                facilitator_id=facilitator,
                zone=zone,
                local_time=time(18, 30),
                weekdays=(1,),
                recurrence=Recurrence.WEEKLY,
                start_date=first,
                duration=timedelta(minutes=60),
                created_at=start,
            )
        )
        mentees = [p.id for p in await store.people_with_role(Role.MENTEE)]
        held = 0
        day = first
        while _at(day, time(19, 30), zone) < now:
            starts = _at(day, time(18, 30), zone)
            occurrence = await store.save_occurrence(circle.id, day, starts)
            joined = [pid for pid in mentees if await _joined_before(storage, pid, starts)]
            for pid in rng.sample(joined, min(len(joined), rng.randint(6, 11))):
                await store.set_rsvp(
                    occurrence.id,
                    pid,
                    RsvpStatus.GOING,
                    capacity=None,
                    now=starts - timedelta(days=2),
                )
            session = await store.start_session(
                circle.id,
                occurrence.id,
                runner_id=facilitator,
                mode=SpeakingOrder.JOIN_ORDER,
                share_seconds=180,
                now=starts,
            )
            if session is not None:
                for row in await store.attendance_of(session.id):
                    if rng.random() < 0.78:
                        await store.mark_here(session.id, row.person_id, starts)
                await store.end_session(session.id, starts + timedelta(minutes=60))
                held += 1
            day += timedelta(days=7)
    except (AttributeError, TypeError, ValueError) as err:  # the circles area changed shape
        log.warning("demo circles skipped: %s", type(err).__name__)
        return None
    return held


async def _joined_before(storage: Storage, person_id: int, moment: datetime) -> bool:
    person = await storage.get_person(person_id)
    return person is not None and person.onboarded_at is not None and person.onboarded_at < moment


LANGUAGE_MIX = (
    frozenset({"en"}),
    frozenset({"en", "es"}),
    frozenset({"en"}),
    frozenset({"en", "fr"}),
)
MENTOR_PATHWAYS = (
    frozenset({Pathway.TWELVE_STEP, Pathway.FAITH}),
    frozenset({Pathway.SMART, Pathway.MEDICATION}),
    frozenset({Pathway.HARM_REDUCTION, Pathway.MEDICATION}),
    frozenset({Pathway.TWELVE_STEP, Pathway.SMART}),
)
MENTOR_EXPERIENCE = (
    frozenset({"alcohol", "family"}),
    frozenset({"opioids", "justice"}),
    frozenset({"stimulants", "lgbtq"}),
    frozenset({"alcohol", "veterans"}),
)
MENTOR_GENDERS = (Gender.WOMAN, Gender.MAN, Gender.NONBINARY, Gender.WOMAN)
MENTOR_ZONES = ("America/Denver", "America/New_York", "America/Los_Angeles", "America/Chicago")
EVENINGS = frozenset(range(17, 22))
MORNINGS = frozenset(range(6, 12))
AFTERNOONS = frozenset(range(12, 17))


async def _matching(
    storage: Storage,
    rng: random.Random,
    mentors: list[int],
    mentee_ids: list[int],
    now: datetime,
) -> int:
    """Profiles for the mentors and most mentees, limits with places free (one mentor full),
    a few new mentees waiting for a mentor and one who asked for a different one. Returns how
    many new mentees wait."""
    for n, mentor in enumerate(mentors):
        await storage.update_settings(mentor, timezone=MENTOR_ZONES[n % len(MENTOR_ZONES)])
        await storage.set_mentor_capacity(mentor, MENTOR_LIMITS[n % len(MENTOR_LIMITS)])
        hours = (EVENINGS, MORNINGS | EVENINGS, AFTERNOONS | EVENINGS, MORNINGS)[n % 4]
        await storage.save_match_profile(
            MatchProfile(
                mentor,
                languages=LANGUAGE_MIX[n % 4],
                pathways=MENTOR_PATHWAYS[n % 4],
                experience=MENTOR_EXPERIENCE[n % 4],
                gender=MENTOR_GENDERS[n % 4],
                hours=hours,
            ),
            now - timedelta(days=100),
        )
    for pid in mentee_ids:
        if rng.random() < 0.7:
            await storage.save_match_profile(_mentee_wishes(rng, pid), now - timedelta(days=60))
    waiting = []
    for n in range(WAITING):
        joined = now - timedelta(days=n + 1, hours=3)
        name = NEWCOMERS[n % len(NEWCOMERS)]
        zone = ZONES[n % len(ZONES)]
        waiting.append(await _person(storage, f"waiting{n}", name, Role.MENTEE, zone, joined))
    wishes = (
        MatchProfile(
            waiting[0],
            languages=frozenset({"es"}),
            pathways=frozenset({Pathway.MEDICATION}),
            experience=frozenset({"opioids"}),
            gender=Gender.MAN,
            hours=EVENINGS,
        ),
        MatchProfile(
            waiting[1],
            pathways=frozenset({Pathway.TWELVE_STEP}),
            experience=frozenset({"alcohol"}),
            gender=Gender.WOMAN,
            gender_preference=Gender.WOMAN,
            hours=MORNINGS,
        ),
        MatchProfile(waiting[2], pathways=frozenset({Pathway.HARM_REDUCTION}), hours=AFTERNOONS),
    )
    for wish in wishes:  # the fourth newcomer gave no profile
        await storage.save_match_profile(wish, now - timedelta(hours=5))
    for pid in mentee_ids:  # the first mentee still in the program asks for someone new
        person = await storage.get_person(pid)
        if person is not None and person.stopped_at is None:
            await storage.request_new_mentor(pid, now - timedelta(days=2))
            break
    return len(waiting)


def _mentee_wishes(rng: random.Random, pid: int) -> MatchProfile:
    return MatchProfile(
        pid,
        languages=frozenset({"en"}) if rng.random() < 0.3 else frozenset(),
        pathways=frozenset(rng.sample(list(Pathway)[:5], rng.choice((1, 1, 2)))),
        experience=frozenset(rng.sample(["alcohol", "opioids", "stimulants", "family"], 1)),
        gender=rng.choice(list(Gender)),
        hours=rng.choice((EVENINGS, MORNINGS, AFTERNOONS, EVENINGS)),
    )


COURSES = (
    ("Recovery coach academy", "State peer recovery academy", 30.0, None),
    ("Ethics", "State peer recovery academy", 6.0, None),
    ("Naloxone", "County health department", 1.5, 730),
    ("Suicide-prevention gatekeeper", "QPR Institute", 2.0, 1095),
)


async def _training(storage: Storage, rng: random.Random, mentors: list[int], now: datetime) -> int:
    """Each mentor's courses and monthly supervision; one mentor's naloxone training expires
    in three weeks (a reminder is queued for the running bot), another's expired last month."""
    today = now.date()
    logged = 0
    for n, mentor in enumerate(mentors):
        for course, provider, hours, valid_days in COURSES:
            done = today - timedelta(days=rng.randint(60, 600))
            expires = done + timedelta(days=valid_days) if valid_days else None
            if course == "Naloxone" and n == 0:
                expires = today + timedelta(days=21)
            elif course == "Naloxone" and n == 1:
                expires = today - timedelta(days=30)
            elif expires is not None and expires <= today:
                expires = today + timedelta(days=rng.randint(90, 400))
            entry = await storage.log_training(
                mentor,
                course=course,
                provider=provider,
                completed_on=done,
                hours=hours,
                expires_on=expires,
                now=now,
            )
            reminder = reminder_work(entry, MENTOR_ZONES[n % len(MENTOR_ZONES)], now)
            if reminder is not None:
                await storage.set_due(reminder)
            logged += 1
        months = 3 if n != 2 else 0  # one mentor has had no supervision lately
        for month in range(months):
            held = today - timedelta(days=7 + 30 * month)
            await storage.log_supervision(
                mentor, held_on=held, supervisor="Dr Imani Reyes", minutes=60, now=now
            )
    return logged
