"""Pairing mentors and mentees, and what a mentee shares: ``/invite``, ``/newmentor``,
``/sharing``.

A mentor's ``/invite`` makes a one-use mentee invite code carrying the mentor's id; a person who
joins with it (``/start CODE`` or ``/join CODE``) is paired with that mentor, within the
mentor's capacity. Coordinators pair, unpair and set backups from the command line
(:mod:`bot.cli_mentoring`). Both ways go through the use cases :func:`pair` and
:func:`unpair`: a pairing respects the mentor's capacity (unless the coordinator overrides it)
and queues a ``pairing`` row in the due queue, which tells the mentor (and, when the
coordinator paired them, the mentee) through the delivery ledger.

What the mentor sees is the mentee's choice, made when they are paired and changed with
``/sharing`` at any time: check-in numbers and streak by default, notes and goals only if they
opt in (goals let the mentor cheer them on: :mod:`handlers.mentoring.goals`).
``/newmentor`` tells the coordinator, never the mentor; the matching capability registers the
command, passing its suggestions (without the current mentor) to go in the same note.

The staff views (``/mentees``, ``/alerts``, acknowledging) are in :mod:`handlers.mentoring.views`.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.context import Capability, CommandSpec, Context, Replies, Turn
from handlers.dispatcher import stale_button
from handlers.logsafe import describe_exception
from handlers.mentoring import texts
from handlers.mentoring.escalation import INLINE_PING_SECONDS
from handlers.messaging import DeliveryError, OutgoingMessage
from handlers.outbox import deliver, prompt_ref
from handlers.profile import (
    PersonLabel,
    display_name,
    maybe_label,
    person_label,
    speaking_to,
)
from handlers.routes import Route, decode_any
from handlers.texts.plurals import DAY, PERSON, counted
from storage.due_queue import DueWork
from storage.mentoring import Pairing, PairingError, PairingProblem, PairingSource, Sharing
from storage.people import InviteCode, Role

log = logging.getLogger(__name__)

FLOW = "sh"
"""Button payload prefix of the sharing choices: ``sh:<scope>:<0|1>`` and ``sh:done:``."""
PAIRING = "pairing"
"""The due-queue kind that tells people they were paired."""
PAIR_NOTICE = "pair-notice"
NEW_MENTOR = "newmentor"
INVITE_DAYS = 7
SCOPES = ("numbers", "streak", "notes", "goals")
MENTORS = frozenset({Role.MENTOR})
MENTEES = frozenset({Role.MENTEE})
INVITERS = frozenset({Role.MENTOR, Role.COORDINATOR})

# Letters that cannot be misread for each other (no 0/O, 1/I/L), as ``peerbot invite`` uses.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


# The use cases: pairing, unpairing, a mentor's load ----------------------------------------------


@dataclass(frozen=True, slots=True)
class PairingOutcome:
    """A pairing made (or kept, when the mentee already had that mentor) and who is in it."""

    pairing: Pairing
    mentee: PersonLabel
    mentor: PersonLabel
    backup: PersonLabel | None


@dataclass(frozen=True, slots=True)
class UnpairOutcome:
    """The pairing just ended."""

    pairing: Pairing
    mentee: PersonLabel
    mentor: PersonLabel


@dataclass(frozen=True, slots=True)
class MentorLoad:
    """How many people a mentor mentors (backups not counted) and their limit."""

    mentor: PersonLabel
    load: int
    limit: int

    @property
    def full(self) -> bool:
        return self.load >= self.limit


async def pair(
    ctx: Context,
    mentee_id: int,
    mentor_id: int,
    *,
    backup_id: int | None = None,
    by: PairingSource = PairingSource.COORDINATOR,
    over_capacity: bool = False,
) -> PairingOutcome:
    """Pair a mentee with a mentor within the mentor's capacity (unless ``over_capacity``)
    and queue the notice that tells them. Raises :class:`PairingError` with the problem."""
    now = ctx.clock()
    pairing = await ctx.storage.pair(
        mentee_id,
        mentor_id,
        now,
        default_capacity=ctx.program.mentoring.max_mentees,
        backup_id=backup_id,
        source=by,
        over_capacity=over_capacity,
    )
    await ctx.storage.set_due(pair_notice_work(pairing, now))
    return PairingOutcome(
        pairing,
        await person_label(ctx, pairing.mentee_id),
        await person_label(ctx, pairing.mentor_id),
        await maybe_label(ctx, pairing.backup_id),
    )


async def unpair(ctx: Context, mentee_id: int) -> UnpairOutcome | None:
    """End the mentee's pairing; ``None`` if they had no mentor. A notice still queued for it
    is dropped when it comes due (:func:`run_pair_notice` tells nobody of an ended pairing)."""
    ended = await ctx.storage.unpair(mentee_id, ctx.clock())
    if ended is None:
        return None
    return UnpairOutcome(
        ended, await person_label(ctx, ended.mentee_id), await person_label(ctx, ended.mentor_id)
    )


async def mentor_load(
    ctx: Context, mentor_id: int, pairings: list[Pairing] | None = None
) -> MentorLoad:
    """The mentor's load and limit; ``pairings``, if given, are the active pairings to count."""
    if pairings is None:
        pairings = await ctx.storage.mentees_of(mentor_id)
    limit = await ctx.storage.mentor_capacity(mentor_id, ctx.program.mentoring.max_mentees)
    load = sum(p.mentor_id == mentor_id for p in pairings)
    return MentorLoad(await person_label(ctx, mentor_id), load, limit)


async def set_capacity(ctx: Context, mentor_id: int, limit: int | None) -> MentorLoad:
    """Set one mentor's limit (``None``: back to ``[mentoring] max_mentees``). Raises
    :class:`PairingError` (``NOT_A_MENTOR``) for anyone else."""
    if Role.MENTOR not in await ctx.storage.roles_of(mentor_id):
        raise PairingError(PairingProblem.NOT_A_MENTOR)
    await ctx.storage.set_mentor_capacity(mentor_id, limit)
    return await mentor_load(ctx, mentor_id)


# Invites ------------------------------------------------------------------------------------------


async def make_invite(
    ctx: Context,
    role: Role,
    *,
    uses: int = 1,
    valid_for: timedelta = timedelta(days=INVITE_DAYS),
    created_by: int | None = None,
) -> InviteCode:
    """A new invite code that grants ``role`` (a mentor's mentee code pairs with them).

    The one way codes are made: a mentor's or coordinator's ``/invite`` and ``peerbot
    invite``."""
    now = ctx.clock()
    invite_code = InviteCode(
        code="".join(secrets.choice(_CODE_ALPHABET) for _ in range(8)),
        role=role,
        uses_left=uses,
        created_at=now,
        expires_at=now + valid_for,
        created_by=created_by,
    )
    await ctx.storage.create_invite(invite_code)
    return invite_code


async def invite(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/invite``: for a mentor, a one-use code that pairs whoever joins with it with them;
    for a coordinator, ``/invite ROLE``: a one-use code for a new mentee, mentor, facilitator
    or coordinator (unpaired: pair them with ``peerbot pair``)."""
    assert turn.person is not None
    if args or Role.MENTOR not in turn.roles:
        return await _coordinator_invite(ctx, turn, args)
    mentor_id = turn.person.id
    capacity = await mentor_load(ctx, mentor_id)
    if capacity.full:
        return [
            OutgoingMessage(
                texts.INVITE_FULL.format(count=counted(PERSON, capacity.load), limit=capacity.limit)
            )
        ]
    made = await make_invite(ctx, Role.MENTEE, created_by=mentor_id)
    return [
        OutgoingMessage(texts.INVITE_CREATED.format(code=made.code, days=counted(DAY, INVITE_DAYS)))
    ]


async def _coordinator_invite(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    roles = {role.value: role for role in Role}
    wanted = args[0].casefold() if args else ""
    if Role.COORDINATOR not in turn.roles:
        return [OutgoingMessage(texts.INVITE_MENTOR_ONLY)]
    if wanted not in roles:
        return [OutgoingMessage(texts.INVITE_WHICH_ROLE.format(roles=" | ".join(roles)))]
    made = await make_invite(ctx, roles[wanted])
    return [
        OutgoingMessage(
            texts.ROLE_INVITE_CREATED.format(
                code=made.code, role=wanted, days=counted(DAY, INVITE_DAYS)
            )
        )
    ]


async def after_invite(ctx: Context, person_id: int, invite_code: InviteCode) -> Replies:
    """Onboarding's hook after someone redeemed ``invite_code``: pair them with the mentor
    who made it, if a mentor did. Returns what to add to the reply. Never raises."""
    mentor_id = invite_code.created_by
    if invite_code.role is not Role.MENTEE or mentor_id is None:
        return []
    try:
        if mentor_id == person_id:
            return [OutgoingMessage(texts.OWN_INVITE)]
        if Role.MENTOR not in await ctx.storage.roles_of(mentor_id):
            return []
        try:
            await pair(ctx, person_id, mentor_id, by=PairingSource.INVITE)
        except PairingError as err:
            if err.problem is PairingProblem.FULL:
                return [OutgoingMessage(texts.MENTOR_FULL_AT_JOIN)]
            return []
        mentor = await display_name(ctx, mentor_id)
        return [await sharing_menu(ctx, person_id, texts.PAIRED_WITH.format(mentor=mentor))]
    except Exception as exc:
        log.error("pairing by invite failed: %s", describe_exception(exc))
        return []


def pair_notice_work(pairing: Pairing, now: datetime) -> DueWork:
    """The due row that tells the people of a new pairing (:func:`pair` writes it)."""
    return DueWork(PAIRING, str(pairing.id), now, "1", person_id=pairing.mentee_id)


async def run_pair_notice(ctx: Context, work: DueWork, now: datetime) -> DueWork | None:
    """The due-queue handler: tell the mentor (and a coordinator-paired mentee) once each."""
    pairing = await ctx.storage.get_pairing(int(work.subject))
    if pairing is None or not pairing.active:
        return None
    mentee_name = await display_name(ctx, pairing.mentee_id)
    if pairing.source is PairingSource.COORDINATOR:
        mentor_name = await display_name(ctx, pairing.mentor_id)
        async with speaking_to(ctx, pairing.mentee_id):
            intro = texts.PAIR_NOTICE_MENTEE.format(mentor=mentor_name)
            message = await sharing_menu(ctx, pairing.mentee_id, intro)
        await _notify(ctx, work.subject, "mentee", pairing.mentee_id, message)
    async with speaking_to(ctx, pairing.mentor_id):
        message = OutgoingMessage(texts.PAIR_NOTICE_MENTOR.format(name=mentee_name))
    await _notify(ctx, work.subject, "mentor", pairing.mentor_id, message)
    return None


async def _notify(
    ctx: Context, subject: str, occurrence: str, person_id: int, message: OutgoingMessage
) -> None:
    ref = await prompt_ref(ctx, person_id)
    if ref is None:
        return
    try:
        await deliver(
            ctx,
            kind=PAIR_NOTICE,
            subject=subject,
            occurrence=occurrence,
            person_id=person_id,
            ref=ref,
            message=message,
        )
    except DeliveryError as err:
        if not err.permanent:
            raise  # the row is claimed again later; the ledger keeps what was sent
        log.warning("pairing notice %s could not be delivered: %s", subject, err.reason)


# Asking for a different mentor ------------------------------------------------------------------


SuggestionsFor = Callable[[Context, int], Awaitable[OutgoingMessage | None]]
"""What the coordinator's note adds about a mentee (the matching capability's suggestions,
with their approve buttons); passed in, so mentoring does not depend on matching."""


async def newmentor(
    ctx: Context, turn: Turn, args: tuple[str, ...], *, suggestions: SuggestionsFor | None = None
) -> Replies:
    """``/newmentor``: tell the coordinator (never the mentor) that they want a change, with
    ``suggestions`` (if given) in the same note."""
    assert turn.person is not None
    mentee = turn.person
    pairing = await ctx.storage.request_new_mentor(mentee.id, ctx.clock())
    name = await display_name(ctx, mentee.id)

    async def note() -> OutgoingMessage:  # built for each coordinator, in their language
        template = texts.NEW_MENTOR_TO_COORDINATOR if pairing else texts.WANTS_MENTOR_TO_COORDINATOR
        message = OutgoingMessage(template.format(name=name, id=mentee.id))
        if suggestions is None:
            return message
        try:
            extra = await suggestions(ctx, mentee.id)
        except Exception as exc:  # the note goes without them rather than not at all
            log.error("suggestions for a new-mentor note failed: %s", describe_exception(exc))
            return message
        if extra is None:
            return message
        return OutgoingMessage.with_buttons(f"{message.text}\n\n{extra.text}", extra.buttons)

    told = await _tell_coordinators(ctx, mentee.id, note)
    # Say what happened: a paired mentee's request is kept (``peerbot roster`` shows it); an
    # unpaired one's is not, so with nobody told they are asked to try again.
    replies = {
        (True, _Told.TOLD): texts.NEW_MENTOR_SENT,
        (True, _Told.NOT_REACHED): texts.NEW_MENTOR_NOTED,
        (True, _Told.NO_COORDINATOR): texts.NEW_MENTOR_NO_COORDINATOR,
        (False, _Told.TOLD): texts.NEW_MENTOR_UNPAIRED,
        (False, _Told.NOT_REACHED): texts.NEW_MENTOR_UNPAIRED_NOT_REACHED,
        (False, _Told.NO_COORDINATOR): texts.NEW_MENTOR_UNPAIRED_NO_COORDINATOR,
    }
    return [OutgoingMessage(replies[(pairing is not None, told)])]


class _Told(enum.Enum):
    """What became of a note to the coordinators."""

    TOLD = "told"
    NOT_REACHED = "not reached"
    """There are coordinators, but none could be reached just now."""
    NO_COORDINATOR = "no coordinator"
    """The program has no coordinator (or only ones who sent /stop, or the person asking)."""


async def _tell_coordinators(
    ctx: Context, mentee_id: int, render: Callable[[], Awaitable[OutgoingMessage]]
) -> _Told:
    """The coordinator on duty, else every coordinator; whether any of them was reached."""
    on_duty = await ctx.storage.on_duty()
    if on_duty is not None:
        recipients = [on_duty]
    else:
        coordinators = await ctx.storage.people_with_role(Role.COORDINATOR)
        recipients = [p.id for p in coordinators if p.stopped_at is None]
    recipients = [r for r in recipients if r != mentee_id]
    if not recipients:
        return _Told.NO_COORDINATOR
    day = ctx.clock().date().isoformat()
    told = False
    for recipient in recipients:
        ref = await prompt_ref(ctx, recipient)
        if ref is None or recipient == mentee_id:
            continue
        async with speaking_to(ctx, recipient):
            message = await render()
        try:
            async with asyncio.timeout(INLINE_PING_SECONDS):
                await deliver(
                    ctx,
                    kind=NEW_MENTOR,
                    subject=str(mentee_id),
                    occurrence=f"{day}:{recipient}",
                    person_id=recipient,
                    ref=ref,
                    message=message,
                )
            told = True
        except (DeliveryError, TimeoutError) as exc:
            log.warning("new-mentor request not delivered: %s", describe_exception(exc))
    return _Told.TOLD if told else _Told.NOT_REACHED


# Sharing choices --------------------------------------------------------------------------------


async def sharing_menu(ctx: Context, mentee_id: int, intro: str | None = None) -> OutgoingMessage:
    """What the mentor sees, with a button to share or hide each part."""
    sharing = await ctx.storage.get_sharing(mentee_id)
    pairing = await ctx.storage.pairing_of(mentee_id)
    mentor = (
        f"*{await display_name(ctx, pairing.mentor_id)}*"
        if pairing is not None
        else texts.SHARING_NO_MENTOR
    )
    lines = []
    buttons = []
    for scope in SCOPES:
        shared = bool(getattr(sharing, scope))
        template = texts.SCOPE_ON if shared else texts.SCOPE_OFF
        lines.append(template.format(label=texts.SCOPES[scope]))
        label = texts.HIDE_BUTTON if shared else texts.SHARE_BUTTON
        buttons.append(
            SCOPE.button(
                label.format(scope=texts.SCOPE_SHORT[scope]), ScopePress(scope, 0 if shared else 1)
            )
        )
    buttons.append(SHARING_DONE.button(texts.SHARING_DONE_BUTTON, SharingDonePress()))
    text = texts.SHARING_MENU.format(mentor=mentor, lines="\n".join(lines))
    return OutgoingMessage.with_buttons(f"{intro}\n\n{text}" if intro else text, buttons)


async def sharing_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    assert turn.person is not None
    return [await sharing_menu(ctx, turn.person.id)]


def shared_summary(sharing: Sharing) -> str:
    shared = [texts.SCOPES[scope] for scope in SCOPES if getattr(sharing, scope)]
    return texts.SHARING_AND.join(shared) if shared else texts.SHARING_NOTHING


def _with_scope(sharing: Sharing, scope: str, shared: bool) -> Sharing:
    chosen = {name: bool(getattr(sharing, name)) for name in SCOPES}
    chosen[scope] = shared
    return Sharing(
        numbers=chosen["numbers"],
        streak=chosen["streak"],
        notes=chosen["notes"],
        goals=chosen["goals"],
    )


@dataclass(frozen=True, slots=True)
class ScopePress:
    """Share (``1``) or hide (``0``) one part of what the mentor sees."""

    scope: str
    shared: int


@dataclass(frozen=True, slots=True)
class SharingDonePress:
    """Done choosing: the defaults, if untouched, are a choice too."""


SCOPE = Route(FLOW, "{scope}:{shared}", ScopePress)
SHARING_DONE = Route(FLOW, "done:", SharingDonePress)


def _fits(press: ScopePress) -> bool:
    return press.scope in SCOPES and press.shared in (0, 1)


class SharingFlow:
    """The sharing buttons. They carry everything they need, so no conversation state."""

    name = FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = decode_any(payload, (SHARING_DONE, SCOPE))
        if press is None or (isinstance(press, ScopePress) and not _fits(press)):
            return [stale_button()]
        if turn.person is None:
            return [OutgoingMessage(texts.SHARING_SAVED.format(shared=texts.SHARING_NOTHING))]
        sharing = await ctx.storage.get_sharing(turn.person.id)
        if isinstance(press, ScopePress):
            changed = _with_scope(sharing, press.scope, press.shared == 1)
            await ctx.storage.set_sharing(turn.person.id, changed, ctx.clock())
            return [await sharing_menu(ctx, turn.person.id)]
        if sharing.chosen_at is None:  # "Done" on the defaults is a choice too
            sharing = await ctx.storage.set_sharing(turn.person.id, sharing, ctx.clock())
        return [OutgoingMessage(texts.SHARING_SAVED.format(shared=shared_summary(sharing)))]

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        assert turn.person is not None
        return [await sharing_menu(ctx, turn.person.id)]


CAPABILITY = Capability(
    commands=(
        CommandSpec(
            "invite",
            "get an invite code (mentors: for a mentee of yours; coordinators: for any role)",
            invite,
            INVITERS,
            arg_hint="[mentee|mentor|facilitator|coordinator]",
        ),
        CommandSpec("sharing", "choose what your mentor sees", sharing_command, MENTEES),
    ),
    flows=(SharingFlow(),),
)
