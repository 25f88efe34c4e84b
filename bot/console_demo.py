"""``peerbot run --demo``: the console on a small program that is ready to try.

A coordinator (on duty), a mentor with two mentees, a facilitator and a daily circle that
meets in the console group ``#circle`` about half an hour from now (so ``/circle start`` works
at once: a session may open an hour early), all made through the core's own use cases:
people through onboarding's steps (consent, name, zone, check-in time, the schedule that
follows), pairing as ``peerbot pair`` does, the on-duty coordinator as ``peerbot oncall``
does, the circle as ``/circle create`` does. It lives in its own database file, made afresh
on every start, so a real program's file is never touched and the circle's time always fits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.adapters import console_texts
from bot.adapters.console import DEFAULT_GROUP, GROUP_MARK, PLATFORM, dm_ref
from bot.config import Config
from bot.database import opened_storage
from handlers import profile
from handlers.app import assemble
from handlers.circles.create import create_circle
from handlers.circles.draft import CircleDraft
from handlers.context import Context
from handlers.mentoring import pairing, roster
from storage.circles import Recurrence, VenueKind
from storage.mentoring import PairingSource
from storage.people import Account, AccountAddress, Role

DEMO_DATABASE = Path("peerbot-demo.db")
ZONE = "America/New_York"
CIRCLE_LEAD = timedelta(minutes=30)
CHECKIN_TIME = "8pm"


@dataclass(frozen=True, slots=True)
class DemoPerson:
    handle: str
    """What to type after ``@`` to speak as them (their console account)."""
    name: str
    role: Role


CAST = (
    DemoPerson("cora", "Cora", Role.COORDINATOR),
    DemoPerson("riley", "Riley", Role.MENTOR),
    DemoPerson("fran", "Fran", Role.FACILITATOR),
    DemoPerson("sam", "Sam", Role.MENTEE),
    DemoPerson("alex", "Alex", Role.MENTEE),
)


async def make_demo(config: Config) -> tuple[Config, str]:
    """A fresh demo database (any earlier one removed); returns the config that uses it and
    the banner's note on who is in it."""
    for stale in (DEMO_DATABASE, Path(f"{DEMO_DATABASE}-wal"), Path(f"{DEMO_DATABASE}-shm")):
        stale.unlink(missing_ok=True)
    config = replace(config, database_url=f"sqlite:///{DEMO_DATABASE}")
    async with opened_storage(config) as storage:
        # No adapter runs yet: the circle's announcement fails at once (no waiting between
        # retries) and the due queue posts it at the console's first tick.
        ctx = assemble(Context(storage=storage, program=config.program, sleep=_no_wait))
        note = await seed_demo(ctx)
    return config, note


async def _no_wait(seconds: float) -> None:
    return None


async def _onboard(ctx: Context, who: DemoPerson) -> int:
    """Onboarding's steps for someone who said yes, typed their name, confirmed their zone
    and (a mentee: staff have check-ins off until they choose a time) picked a check-in time."""
    ref = dm_ref(who.handle)
    person = await ctx.storage.create_person(
        Account(AccountAddress(PLATFORM, who.handle), person_id=0, chat_id=ref.chat_id),
        role=who.role,
        consented_at=ctx.clock(),
    )
    await profile.save_name(ctx, person.id, who.name)
    await profile.save_zone(ctx, person.id, ZONE)
    if who.role is Role.MENTEE:
        await profile.save_time(ctx, person.id, CHECKIN_TIME)
    await ctx.storage.mark_onboarded(person.id, ctx.clock())
    await ctx.capabilities.schedule_changed(ctx, person.id)
    return person.id


async def seed_demo(ctx: Context) -> str:
    """Make the demo program in ``ctx``'s empty storage; returns the banner's note on it."""
    ids = {who.handle: await _onboard(ctx, who) for who in CAST}
    for mentee in ("sam", "alex"):
        await pairing.pair(ctx, ids[mentee], ids["riley"], by=PairingSource.COORDINATOR)
        # Paired before the demo began: nobody needs the news at the first tick.
        pairing_row = await ctx.storage.pairing_of(ids[mentee])
        if pairing_row is not None:
            await ctx.storage.clear_due(pairing.PAIRING, str(pairing_row.id))
    await roster.set_on_duty(ctx, ids["cora"])
    starts = _next_five_minutes(ctx.clock() + CIRCLE_LEAD).astimezone(ZoneInfo(ZONE))
    await create_circle(
        ctx,
        ids["fran"],
        CircleDraft(
            venue={"p": PLATFORM, "c": GROUP_MARK + DEFAULT_GROUP, "t": None},
            title="Evening circle",
            desc="A demo circle that meets every day.",
            days=list(range(7)),
            time=starts.strftime("%H:%M"),
            zone=ZONE,
            repeat=Recurrence.WEEKLY.value,
            minutes=60,
            kind=VenueKind.TEXT.value,
        ),
    )
    people = ", ".join(f"@{who.handle} ({who.role.value})" for who in CAST)
    return console_texts.DEMO_EXTRA.format(
        path=DEMO_DATABASE,
        people=people,
        mentee="sam",
        mentor="riley",
        facilitator="fran",
        group=DEFAULT_GROUP,
    )


def _next_five_minutes(moment: datetime) -> datetime:
    extra = (5 - moment.minute % 5) % 5
    return (moment + timedelta(minutes=extra)).replace(second=0, microsecond=0)
