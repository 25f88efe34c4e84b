"""Suggestions: for each mentee waiting for a mentor (or asking for a different one), a short
list of mentors ranked by :mod:`handlers.matching.ranking`, and the coordinator's approval.

The facts come from storage (mentors' loads and limits, profiles, zones, re-match history,
training); the ranking is pure. The coordinator sees the lists with ``/match`` (a button per
mentor: "Pair with Mo") or ``peerbot match --suggest``; nothing is paired until they approve.
A ``/newmentor`` request (registered here, run by mentoring) carries the mentee's short list,
without the current mentor, in the coordinator's note.
An approval is checked again against the hard constraints at the moment of the press, then goes
through mentoring's pairing use case (:func:`handlers.mentoring.pairing.pair`), the same path
as ``peerbot pair``, which tells the mentor and the mentee. Every list names mentees, so it is
written to the audit log like every other staff view.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from handlers import audit
from handlers.context import Capability, CommandSpec, Context, Replies, Turn
from handlers.dispatcher import stale_button
from handlers.matching import texts
from handlers.matching.preferences import in_private
from handlers.matching.ranking import MenteeFacts, MentorFacts, Suggestion, rank
from handlers.mentoring import pairing
from handlers.messaging import OutgoingMessage
from handlers.numbers import read_id
from handlers.profile import display_name
from handlers.routes import Route, decode_any
from handlers.timing import local_date
from handlers.training.status import Standing, training_status
from storage.mentoring import AuditEntry, PairingError, PairingSource
from storage.people import Role

log = logging.getLogger(__name__)

FLOW = "mt"
COORDINATORS = frozenset({Role.COORDINATOR})
SHORT_LIST = 3
AUDIT_ACTION = "match suggestions"
NOTE_ACTOR = "new-mentor note to the coordinator"
"""The audit log's actor for suggestions sent with a ``/newmentor`` note."""
MENTEES = frozenset({Role.MENTEE})


@dataclass(frozen=True, slots=True)
class Waiting:
    """A mentee who needs a mentor, with the ranked short list."""

    mentee_id: int
    name: str
    current_mentor: int | None
    """Set when they asked for a different mentor (who is then never suggested)."""
    suggestions: tuple[Suggestion, ...]


async def mentor_facts(ctx: Context) -> list[MentorFacts]:
    """Every active mentor with their load, limit, zone, profile, training and re-matches."""
    mentors = [p for p in await ctx.storage.people_with_role(Role.MENTOR) if p.stopped_at is None]
    ids = [m.id for m in mentors]
    profiles = await ctx.storage.match_profiles(ids)
    rematches = Counter(r.mentor_id for r in await ctx.storage.rematch_requests())
    loads = Counter(p.mentor_id for p in await ctx.storage.active_pairings())
    today = ctx.clock().date()
    found = []
    for mentor in mentors:
        settings = await ctx.storage.get_settings(mentor.id)
        status = training_status(
            await ctx.storage.trainings_of(mentor.id),
            await ctx.storage.supervision_of(mentor.id),
            ctx.program.training,
            today,
        )
        found.append(
            MentorFacts(
                mentor_id=mentor.id,
                name=mentor.display_name,
                load=loads[mentor.id],
                limit=await ctx.storage.mentor_capacity(
                    mentor.id, ctx.program.mentoring.max_mentees
                ),
                zone=settings.timezone,
                profile=profiles.get(mentor.id),
                training_lapsed=status.standing is Standing.LAPSED,
                rematch_requests=rematches[mentor.id],
            )
        )
    return found


async def mentee_facts(ctx: Context, mentee_id: int) -> MenteeFacts:
    settings = await ctx.storage.get_settings(mentee_id)
    left = frozenset(
        r.mentor_id for r in await ctx.storage.rematch_requests() if r.mentee_id == mentee_id
    )
    return MenteeFacts(
        mentee_id, settings.timezone, await ctx.storage.match_profile(mentee_id), left
    )


async def suggest_for(
    ctx: Context,
    mentee_id: int,
    mentors: Sequence[MentorFacts] | None = None,
    *,
    limit: int | None = SHORT_LIST,
) -> Waiting | None:
    """The mentee's short list (excluding a mentor they asked to leave); None for someone who
    is not a mentee."""
    person = await ctx.storage.get_person(mentee_id)
    if person is None or Role.MENTEE not in await ctx.storage.roles_of(mentee_id):
        return None
    if mentors is None:
        mentors = await mentor_facts(ctx)
    pairing_now = await ctx.storage.pairing_of(mentee_id)
    current = pairing_now.mentor_id if pairing_now is not None else None
    mentee = await mentee_facts(ctx, mentee_id)
    zone = mentee.zone or "UTC"
    try:
        today = local_date(ctx.clock(), zone)
    except Exception:  # a zone this machine does not know: the UTC day will do
        today = ctx.clock().date()
    suggestions = rank(
        mentee,
        mentors,
        on=today,
        exclude=() if current is None else (current,),
        hold_lapsed=ctx.program.training.hold_lapsed_from_new_pairings,
        limit=limit,
    )
    return Waiting(mentee_id, person.display_name, current, tuple(suggestions))


async def waiting_mentees(ctx: Context) -> list[int]:
    """Onboarded, active mentees without a mentor, then those who asked for a change."""
    unpaired, asking = [], []
    for person in await ctx.storage.people_with_role(Role.MENTEE):
        if not person.onboarded or person.stopped_at is not None:
            continue
        current = await ctx.storage.pairing_of(person.id)
        if current is None:
            unpaired.append(person.id)
        elif current.change_requested_at is not None:
            asking.append(person.id)
    return unpaired + asking


async def all_suggestions(ctx: Context, only: int | None = None) -> list[Waiting]:
    """The short lists of everyone waiting (or of ``only``)."""
    mentors = await mentor_facts(ctx)
    ids = [only] if only is not None else await waiting_mentees(ctx)
    found = []
    for mentee_id in ids:
        waiting = await suggest_for(ctx, mentee_id, mentors)
        if waiting is not None:
            found.append(waiting)
    return found


# In the chat ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApprovePress:
    """Pair this mentee with this mentor."""

    mentee: int
    mentor: int


APPROVE = Route(FLOW, "ok:{mentee}:{mentor}", ApprovePress)


def suggestion_message(waiting: Waiting) -> OutgoingMessage:
    """One mentee's short list with an approve button per mentor."""
    why = texts.WANTS_NEW if waiting.current_mentor is not None else ""
    if not waiting.suggestions:
        lines = texts.NO_FIT.format(next=texts.NO_FIT_NEXT)
    else:
        lines = "\n".join(
            texts.SUGGESTION_LINE.format(
                n=n, mentor=s.mentor.name, id=s.mentor.mentor_id, reasons=s.reason_text
            )
            for n, s in enumerate(waiting.suggestions, start=1)
        )
    text = texts.SUGGESTIONS_FOR.format(
        mentee=waiting.name, id=waiting.mentee_id, why=why, lines=lines
    )
    buttons = [
        APPROVE.button(
            texts.APPROVE.format(mentor=s.mentor.name),
            ApprovePress(waiting.mentee_id, s.mentor.mentor_id),
        )
        for s in waiting.suggestions
    ]
    return OutgoingMessage.with_buttons(text, buttons, per_row=1)


async def match_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/match`` (everyone waiting) or ``/match ID`` (one mentee, e.g. after /newmentor)."""
    only = None
    if args:
        only = read_id(args[0].lstrip("#"))
        if only is None or len(args) > 1:
            return [OutgoingMessage(texts.MATCH_USAGE)]
    lists = await all_suggestions(ctx, only)
    if only is not None and not lists:
        return [OutgoingMessage(texts.UNKNOWN_MENTEE.format(id=only))]
    if not lists:
        return [OutgoingMessage(texts.NOBODY_WAITING)]
    await audit.record_views(ctx, turn.person, [w.mentee_id for w in lists], AUDIT_ACTION)
    return [OutgoingMessage(texts.SUGGESTIONS_INTRO), *map(suggestion_message, lists)]


async def approve(ctx: Context, mentee_id: int, mentor_id: int) -> tuple[str, Waiting | None]:
    """Pair them if the mentor still meets every hard constraint; what to say, and the fresh
    short list when they no longer fit."""
    mentee_name = await display_name(ctx, mentee_id)
    mentor_name = await display_name(ctx, mentor_id)
    current = await ctx.storage.pairing_of(mentee_id)
    if current is not None and current.mentor_id == mentor_id:
        return texts.ALREADY_PAIRED.format(mentee=mentee_name, mentor=mentor_name), None
    fresh = await suggest_for(ctx, mentee_id, limit=None)
    if fresh is None:
        return texts.UNKNOWN_MENTEE.format(id=mentee_id), None
    if all(s.mentor.mentor_id != mentor_id for s in fresh.suggestions):
        short = Waiting(
            fresh.mentee_id, fresh.name, fresh.current_mentor, fresh.suggestions[:SHORT_LIST]
        )
        return texts.NO_LONGER_FITS.format(mentor=mentor_name, mentee=mentee_name), short
    try:
        await pairing.pair(ctx, mentee_id, mentor_id, by=PairingSource.COORDINATOR)
    except PairingError as err:
        return texts.PAIR_FAILED.format(problem=err.problem.value.replace("_", " ")), None
    return texts.APPROVED.format(mentee=mentee_name, mentor=mentor_name), None


async def note_suggestions(ctx: Context, mentee_id: int) -> OutgoingMessage | None:
    """The short list that goes in the coordinator's ``/newmentor`` note (current mentor left
    out), written to the audit log as a view of the mentee."""
    waiting = await suggest_for(ctx, mentee_id)
    if waiting is None:
        return None
    await ctx.storage.write_audit(
        [AuditEntry(ctx.clock(), None, NOTE_ACTOR, mentee_id, AUDIT_ACTION)]
    )
    return suggestion_message(waiting)


async def newmentor(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/newmentor``: mentoring's request to the coordinator, with the suggestions in it."""
    return await pairing.newmentor(ctx, turn, args, suggestions=note_suggestions)


class MatchFlow:
    """The approve buttons: they carry everything they need, so there is no state."""

    name = FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = decode_any(payload, (APPROVE,))
        if not isinstance(press, ApprovePress):
            return [stale_button()]
        if turn.person is None or Role.COORDINATOR not in turn.roles:
            return [stale_button()]
        if not in_private(turn):
            return [OutgoingMessage(texts.APPROVE_PRIVATELY)]
        said, fresh = await approve(ctx, press.mentee, press.mentor)
        replies = [OutgoingMessage(said)]
        if fresh is not None:
            replies.append(suggestion_message(fresh))
        return replies

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        return [OutgoingMessage(texts.MATCH_USAGE)]


CAPABILITY = Capability(
    commands=(
        CommandSpec(
            "match",
            "suggested mentors for mentees who are waiting, to approve",
            match_command,
            COORDINATORS,
            arg_hint="[mentee id]",
        ),
        CommandSpec("newmentor", "ask the coordinator for a different mentor", newmentor, MENTEES),
    ),
    flows=(MatchFlow(),),
)
