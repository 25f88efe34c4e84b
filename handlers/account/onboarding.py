"""``/start`` and ``/join``: welcome, consent, name, time zone, check-in time and recovery date.

Nothing beyond the platform account id is stored until the person taps the consent button:
until then the only row about them is their place in this conversation, keyed by that id.

Staff are not mentees: someone who starts with a mentor's, facilitator's or coordinator's
invite code is welcomed for that role (not with the mentee's consent text), is not asked for a
check-in time or a recovery date, and has daily check-ins off until they choose a time in
``/settings``. The welcome is in the language the person's platform names (Telegram's
``language_code``, Discord's locale) when the bot speaks it, with a button for each other
language; the one they consent in is stored with them (``/settings`` changes it). A mentee
is asked, last and skippably, for the date they count their recovery from, so someone with 14
months joins at their real day count (:mod:`handlers.checkins.recovery`). One person may
hold several roles: ``/join CODE`` adds one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers import flowstate, profile
from handlers.account import codeguard, codeguard_texts
from handlers.account import onboarding_texts as texts
from handlers.checkins import recovery
from handlers.context import Capability, CommandSpec, Context, Replies, Turn, end_flow, save_state
from handlers.crisis.reply import crisis_line
from handlers.dispatcher import stale_button
from handlers.i18n import current_language, speaking, supported
from handlers.mentoring import pairing as mentoring
from handlers.messaging import OutgoingMessage
from handlers.profile import (
    LanguagePress,
    NamePress,
    ProfileAnswerError,
    TimePress,
    ZoneNoPress,
    ZoneYesPress,
    local_today,
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


@dataclass(frozen=True, slots=True)
class SinceSkipPress:
    """No recovery date, thanks (or not now)."""


CONSENT_YES = Route(FLOW, "consent:yes", ConsentYesPress)
CONSENT_NO = Route(FLOW, "consent:no", ConsentNoPress)
SINCE_SKIP = Route(FLOW, "since:skip", SinceSkipPress)
ROUTES: tuple[Route[Any], ...] = (CONSENT_YES, CONSENT_NO, SINCE_SKIP, *profile_routes(FLOW).all)
STAFF_ROLES = frozenset({Role.MENTOR, Role.FACILITATOR, Role.COORDINATOR})

_STEP_OF_PRESS: dict[type, str] = {
    ConsentYesPress: "consent",
    ConsentNoPress: "consent",
    NamePress: "name",
    ZoneYesPress: "zone_confirm",
    ZoneNoPress: "zone_confirm",
    TimePress: "time",
    SinceSkipPress: "since",
    LanguagePress: "consent",
}
"""The step a person must be at for a press of each kind to count."""

STEPS = frozenset({"consent", "name", "zone", "zone_confirm", "time", "since"})


@dataclass(frozen=True, slots=True)
class OnboardingState:
    """What onboarding keeps between messages: the step, the invite code given to /start
    (until consent redeems it), the role it grants (for the welcome) and the time zone
    waiting to be confirmed."""

    step: str
    code: str | None = None
    zone: str | None = None
    role: str | None = None
    language: str | None = None
    """Chosen with a language button before consent (nothing else is stored until then)."""


@dataclass(frozen=True, slots=True)
class _Saved:
    """The state's data as stored (``save_state(..., code=...)`` / ``zone=...``)."""

    code: str | None = None
    zone: str | None = None
    role: str | None = None
    language: str | None = None


def load_state(state: ConversationState | None) -> OnboardingState | None:
    """The saved onboarding state, or None if there is none or it has a shape this version
    does not know (saved by an older one): the caller treats that as stale."""
    if state is None or state.flow != FLOW or state.step not in STEPS:
        return None
    saved = flowstate.load(_Saved, state)
    return (
        None
        if saved is None
        else OnboardingState(state.step, saved.code, saved.zone, saved.role, saved.language)
    )


def _is_staff(roles: frozenset[Role]) -> bool:
    """Joined for a staff role and not (also) as a mentee: no daily check-ins by default."""
    return Role.MENTEE not in roles and bool(roles & STAFF_ROLES)


def _welcome(ctx: Context, prefix: str = "", role: str | None = None) -> OutgoingMessage:
    line = crisis_line(ctx.program)
    if role in texts.ROLE_INTRO:
        text = texts.WELCOME_STAFF.format(
            program=ctx.program.name, role=role, intro=texts.ROLE_INTRO[role], crisis_line=line
        )
    else:
        text = texts.WELCOME.format(program=ctx.program.name, crisis_line=line)
    consent = (
        CONSENT_YES.button(texts.CONSENT_YES, ConsentYesPress()),
        CONSENT_NO.button(texts.CONSENT_NO, ConsentNoPress()),
    )
    others = profile.language_buttons(FLOW, besides=current_language())
    return OutgoingMessage(f"{prefix}\n\n{text}" if prefix else text, rows=(consent, tuple(others)))


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
    role: str | None = None
    if code is not None:
        wait = await codeguard.held_back(ctx, turn)
        if wait is not None:
            prefix, code = wait.text, None
    if code is not None:
        try:
            role = (await ctx.storage.check_invite(code, ctx.clock())).role.value
        except InviteError as err:
            await codeguard.failed(ctx, turn, codeguard.INVITE)
            prefix = _invite_problem(err, code)
            code = None
    language = current_language()  # the platform's, if we speak it: their first offer
    await save_state(ctx, turn, FLOW, "consent", code=code, role=role, language=language)
    return [_welcome(ctx, prefix, role)]


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
    joined = texts.INVITE_JOINED.format(role=invite.role.value)
    settings = await ctx.storage.get_settings(turn.person.id)
    if invite.role is Role.MENTEE and settings.checkin_time is None:
        joined = f"{joined} {texts.CHECKINS_OFF_TURN_ON}"  # staff who now take part as mentees
    return [OutgoingMessage(joined), *paired]


def _invite_problem(err: InviteError, code: str) -> str:
    """What went wrong with an invite code, echoing the code only if it looks like one."""
    looks_like = codeguard.shown(code)
    the_code = texts.THE_CODE.format(code=looks_like) if looks_like else codeguard_texts.THAT_CODE
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
    if step == "since":
        return [_ask_since()]
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
            case SinceSkipPress():
                return await _finish(ctx, turn)
            case LanguagePress(code=code) if supported(code):
                # Only the conversation row holds it until they consent.
                await save_state(
                    ctx, turn, FLOW, "consent", code=state.code, role=state.role, language=code
                )
                with speaking(code):
                    return [_welcome(ctx, role=state.role)]
        return [stale_button(texts.STALE_RESTART)]

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        saved = load_state(turn.state)
        if saved is None:  # a state this version does not know: start over safely
            await end_flow(ctx, turn)
            return [stale_button(texts.STALE_RESTART)]
        step = saved.step
        if step == "consent":
            with speaking(saved.language or current_language()):
                return [OutgoingMessage(texts.TAP_CONSENT), _welcome(ctx, role=saved.role)]
        if turn.person is None:  # state says past consent but no person: start over safely
            await end_flow(ctx, turn)
            return [stale_button(texts.STALE_RESTART)]
        if step == "name":
            return await self._name(ctx, turn, text)
        if step in ("zone", "zone_confirm"):
            return await self._zone(ctx, turn, text)
        if step == "since":
            return await self._since(ctx, turn, text)
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
        language = supported(state.language) or current_language()
        await ctx.storage.update_settings(person.id, language=language)
        with speaking(language):  # from here on the dispatcher reads it from their settings
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
        if _is_staff(turn.roles):  # staff: check-ins off until they choose a time in /settings
            return await _finish(ctx, turn)
        await save_state(ctx, turn, FLOW, "time")
        return [profile.ask_time(FLOW)]

    async def _time(self, ctx: Context, turn: Turn, text: str) -> Replies:
        assert turn.person is not None
        try:
            await profile.save_time(ctx, turn.person.id, text)
        except ProfileAnswerError as err:
            return [OutgoingMessage(str(err))]
        await save_state(ctx, turn, FLOW, "since")
        return [_ask_since()]

    async def _since(self, ctx: Context, turn: Turn, text: str) -> Replies:
        assert turn.person is not None
        today, _ = await local_today(ctx, turn.person.id)
        start = recovery.read_recovery_date(text, today)
        if isinstance(start, str):
            return [_ask_since(start)]
        await recovery.set_recovery_date(ctx, turn.person, start, correction=True)
        return await _finish(ctx, turn, recovery.counted_from(start, today))


def _ask_since(lead: str = "") -> OutgoingMessage:
    """The optional recovery-date question, with its native skip button."""
    text = f"{lead}\n\n{texts.ASK_SINCE}" if lead else texts.ASK_SINCE
    skip = SINCE_SKIP.button(texts.SKIP_SINCE, SinceSkipPress())
    return OutgoingMessage.with_buttons(text, [skip])


async def _finish(ctx: Context, turn: Turn, counted: str = "") -> Replies:
    """Onboarding done: the person is set up, their check-ins (if any) scheduled."""
    assert turn.person is not None
    person_id = turn.person.id
    await ctx.storage.mark_onboarded(person_id, ctx.clock())
    await end_flow(ctx, turn)
    await ctx.capabilities.schedule_changed(ctx, person_id)
    name = turn.person.display_name or "friend"
    settings = await ctx.storage.get_settings(person_id)
    if _is_staff(turn.roles) and settings.checkin_time is None:
        role = next(r for r in (Role.COORDINATOR, Role.FACILITATOR, Role.MENTOR) if r in turn.roles)
        done = texts.DONE_STAFF.format(name=name, role=role.value, zone=settings.timezone)
    else:
        shown = (
            profile.format_time(profile.time_from_setting(settings.checkin_time))
            if settings.checkin_time
            else "-"
        )
        done = texts.DONE.format(name=name, time=shown, zone=settings.timezone)
    return [OutgoingMessage(f"{counted}\n\n{done}" if counted else done)]


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
