"""Running a circle: ``/circle start``, "I'm here", the opening round, the share timer and
handing the running of a session to a co-facilitator.

What the whole room should see (the guidelines, whose turn it is, the nudge) is posted in the
circle's chat; what concerns one person is the reply to them (private on Discord). The share
timer is a ``circle_timer`` row in the due queue, subject the session id.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.circles import summary as circles_summary
from handlers.circles import texts, when
from handlers.circles.common import (
    EXTEND,
    HAND,
    HAND_OVER,
    HERE,
    LEADERS,
    PASS,
    SESSION_FLOW,
    SESSION_ROUTES,
    TIMER,
    ExtendPress,
    HandOverPress,
    HandPress,
    HerePress,
    PassPress,
    PulsePress,
    circles_here,
    find_session,
    may_run,
    meets_in,
    name_of,
    say_in_room,
    venue_ref,
    zone_of,
)
from handlers.circles.schedule import scheduled_occurrence
from handlers.context import Context, Replies, Turn
from handlers.dispatcher import stale_button
from handlers.logsafe import describe_exception
from handlers.messaging import ConversationRef, OutgoingMessage, VoicePresence
from handlers.numbers import read_id
from handlers.outbox import deliver
from handlers.profile import format_time
from handlers.routes import decode_any
from storage.circles import Attendance, Circle, Occurrence, Session, SpeakingOrder
from storage.due_queue import DueWork
from storage.people import AccountAddress

log = logging.getLogger(__name__)

SHARE_SECONDS = 180
EXTENSION = timedelta(minutes=2)
EARLY_START = timedelta(hours=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def speaking_queue(
    attendance: list[Attendance],
    mode: SpeakingOrder,
    last_spoke: dict[int, datetime],
    current: int | None,
) -> list[int]:
    """Who speaks next: the opening round (join order, or quiet-first: never spoken here, then
    those who spoke longest ago), then raised hands in the order they went up."""
    here = [a for a in attendance if a.attended and a.person_id != current]
    opening = [a for a in here if a.shared == 0 and not a.passed]
    if mode is SpeakingOrder.QUIET_FIRST:
        opening.sort(
            key=lambda a: (
                a.person_id in last_spoke,
                last_spoke.get(a.person_id, _EPOCH),
                a.joined_at or _EPOCH,
            )
        )
    waiting = {a.person_id for a in opening}
    hands = sorted(
        (a for a in here if a.hand_raised_at is not None and a.person_id not in waiting),
        key=lambda a: a.hand_raised_at or _EPOCH,
    )
    return [a.person_id for a in opening] + [a.person_id for a in hands]


async def _current_occurrence(ctx: Context, circle: Circle, now: datetime) -> Occurrence | None:
    """The occurrence under way, or starting within the hour."""
    for occurrence in await ctx.storage.occurrences_of(circle.id, after=now - circle.duration):
        if not occurrence.cancelled and occurrence.starts_at - EARLY_START <= now:
            return occurrence
    return None


async def start(ctx: Context, turn: Turn, circle: Circle, args: tuple[str, ...]) -> Replies:
    """``/circle start [quiet]``: open the session and post the guidelines in the venue."""
    assert turn.person is not None
    if circle.venue is None:
        return [OutgoingMessage(texts.START_NEEDS_VENUE.format(title=circle.title))]
    now = ctx.clock()
    occurrence = await _current_occurrence(ctx, circle, now)
    if occurrence is None:
        following = await scheduled_occurrence(ctx, circle)
        if following is None or following.cancelled:
            return [OutgoingMessage(texts.START_NOTHING_SCHEDULED.format(title=circle.title))]
        zone = await zone_of(ctx, turn.person.id)
        shown = when.show_when(following.starts_at, zone or circle.zone, own_zone=bool(zone))
        return [OutgoingMessage(texts.START_NOT_YET.format(title=circle.title, when=shown))]
    quiet = bool(args) and args[0].casefold().startswith("quiet")
    mode = SpeakingOrder.QUIET_FIRST if quiet else SpeakingOrder.JOIN_ORDER
    session = await ctx.storage.start_session(
        circle.id,
        occurrence.id,
        runner_id=turn.person.id,
        mode=mode,
        share_seconds=SHARE_SECONDS,
        now=now,
    )
    if session is None:
        await count_present(ctx)  # whoever already sits in a voice room counts as here
        running = await ctx.storage.open_session(circle.id)
        opened = running.started_at if running else now
        local = opened.astimezone(ZoneInfo(circle.zone)).time()
        return [
            OutgoingMessage(
                texts.ALREADY_RUNNING.format(
                    title=circle.title,
                    runner=await name_of(ctx, running.runner_id if running else None),
                    time=format_time(local),
                )
            )
        ]
    await ctx.calendars.started(circle, occurrence)
    extra = circle.guidelines.strip()
    text = texts.GUIDELINES_POST.format(
        title=circle.title,
        core=texts.CORE_GUIDELINES,
        extra=texts.EXTRA_GUIDELINES.format(guidelines=extra)
        if extra and extra != texts.DEFAULT_GUIDELINES
        else "",
        runner=turn.person.display_name or texts.SOMEONE,
        order=texts.ORDER_QUIET if quiet else texts.ORDER_JOIN,
    )
    here = HERE.button(texts.IM_HERE, HerePress(session.id))
    replies = await say_in_room(ctx, circle, OutgoingMessage.with_buttons(text, [here]))
    await count_present(ctx)  # people usually join the voice room before it starts
    return replies


async def next_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/next``: the floor moves on (the one who had it is counted as having shared)."""
    found = await find_session(ctx, turn)
    if found is None:
        return [OutgoingMessage(texts.NO_SESSION_HERE)]
    circle, session = found
    if not may_run(circle, session, turn):
        runner = await name_of(ctx, session.runner_id)
        return [OutgoingMessage(texts.NOT_RUNNING_IT.format(runner=runner))]
    return await advance(ctx, circle, session, count_current=True)


async def advance(
    ctx: Context, circle: Circle, session: Session, *, count_current: bool, before: str = ""
) -> Replies:
    now = ctx.clock()
    current = session.current_speaker_id
    if current is not None and count_current:
        await ctx.storage.record_share(session.id, current, now)
    attendance = await ctx.storage.attendance_of(session.id)
    last = (
        await ctx.storage.last_spoke(circle.id, session.id)
        if session.mode is SpeakingOrder.QUIET_FIRST
        else {}
    )
    queue = speaking_queue(attendance, session.mode, last, current)
    prefix = f"{before}\n" if before else ""
    if not queue:
        await ctx.storage.set_speaker(session.id, None, now)
        await ctx.storage.clear_due(TIMER, str(session.id))
        runner = await name_of(ctx, session.runner_id)
        anyone = any(a.attended for a in attendance)
        text = texts.ROUND_DONE.format(runner=runner) if anyone else texts.NOBODY_HERE_YET
        return await say_in_room(ctx, circle, OutgoingMessage(prefix + text))
    speaker = queue[0]
    updated = await ctx.storage.set_speaker(session.id, speaker, now)
    await ctx.storage.set_hand(session.id, speaker, None)
    due = now + timedelta(seconds=session.share_seconds)
    await ctx.storage.set_due(
        DueWork(TIMER, str(session.id), due, f"{updated.turn_no}@{int(due.timestamp())}")
    )
    after = (
        texts.UP_NEXT.format(name=await name_of(ctx, queue[1]))
        if len(queue) > 1
        else texts.LAST_IN_ROUND
    )
    text = texts.FLOOR.format(
        name=await name_of(ctx, speaker), minutes=session.share_seconds // 60, after=after
    )
    buttons = [
        HAND.button(texts.RAISE_HAND, HandPress(session.id)),
        PASS.button(texts.PASS, PassPress(session.id)),
        EXTEND.button(texts.MORE_TIME, ExtendPress(session.id, updated.turn_no)),
    ]
    return await say_in_room(ctx, circle, OutgoingMessage.with_buttons(prefix + text, buttons))


class SessionFlow:
    """Buttons of a running circle: ``cs:<session>:here|hand|pass|ext:<turn>|ho:<person>|p:<n>``."""

    name = SESSION_FLOW

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        return [stale_button(texts.STALE_NEXT_STEP)]  # this flow never holds a conversation

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = decode_any(payload, SESSION_ROUTES)
        session = await ctx.storage.get_session(press.session) if press else None
        circle = await ctx.storage.get_circle(session.circle_id) if session else None
        if press is None or session is None or circle is None:
            return [stale_button(texts.STALE_NEXT_STEP)]
        if isinstance(press, PulsePress):
            return await circles_summary.pulse(ctx, turn, circle, session, press.value)
        if not session.open:
            return [OutgoingMessage(texts.SESSION_OVER)]
        if turn.person is None or not turn.person.onboarded:
            return [OutgoingMessage(texts.NOT_A_MEMBER_HERE)]
        in_room = isinstance(press, HerePress | HandPress | PassPress)
        if in_room and not meets_in(circle, turn.event.ref):
            # Being here, a hand and a pass count only from the circle's own room: a press
            # forged from any other chat must not mark anyone present or move the floor.
            return [OutgoingMessage(texts.ONLY_IN_THE_ROOM)]
        person_id, now = turn.person.id, ctx.clock()
        name = turn.person.display_name or texts.SOMEONE
        match press:
            case HerePress():
                new = await ctx.storage.mark_here(session.id, person_id, now)
                count = sum(a.attended for a in await ctx.storage.attendance_of(session.id))
                template = texts.WELCOME_HERE if new else texts.ALREADY_HERE
                return [OutgoingMessage(template.format(name=name, count=count))]
            case HandPress():
                await ctx.storage.mark_here(session.id, person_id, now)  # pressing means here
                return await _raise_hand(ctx, session, person_id, name)
            case PassPress():
                await ctx.storage.mark_here(session.id, person_id, now)
                return await _pass(ctx, circle, session, person_id, name)
            case ExtendPress(turn=turn_no):
                return await _extend(ctx, turn, circle, session, turn_no)
            case HandOverPress(person=chosen):
                return await _hand_over(ctx, turn, circle, session, chosen)
        return [stale_button(texts.STALE_NEXT_STEP)]


async def _raise_hand(ctx: Context, session: Session, person_id: int, name: str) -> Replies:
    if session.current_speaker_id == person_id:
        return [OutgoingMessage(texts.HAND_HAS_FLOOR.format(name=name))]
    if not await ctx.storage.set_hand(session.id, person_id, ctx.clock()):
        return [OutgoingMessage(texts.HAND_ALREADY.format(name=name))]
    attendance = await ctx.storage.attendance_of(session.id)
    round_left = any(
        a.attended and a.shared == 0 and not a.passed and a.person_id != person_id
        for a in attendance
    )
    template = texts.HAND_UP if round_left else texts.HAND_UP_OPEN
    return [OutgoingMessage(template.format(name=name))]


async def _pass(
    ctx: Context, circle: Circle, session: Session, person_id: int, name: str
) -> Replies:
    if session.current_speaker_id == person_id:
        await ctx.storage.record_pass(session.id, person_id)
        before = texts.PASSED_FLOOR.format(name=name)
        return await advance(ctx, circle, session, count_current=False, before=before)
    if await ctx.storage.record_pass(session.id, person_id):
        return [OutgoingMessage(texts.PASSED.format(name=name))]
    return [OutgoingMessage(texts.PASSED_ALREADY.format(name=name))]


async def _extend(
    ctx: Context, turn: Turn, circle: Circle, session: Session, turn_no: int
) -> Replies:
    if not may_run(circle, session, turn):
        runner = await name_of(ctx, session.runner_id)
        return [OutgoingMessage(texts.EXTEND_ONLY_RUNNER.format(runner=runner))]
    if turn_no != session.turn_no or session.current_speaker_id is None:
        return [OutgoingMessage(texts.TURN_OVER)]
    now = ctx.clock()
    row = await ctx.storage.get_due(TIMER, str(session.id))
    base = row.due_at if row is not None and row.occurrence.startswith(f"{turn_no}@") else now
    due = max(base, now) + EXTENSION
    await ctx.storage.set_due(
        DueWork(TIMER, str(session.id), due, f"{turn_no}@{int(due.timestamp())}")
    )
    speaker = await name_of(ctx, session.current_speaker_id)
    return await say_in_room(ctx, circle, OutgoingMessage(texts.EXTENDED.format(name=speaker)))


async def _candidates(ctx: Context, circle: Circle, session: Session) -> list[int]:
    """Who could run the rest: the circle's leaders, then attendees with a leader's role."""
    found = list(circle.leaders())
    for a in await ctx.storage.attendance_of(session.id):
        if a.attended and await ctx.storage.roles_of(a.person_id) & LEADERS:
            found.append(a.person_id)
    return [p for p in dict.fromkeys(found) if p != session.runner_id]


async def handover(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/circle handover [@name]``: pick who runs the rest of the session."""
    found = await find_session(ctx, turn)
    if found is None:
        return [OutgoingMessage(texts.NO_SESSION_HERE)]
    circle, session = found
    if not may_run(circle, session, turn):
        runner = await name_of(ctx, session.runner_id)
        return [OutgoingMessage(texts.NOT_RUNNING_IT.format(runner=runner))]
    candidates = await _candidates(ctx, circle, session)
    names = {person_id: await name_of(ctx, person_id) for person_id in candidates}
    wanted = " ".join(args).strip().lstrip("@").casefold()
    matching = [p for p in candidates if wanted and wanted in names[p].casefold()]
    candidates = matching or candidates
    if not candidates:
        return [OutgoingMessage(texts.HANDOVER_NOBODY)]
    buttons = [HAND_OVER.button(names[p], HandOverPress(session.id, p)) for p in candidates]
    text = texts.HANDOVER_PICK.format(title=circle.title)
    return [OutgoingMessage.with_buttons(text, buttons, per_row=2)]


async def _hand_over(
    ctx: Context, turn: Turn, circle: Circle, session: Session, person_id: int
) -> Replies:
    if not may_run(circle, session, turn):
        runner = await name_of(ctx, session.runner_id)
        return [OutgoingMessage(texts.NOT_RUNNING_IT.format(runner=runner))]
    if person_id not in await _candidates(ctx, circle, session):
        return [stale_button(texts.STALE_NEXT_STEP)]
    await ctx.storage.set_runner(session.id, person_id)
    text = texts.HANDED_OVER.format(
        new=await name_of(ctx, person_id), old=await name_of(ctx, session.runner_id)
    )
    return await say_in_room(ctx, circle, OutgoingMessage(text))


# For adapters: presence in a voice channel or group -------------------------------------------


async def arrived(ctx: Context, ref: ConversationRef) -> bool:
    """Someone joined the circle's voice channel: count them as here (like "I'm here")."""
    person = await ctx.storage.person_for_account(AccountAddress(ref.platform, ref.user_id))
    if person is None or not person.onboarded:
        return False
    for circle in await circles_here(ctx, ref):
        session = await ctx.storage.open_session(circle.id)
        if session is not None:
            return await ctx.storage.mark_here(session.id, person.id, ctx.clock())
    return False


async def count_present(ctx: Context) -> int:
    """Count as here everyone sitting in a voice room whose circle has a session open, on
    every platform whose messenger can say who sits where (:class:`VoicePresence`). Run as a
    session opens; never raises (a failure is logged by type, the session goes on)."""
    counted = 0
    try:
        for messenger in ctx.messengers:
            if not isinstance(messenger, VoicePresence):
                continue
            platform = messenger.platform
            for room, people in await messenger.voice_rooms():
                if not people or not await ctx.storage.circles_at_venue(platform, room):
                    continue
                for user_id in people:
                    counted += await arrived(ctx, ConversationRef(platform, room, user_id))
    except Exception as exc:
        log.error("counting who is in the voice rooms failed: %s", describe_exception(exc))
    return counted


async def person_left(ctx: Context, ref: ConversationRef) -> bool:
    """Someone left the circle's voice channel or group. If they were running a session, it
    passes to a co-facilitator; without one, the room is told any facilitator can carry on or
    close it. True when a session was affected."""
    person = await ctx.storage.person_for_account(AccountAddress(ref.platform, ref.user_id))
    if person is None:
        return False
    for circle in await circles_here(ctx, ref):
        session = await ctx.storage.open_session(circle.id)
        if session is None or session.runner_id != person.id:
            continue
        old = await name_of(ctx, person.id)
        candidates = await _candidates(ctx, circle, session)
        if candidates:
            await ctx.storage.set_runner(session.id, candidates[0])
            new = await name_of(ctx, candidates[0])
            text = texts.RUNNER_LEFT_HANDED.format(old=old, new=new)
        else:
            text = texts.RUNNER_LEFT_NOBODY.format(old=old)
        await say_in_room(ctx, circle, OutgoingMessage(text))
        return True
    return False


async def run_circle_timer(ctx: Context, work: DueWork, now: datetime) -> DueWork | None:
    """The gentle nudge at the end of a share, posted in the venue once per turn."""
    session = await ctx.storage.get_session(int(work.subject))
    if session is None or not session.open or session.current_speaker_id is None:
        return None
    turn_number = work.occurrence.partition("@")[0]
    if read_id(turn_number) != session.turn_no:
        return None
    circle = await ctx.storage.get_circle(session.circle_id)
    if circle is None or circle.venue is None:
        return None
    spoken = now - (session.speaker_since or now)
    text = texts.NUDGE.format(
        minutes=max(1, round(spoken.total_seconds() / 60)),
        name=await name_of(ctx, session.current_speaker_id),
        runner=await name_of(ctx, session.runner_id),
    )
    more = EXTEND.button(texts.MORE_TIME, ExtendPress(session.id, session.turn_no))
    await deliver(
        ctx,
        kind=TIMER,
        subject=str(session.id),
        occurrence=work.occurrence,
        person_id=None,
        ref=venue_ref(circle.venue),
        message=OutgoingMessage.with_buttons(text, [more]),
    )
    return None
