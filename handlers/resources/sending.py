"""A mentor sends a directory entry to a mentee: ``/resources`` → "Send to a mentee" → a mentee.

The mentee gets the entry through the delivery ledger, at most once a day per entry (ledger
key: ``resource``, the mentee's id, ``<entry key>:<their local date>``), so a double tap sends
nothing twice; the mentor is told what happened. Only the mentee's mentor or backup mentor
(their active pairing) can send to them.
"""

from __future__ import annotations

from handlers.context import Capability, Context, Replies, Turn
from handlers.dispatcher import stale_button
from handlers.mentoring.sends import SendOutcome, send_to_mentee
from handlers.messaging import OutgoingMessage
from handlers.profile import display_name, local_today, speaking_to
from handlers.program import Resource
from handlers.resources import texts
from handlers.resources.browse import resource_text
from handlers.resources.offer import FLOW, PICK, SEND_TO, PickPress, SendToPress, find_resource
from handlers.routes import decode_any
from storage.people import Person, Role

RESOURCE = "resource"
"""The ledger kind of an entry sent to a mentee."""
MAX_LABEL_CHARS = 40


def outcome_line(outcome: SendOutcome) -> str:
    """What the mentor hears about a resource they sent."""
    return {
        SendOutcome.SENT: texts.SEND_DONE,
        SendOutcome.ALREADY: texts.SEND_ALREADY,
        SendOutcome.PAUSED: texts.SEND_PAUSED,
        SendOutcome.UNREACHED: texts.SEND_UNREACHED,
    }[outcome]


async def _is_their_mentor(ctx: Context, mentor_id: int, mentee_id: int) -> bool:
    pairing = await ctx.storage.pairing_of(mentee_id)
    return (
        pairing is not None
        and mentor_id != mentee_id
        and mentor_id in (pairing.mentor_id, pairing.backup_id)
    )


async def pick_mentee(ctx: Context, mentor: Person, resource: Resource, key: str) -> Replies:
    """A button for each of the mentor's mentees."""
    pairings = await ctx.storage.mentees_of(mentor.id)
    if not pairings:
        return [OutgoingMessage(texts.SEND_NO_MENTEES)]
    buttons = []
    for pairing in pairings:
        name = await display_name(ctx, pairing.mentee_id)
        label = name if len(name) <= MAX_LABEL_CHARS else name[: MAX_LABEL_CHARS - 1] + "…"
        buttons.append(SEND_TO.button(label, SendToPress(key, pairing.mentee_id)))
    return [
        OutgoingMessage.with_buttons(texts.SEND_PICK.format(name=resource.name), buttons, per_row=2)
    ]


async def send_resource(
    ctx: Context, mentor: Person, resource: Resource, key: str, mentee_id: int
) -> Replies:
    """Send the entry to the mentee once today, and tell the mentor how it went."""
    if not await _is_their_mentor(ctx, mentor.id, mentee_id):
        return [OutgoingMessage(texts.SEND_NOT_PAIRED)]
    today, _ = await local_today(ctx, mentee_id)
    mentor_name = mentor.display_name or await display_name(ctx, mentor.id)
    async with speaking_to(ctx, mentee_id):  # the mentee reads it in their language
        message = OutgoingMessage(
            texts.SENT_TO_MENTEE.format(mentor=mentor_name, entry=resource_text(resource))
        )
    outcome = await send_to_mentee(
        ctx,
        mentee_id,
        kind=RESOURCE,
        subject=str(mentee_id),
        occurrence=f"{key}:{today.isoformat()}",
        message=message,
    )
    name = await display_name(ctx, mentee_id)
    return [OutgoingMessage(outcome_line(outcome).format(resource=resource.name, name=name))]


class ResourceSendFlow:
    """Only buttons: ``rm:pick:<key>`` lists the mentees, ``rm:to:<key>:<id>`` sends."""

    name = FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        mentor = turn.person
        if mentor is None or Role.MENTOR not in turn.roles:
            return [OutgoingMessage(texts.SEND_ONLY_MENTORS)]
        press = decode_any(payload, (PICK, SEND_TO))
        resource = find_resource(ctx.program.resources, press.key) if press is not None else None
        if resource is None:
            return [stale_button(texts.SEND_STALE)]
        match press:
            case PickPress(key=key):
                return await pick_mentee(ctx, mentor, resource, key)
            case SendToPress(key=key, mentee=mentee_id):
                return await send_resource(ctx, mentor, resource, key, mentee_id)
        return [stale_button(texts.SEND_STALE)]

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        return [stale_button(texts.SEND_STALE)]  # no state is ever kept for this flow


CAPABILITY = Capability(flows=(ResourceSendFlow(),))
