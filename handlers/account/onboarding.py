"""``/start`` and ``/join``: welcome, consent, name, time zone and check-in time.

Nothing beyond the platform account id is stored until the person taps the consent button:
until then the only row about them is their place in this conversation, keyed by that id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers import flowstate, profile
from handlers.account import codeguard
from handlers.account import onboarding_texts as texts
from handlers.context import Capability, CommandSpec, Context, Replies, Turn, end_flow, save_state
from handlers.crisis.reply import crisis_line
from handlers.dispatcher import stale_button
from handlers.mentoring import pairing as mentoring
from handlers.messaging import OutgoingMessage
from handlers.profile import (
    NamePress,
    ProfileAnswerError,
    TimePress,
    ZoneNoPress,
    ZoneYesPress,
    profile_routes,
)
from handlers.routes import Route, decode_any
from handlers.texts import profile as profile_texts
from storage.conversations import ConversationState
from storage.people import Account, InviteCode, InviteError, Role

FLOW = "ob"


@dataclass(frozen=True, slots=True)
class ConsentYesPress:
    """I agree: store what I tell you."""


@dataclass(frozen=True, slots=True)
class ConsentNoPress:
    """No thanks: forget me."""


CONSENT_YES = Route(FLOW, "consent:yes", ConsentYesPress)
CONSENT_NO = Route(FLOW, "consent:no", ConsentNoPress)
ROUTES: tuple[Route[Any], ...] = (CONSENT_YES, CONSENT_NO, *profile_routes(FLOW).all)

_STEP_OF_PRESS: dict[type, str] = {
    ConsentYesPress: "consent",
    ConsentNoPress: "consent",
    NamePress: "name",
    ZoneYesPress: "zone_confirm",
    ZoneNoPress: "zone_confirm",
    TimePress: "time",
}
"""The step a person must be at for a press of each kind to count."""

STEPS = frozenset({"consent", "name", "zone", "zone_confirm", "time"})


@dataclass(frozen=True, slots=True)
class OnboardingState:
    """What onboarding keeps between messages: the step, the invite code given to /start
    (until consent redeems it) and the time zone waiting to be confirmed."""

    step: str
    code: str | None = None
    zone: str | None = None


@dataclass(frozen=True, slots=True)
class _Saved:
    """The state's data as stored (``save_state(..., code=...)`` / ``zone=...``)."""

    code: str | None = None
    zone: str | None = None


def load_state(state: ConversationState | None) -> OnboardingState | None:
    """The saved onboarding state, or None if there is none or it has a shape this version
    does not know (saved by an older one): the caller treats that as stale."""
    if state is None or state.flow != FLOW or state.step not in STEPS:
        return None
    saved = flowstate.load(_Saved, state)
    return None if saved is None else OnboardingState(state.step, saved.code, saved.zone)


def _welcome(ctx: Context, prefix: str = "") -> OutgoingMessage:
    text = texts.WELCOME.format(program=ctx.program.name, crisis_line=crisis_line(ctx.program))
    return OutgoingMessage.with_buttons(
        f"{prefix}\n\n{text}" if prefix else text,
        [
            CONSENT_YES.button(texts.CONSENT_YES, ConsentYesPress()),
            CONSENT_NO.button(texts.CONSENT_NO, ConsentNoPress()),
        ],
    )


async def start(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/start [CODE]``: begin, resume where onboarding stopped, or welcome back."""
    person = turn.person
    if person is not None and person.onboarded:
        if args:
            return await join(ctx, turn, args)
        if person.stopped_at is not None:
            await ctx.storage.set_stopped(person.id, None)
            await ctx.capabilities.schedule_changed(ctx, person.id)
            return [OutgoingMessage(texts.WELCOME_BACK.format(name=person.display_name))]
        return [OutgoingMessage(texts.ALREADY_SET_UP.format(name=person.display_name))]
    if person is not None:
        return await _resume(ctx, turn)
    prefix = ""
    code = args[0] if args else None
    if code is not None:
        wait = await codeguard.held_back(ctx, turn)
        if wait is not None:
            prefix, code = wait.text, None
    if code is not None:
        try:
            await ctx.storage.check_invite(code, ctx.clock())
        except InviteError as err:
            await codeguard.failed(ctx, turn, codeguard.INVITE)
            prefix = _invite_problem(err, code)
            code = None
    await save_state(ctx, turn, FLOW, "consent", code=code)
    return [_welcome(ctx, prefix)]


async def join(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/join CODE``: take on the role an invite code grants."""
    if turn.person is None or not turn.person.onboarded:
        return await start(ctx, turn, args)
    if not args:
        return [OutgoingMessage(texts.JOIN_NEEDS_CODE)]
    wait = await codeguard.held_back(ctx, turn)
    if wait is not None:
        return [wait]
    try:
        invite = await ctx.storage.redeem_invite(args[0], ctx.clock())
    except InviteError as err:
        await codeguard.failed(ctx, turn, codeguard.INVITE)
        return [OutgoingMessage(_invite_problem(err, args[0]))]
    await ctx.storage.grant_role(turn.person.id, invite.role, ctx.clock())
    paired = await mentoring.after_invite(ctx, turn.person.id, invite)
    return [OutgoingMessage(texts.INVITE_JOINED.format(role=invite.role.value)), *paired]


def _invite_problem(err: InviteError, code: str) -> str:
    """What went wrong with an invite code, echoing the code only if it looks like one."""
    looks_like = codeguard.shown(code)
    the_code = texts.THE_CODE.format(code=looks_like) if looks_like else codeguard.THAT_CODE
    problem = texts.INVITE_PROBLEM[err.problem.value].format(the_code=the_code)
    return f"{problem[:1].upper()}{problem[1:]} {texts.INVITE_NEXT_STEP}"


async def _resume(ctx: Context, turn: Turn) -> Replies:
    """Ask again whatever question the person had reached (after a restart, or /start)."""
    saved = load_state(turn.state)
    step = saved.step if saved is not None else "name"
    assert turn.person is not None
    if step == "zone" or step == "zone_confirm":
        await save_state(ctx, turn, FLOW, "zone")
        return [profile.ask_zone(turn.person.display_name)]
    if step == "time":
        return [profile.ask_time(FLOW)]
    await save_state(ctx, turn, FLOW, "name")
    return [profile.ask_name(FLOW)]


class OnboardingFlow:
    name = FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = decode_any(payload, ROUTES)
        state = load_state(turn.state)
        if press is None or state is None or _STEP_OF_PRESS[type(press)] != state.step:
            if turn.person is not None and turn.person.onboarded:
                return [stale_button(texts.STALE_SET_UP)]
            return [stale_button(texts.STALE_RESTART)]
        match press:
            case ConsentYesPress():
                return await self._consent(ctx, turn, state, accepted=True)
            case ConsentNoPress():
                return await self._consent(ctx, turn, state, accepted=False)
            case NamePress(name=name):
                return await self._name(ctx, turn, name)
            case ZoneYesPress():
                return await self._zone_confirmed(ctx, turn, state)
            case ZoneNoPress():
                await save_state(ctx, turn, FLOW, "zone")
                return [OutgoingMessage(profile_texts.ZONE_RETYPE)]
            case TimePress(time=chosen):
                return await self._time(ctx, turn, chosen)
        return [stale_button(texts.STALE_RESTART)]

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        saved = load_state(turn.state)
        if saved is None:  # a state this version does not know: start over safely
            await end_flow(ctx, turn)
            return [stale_button(texts.STALE_RESTART)]
        step = saved.step
        if step == "consent":
            return [OutgoingMessage(texts.TAP_CONSENT), _welcome(ctx)]
        if turn.person is None:  # state says past consent but no person: start over safely
            await end_flow(ctx, turn)
            return [stale_button(texts.STALE_RESTART)]
        if step == "name":
            return await self._name(ctx, turn, text)
        if step in ("zone", "zone_confirm"):
            return await self._zone(ctx, turn, text)
        return await self._time(ctx, turn, text)

    async def _consent(
        self, ctx: Context, turn: Turn, state: OnboardingState, *, accepted: bool
    ) -> Replies:
        if not accepted:
            await end_flow(ctx, turn)  # the only row we held: gone
            return [OutgoingMessage(texts.DECLINED)]
        replies: Replies = []
        role = Role.MENTEE
        code = state.code
        invite: InviteCode | None = None
        if code is not None:
            try:
                invite = await ctx.storage.redeem_invite(code, ctx.clock())
                role = invite.role
            except InviteError as err:  # used up between /start and now
                replies.append(OutgoingMessage(_invite_problem(err, code)))
        ref = turn.event.private_ref  # from a group: their private chat, never the group
        person = await ctx.storage.create_person(
            Account(turn.address, person_id=0, chat_id=ref.chat_id, thread_id=ref.thread_id),
            role=role,
            consented_at=ctx.clock(),
        )
        if role is not Role.MENTEE:
            replies.append(OutgoingMessage(texts.INVITE_JOINED.format(role=role.value)))
        if invite is not None:  # a mentor's invite pairs them with that mentor
            replies += await mentoring.after_invite(ctx, person.id, invite)
        await save_state(ctx, turn.with_person(person, frozenset({role})), FLOW, "name")
        replies.append(profile.ask_name(FLOW))
        return replies

    async def _name(self, ctx: Context, turn: Turn, text: str) -> Replies:
        assert turn.person is not None
        try:
            name = await profile.save_name(ctx, turn.person.id, text)
        except ProfileAnswerError as err:
            return [OutgoingMessage(str(err))]
        await save_state(ctx, turn, FLOW, "zone")
        return [profile.ask_zone(name)]

    async def _zone(self, ctx: Context, turn: Turn, text: str) -> Replies:
        return await profile.answer_zone(ctx, turn, FLOW, text)

    async def _zone_confirmed(self, ctx: Context, turn: Turn, state: OnboardingState) -> Replies:
        assert turn.person is not None
        try:
            await profile.save_zone(ctx, turn.person.id, state.zone)
        except ProfileAnswerError as err:
            await save_state(ctx, turn, FLOW, "zone")
            return [OutgoingMessage(str(err))]
        await save_state(ctx, turn, FLOW, "time")
        return [profile.ask_time(FLOW)]

    async def _time(self, ctx: Context, turn: Turn, text: str) -> Replies:
        assert turn.person is not None
        person_id = turn.person.id
        try:
            chosen, settings = await profile.save_time(ctx, person_id, text)
        except ProfileAnswerError as err:
            return [OutgoingMessage(str(err))]
        await ctx.storage.mark_onboarded(person_id, ctx.clock())
        await end_flow(ctx, turn)
        await ctx.capabilities.schedule_changed(ctx, person_id)
        return [
            OutgoingMessage(
                texts.DONE.format(
                    name=turn.person.display_name or "friend",
                    time=profile.format_time(chosen),
                    zone=settings.timezone,
                )
            )
        ]


CAPABILITY = Capability(
    commands=(
        CommandSpec(
            "start",
            "set up, or come back after /stop",
            start,
            needs_person=False,
            arg_hint="[CODE]",
        ),
        CommandSpec("join", "use an invite code", join, needs_person=False, arg_hint="CODE"),
    ),
    flows=(OnboardingFlow(),),
)
