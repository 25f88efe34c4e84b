"""What every circle module needs: where a circle meets, who may lead it, how to reach people."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from handlers.circles import texts
from handlers.context import Context, Replies, Turn, end_flow
from handlers.logsafe import describe_exception
from handlers.messaging import (
    ChatKind,
    ConversationRef,
    DeliveryError,
    DeliveryFailure,
    OutgoingMessage,
)
from handlers.outbox import prompt_ref, send_with_retries
from handlers.routes import Route
from handlers.timing import is_valid_zone
from storage.circles import Circle, Session, Venue, VenueKind
from storage.people import Role

log = logging.getLogger(__name__)

EVERYONE = frozenset(Role)
LEADERS = frozenset({Role.FACILITATOR, Role.COORDINATOR})

# Ledger and due-queue kinds.
ANNOUNCE = "circle_announce"
REMINDER = "circle_reminder"
START = "circle_start"
TIMER = "circle_timer"
SUMMARY = "circle_summary"
PULSE = "circle_pulse"
PROMOTED = "circle_promoted"
CANCELLED = "circle_cancelled"
CRISIS = "circle_crisis"

# Button payload prefixes (flows).
RSVP_FLOW = "cr"
CREATE_FLOW = "cc"
SESSION_FLOW = "cs"


# The buttons of a running session: ``cs:<session>:here|hand|pass|ext:<turn>|ho:<person>|p:<n>``.


@dataclass(frozen=True, slots=True)
class HerePress:
    session: int


@dataclass(frozen=True, slots=True)
class HandPress:
    session: int


@dataclass(frozen=True, slots=True)
class PassPress:
    session: int


@dataclass(frozen=True, slots=True)
class ExtendPress:
    session: int
    turn: int
    """The turn the button was sent for: a press after the floor moved on is too late."""


@dataclass(frozen=True, slots=True)
class HandOverPress:
    session: int
    person: int


@dataclass(frozen=True, slots=True)
class PulsePress:
    session: int
    value: int
    """1-5 on the check-out."""


HERE = Route(SESSION_FLOW, "{session}:here", HerePress)
HAND = Route(SESSION_FLOW, "{session}:hand", HandPress)
PASS = Route(SESSION_FLOW, "{session}:pass", PassPress)
EXTEND = Route(SESSION_FLOW, "{session}:ext:{turn}", ExtendPress)
HAND_OVER = Route(SESSION_FLOW, "{session}:ho:{person}", HandOverPress)
PULSE_PICK = Route(SESSION_FLOW, "{session}:p:{value}", PulsePress)
SESSION_ROUTES = (HERE, HAND, PASS, EXTEND, HAND_OVER, PULSE_PICK)
PICK_FLOW = "cm"


@dataclass(frozen=True, slots=True)
class RsvpPress:
    """``cr:<occurrence>:g|m|c`` (going, maybe, can't) or ``:x`` (no more reminders)."""

    occurrence: int
    choice: str


@dataclass(frozen=True, slots=True)
class PickPress:
    """A facilitator's choice of circle for ``/circle <action> [args]``."""

    action: str
    circle: int
    args: str = ""


@dataclass(frozen=True, slots=True)
class PickBarePress:
    """The same choice when the action's words did not fit in the payload."""

    action: str
    circle: int


RSVP = Route(RSVP_FLOW, "{occurrence}:{choice}", RsvpPress)
PICK = Route(PICK_FLOW, "{action}:{circle}:{args}", PickPress)
PICK_BARE = Route(PICK_FLOW, "{action}:{circle}", PickBarePress)


def venue_ref(venue: Venue) -> ConversationRef:
    return ConversationRef(
        platform=venue.platform, chat_id=venue.chat_id, thread_id=venue.thread_id
    )


def venue_kinds(ctx: Context, platform: str) -> tuple[VenueKind, ...]:
    """The kinds of place a circle can meet in on ``platform``, the usual one first, as its
    messenger declares them (a Telegram chat is a group; a Discord channel text or voice)."""
    return ctx.messengers.capabilities_of(platform).venue_kinds


def venue_from(ctx: Context, ref: ConversationRef, kind: VenueKind | None = None) -> Venue:
    """The chat an event came from, as a place to meet (by default of the platform's usual
    kind)."""
    default = venue_kinds(ctx, ref.platform)[0]
    return Venue(ref.platform, ref.chat_id, ref.thread_id, kind or default)


def meets_in(circle: Circle, ref: ConversationRef) -> bool:
    """Whether ``ref`` is the circle's chat (and its thread or topic, when it has one)."""
    venue = circle.venue
    if venue is None or (venue.platform, venue.chat_id) != (ref.platform, ref.chat_id):
        return False
    return venue.thread_id is None or venue.thread_id == ref.thread_id


async def circles_here(ctx: Context, ref: ConversationRef) -> list[Circle]:
    found = await ctx.storage.circles_at_venue(ref.platform, ref.chat_id)
    return [circle for circle in found if meets_in(circle, ref)]


def may_lead(circle: Circle, turn: Turn) -> bool:
    """The circle's facilitator or co-facilitator, or a coordinator."""
    if turn.person is None:
        return False
    return turn.person.id in circle.leaders() or Role.COORDINATOR in turn.roles


async def dm_ref(
    ctx: Context, person_id: int, platform: str | None = None
) -> ConversationRef | None:
    """A person's private chat, on ``platform`` if they have an account there."""
    for account in await ctx.storage.accounts_of(person_id):
        if account.address.platform == platform:
            return ConversationRef(
                platform=account.address.platform,
                chat_id=account.chat_id,
                user_id=account.address.platform_user_id,
                thread_id=account.thread_id,
            )
    return await prompt_ref(ctx, person_id)


async def name_of(ctx: Context, person_id: int | None) -> str:
    person = await ctx.storage.get_person(person_id) if person_id is not None else None
    return person.display_name if person is not None and person.display_name else texts.SOMEONE


async def zone_of(ctx: Context, person_id: int) -> str | None:
    """The person's zone, if they told us one that still exists."""
    zone = (await ctx.storage.get_settings(person_id)).timezone
    return zone if zone and is_valid_zone(zone) else None


async def post_to_venue(ctx: Context, circle: Circle, message: OutgoingMessage) -> bool:
    """Say something to the whole room (a reply to a button may be private on some
    platforms); False when it could not be posted, so the caller replies instead."""
    if circle.venue is None:
        return False
    try:
        await send_with_retries(ctx, venue_ref(circle.venue), message)
    except DeliveryError as err:
        log.warning("posting to circle %s failed: %s", circle.id, describe_exception(err))
        return False
    return True


async def say_in_room(
    ctx: Context, circle: Circle, message: OutgoingMessage
) -> list[OutgoingMessage]:
    """Post to the venue; if that fails, the message becomes the reply instead."""
    return [] if await post_to_venue(ctx, circle, message) else [message]


async def find_session(ctx: Context, turn: Turn) -> tuple[Circle, Session] | None:
    """The open session of a circle meeting in this chat (or, in a private chat, of a circle
    the person leads): session commands may come from either."""
    if turn.person is None:
        return None
    if turn.event.chat_kind is ChatKind.DIRECT:
        circles = await ctx.storage.circles_led_by(turn.person.id)
        if Role.COORDINATOR in turn.roles and not circles:
            circles = await ctx.storage.active_circles()
    else:
        circles = await circles_here(ctx, turn.event.ref)
    for circle in circles:
        session = await ctx.storage.open_session(circle.id)
        if session is not None:
            return circle, session
    return None


def may_run(circle: Circle, session: Session, turn: Turn) -> bool:
    """Whoever runs the session now, the circle's leaders, or a coordinator."""
    if turn.person is not None and turn.person.id == session.runner_id:
        return True
    return may_lead(circle, turn)


async def continue_privately(
    ctx: Context, turn: Turn, message: OutgoingMessage, moved: str
) -> Replies:
    """A conversation that needs typed answers moves to the person's private chat: text in a
    group is for people, not for the bot."""
    if turn.event.chat_kind is ChatKind.DIRECT or turn.person is None:
        return [message]
    private = await dm_ref(ctx, turn.person.id, turn.event.ref.platform)
    try:
        if private is None:
            raise DeliveryError(DeliveryFailure.NO_PRIVATE_CHAT, "no private chat")
        await send_with_retries(ctx, private, message)
    except DeliveryError as err:
        log.warning("no private chat on %s: %s", turn.event.ref.platform, describe_exception(err))
        await end_flow(ctx, turn)
        return [OutgoingMessage(texts.DM_FAILED)]
    return [OutgoingMessage(moved)]
