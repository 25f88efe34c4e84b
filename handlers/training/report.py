"""Every mentor's standing for the coordinator (``peerbot training``)."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.context import Context
from handlers.profile import DateStyle, PersonLabel, format_date
from handlers.training import texts
from handlers.training.status import TrainingStatus, training_status
from storage.people import Role


@dataclass(frozen=True, slots=True)
class MentorStanding:
    mentor: PersonLabel
    status: TrainingStatus
    detail: str
    """What is due, in words (the same sentences the mentor sees)."""


def describe(status: TrainingStatus) -> str:
    parts = []
    if status.lapsed:
        parts.append(texts.LAPSED.split(".")[0].format(courses=", ".join(status.lapsed)))
    if status.missing:
        parts.append(texts.MISSING.rstrip(".").format(courses=", ".join(status.missing)))
    if status.expired:
        parts.append(texts.EXPIRED_OTHER.rstrip(".").format(courses=", ".join(status.expired)))
    if status.expiring:
        soon = ", ".join(
            texts.EXPIRING_ONE.format(course=c, date=format_date(d, DateStyle.DAY_MONTH_YEAR_LONG))
            for c, d in status.expiring
        )
        parts.append(texts.EXPIRING.rstrip(".").format(courses=soon))
    if status.hours_short:
        parts.append(texts.CLI_HOURS_SHORT)
    if status.supervision_short:
        parts.append(texts.CLI_SUPERVISION_SHORT)
    return "; ".join(parts)


async def mentor_standings(ctx: Context) -> list[MentorStanding]:
    """Active mentors, in the order they became mentors, with where each stands today."""
    today = ctx.clock().date()
    found = []
    for mentor in await ctx.storage.people_with_role(Role.MENTOR):
        if mentor.stopped_at is not None:
            continue
        status = training_status(
            await ctx.storage.trainings_of(mentor.id),
            await ctx.storage.supervision_of(mentor.id),
            ctx.program.training,
            today,
        )
        found.append(
            MentorStanding(PersonLabel(mentor.id, mentor.display_name), status, describe(status))
        )
    return found
