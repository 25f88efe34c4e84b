"""What the coordinator sees and sets about the team: the roster of mentors and mentees, and
who is on duty (last on every escalation chain, :mod:`handlers.mentoring.escalation`).

These are use cases without a chat command yet: ``peerbot roster`` and ``peerbot oncall``
(:mod:`bot.cli_mentoring`) call them and print what they return. The roster names people, so
it writes the audit log (:mod:`handlers.audit`) before it returns, like every staff view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handlers import audit
from handlers.context import Context
from handlers.mentoring import texts
from handlers.mentoring.pairing import MentorLoad, mentor_load
from handlers.profile import PersonLabel, maybe_label
from storage.people import Person, Role


@dataclass(frozen=True, slots=True)
class MentorRow:
    capacity: MentorLoad
    backing: int
    """How many mentees they are the backup mentor of."""


@dataclass(frozen=True, slots=True)
class MenteeRow:
    mentee: PersonLabel
    mentor: PersonLabel | None
    backup: PersonLabel | None
    since: datetime | None
    """When the current pairing started; ``None`` while unpaired."""
    wants_new_mentor: bool


@dataclass(frozen=True, slots=True)
class Roster:
    mentors: tuple[MentorRow, ...]
    mentees: tuple[MenteeRow, ...]
    on_duty: PersonLabel | None
    duty_warning: str | None = None
    """Said when nobody is on duty (:func:`duty_warning`)."""


async def roster(ctx: Context, *, viewer: Person | None = None) -> Roster:
    """Every mentor with their load, every mentee with their pairing, and who is on duty.

    Writes one audit row per mentor and mentee named, as ``viewer`` (``None``: the command
    line), before returning.
    """
    pairings = await ctx.storage.active_pairings()
    by_mentee = {p.mentee_id: p for p in pairings}
    mentors = await ctx.storage.people_with_role(Role.MENTOR)
    mentees = await ctx.storage.people_with_role(Role.MENTEE)
    mentor_rows = [
        MentorRow(
            await mentor_load(ctx, mentor.id, pairings),
            sum(p.backup_id == mentor.id for p in pairings),
        )
        for mentor in mentors
    ]
    mentee_rows = []
    for mentee in mentees:
        pairing = by_mentee.get(mentee.id)
        mentee_rows.append(
            MenteeRow(
                PersonLabel(mentee.id, mentee.display_name),
                await maybe_label(ctx, pairing.mentor_id) if pairing else None,
                await maybe_label(ctx, pairing.backup_id) if pairing else None,
                pairing.started_at if pairing else None,
                bool(pairing and pairing.change_requested_at),
            )
        )
    named = {p.id for p in mentors} | {p.id for p in mentees}
    await audit.record_views(ctx, viewer, sorted(named), audit.ROSTER)
    return Roster(
        tuple(mentor_rows), tuple(mentee_rows), await on_duty(ctx), await duty_warning(ctx)
    )


async def on_duty(ctx: Context) -> PersonLabel | None:
    """The coordinator on duty, if one is set."""
    return await maybe_label(ctx, await ctx.storage.on_duty())


async def duty_warning(ctx: Context) -> str | None:
    """What to tell the team when no coordinator who can be reached is on duty: then an alert
    about someone without a mentor goes to every coordinator, or, with none, to nobody."""
    coordinators = [
        p for p in await ctx.storage.people_with_role(Role.COORDINATOR) if p.stopped_at is None
    ]
    on_duty = await ctx.storage.on_duty()
    if any(p.id == on_duty for p in coordinators):
        return None
    return texts.NOBODY_ON_DUTY if coordinators else texts.NO_COORDINATOR


async def set_on_duty(ctx: Context, person_id: int | None) -> PersonLabel | None:
    """Put a coordinator on duty (``None``: nobody); who is on duty now. Raises
    :class:`ValueError` for anyone who is not a coordinator."""
    await ctx.storage.set_on_duty(person_id, ctx.clock())
    return await on_duty(ctx)
