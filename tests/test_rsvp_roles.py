"""The RSVP role rule lives in the core; a messenger only says whether a role is configured
and who holds it (``handlers.messaging.RsvpRoles``)."""

from __future__ import annotations

from handlers.circles.rsvp import may_answer
from handlers.context import Context, Turn
from handlers.messaging import ButtonPress, ConversationRef, IncomingEvent, Messengers
from tests.support import RecordingMessenger


class RoleMessenger(RecordingMessenger):
    """A recording messenger on a platform with an RSVP role, held by ``holders``."""

    def __init__(self, *, required: bool = True, holders: frozenset[str] = frozenset()) -> None:
        super().__init__("guild")
        self.required = required
        self.holders = holders

    def rsvp_role_required(self) -> bool:
        return self.required

    async def holds_rsvp_role(self, event: IncomingEvent) -> bool:
        return event.ref.user_id in self.holders


def turn_of(user_id: str) -> Turn:
    ref = ConversationRef("guild", "chan-1", user_id)
    event = IncomingEvent(ref, ButtonPress("cr:7:g"))
    return Turn(event=event, person=None, roles=frozenset(), state=None)


async def test_going_and_maybe_need_the_role_where_one_is_set(ctx: Context) -> None:
    messenger = RoleMessenger(holders=frozenset({"member"}))
    here = Context(storage=ctx.storage, messengers=Messengers({"guild": messenger}))
    for choice in ("g", "m"):
        assert await may_answer(here, turn_of("member"), choice)
        assert not await may_answer(here, turn_of("visitor"), choice)
    for choice in ("c", "x"):  # saying no, or no more reminders, is open to everyone
        assert await may_answer(here, turn_of("visitor"), choice)


async def test_no_role_configured_or_no_such_port_lets_anyone_answer(ctx: Context) -> None:
    unset = RoleMessenger(required=False)
    here = Context(storage=ctx.storage, messengers=Messengers({"guild": unset}))
    assert await may_answer(here, turn_of("visitor"), "g")
    plain = Context(
        storage=ctx.storage, messengers=Messengers({"guild": RecordingMessenger("guild")})
    )
    assert await may_answer(plain, turn_of("visitor"), "g")
