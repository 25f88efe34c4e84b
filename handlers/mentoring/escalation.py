"""Alerts to a mentee's helpers, and the chain they climb until someone acknowledges.

Triggers: a crisis-screen hit and ``/sos`` (urgent); a reported use, a craving at or above
``[escalation] craving_threshold``, a mood of 2 or less on 3 check-ins in a row, and
``[escalation] missed_checkins`` misses in a row (normal). Each raises an alert with its
severity, trigger and time; a repeat soon after reuses it (one urgent alert per person per
``urgent_repeat_minutes``; one open normal alert per trigger per day).

Pings go through the delivery ledger (kind ``ping``, subject the alert id, occurrence the step)
to wherever each helper receives messages, carrying the mentee's chosen name, the severity, the
trigger and an Acknowledge button: never anything the mentee wrote. An unacknowledged alert
climbs one step every ``urgent_ack_minutes`` (urgent) or ``normal_ack_hours`` (normal): mentor,
backup mentor, coordinator on duty; then it reminds the top of the chain, up to
:data:`MAX_STEPS` pings in all. Someone with no mentor to reach and no coordinator on duty is
no dead end: every coordinator is pinged at once (one step each, through the same ledger).
The climb is a due-queue row (kind ``escalation``, subject the alert id, occurrence the next
step), so it survives restarts and runs on the fake clock in tests.
A ping that fails for a passing reason is retried at the same step after :data:`RETRY_AFTER`;
one that can never be delivered (blocked bot, no account) climbs at once.

The check-in triggers are read in :mod:`handlers.checkins.alerts`.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.context import Capability, CommandSpec, Context, GroupReply, Replies, Turn
from handlers.crisis import reply as crisis
from handlers.logsafe import describe_exception
from handlers.mentoring import escalation_texts as texts
from handlers.messaging import DeliveryError, IncomingEvent, OutgoingMessage
from handlers.outbox import deliver, prompt_ref
from handlers.pacing import Lane, in_lane
from handlers.profile import display_name, format_date, format_time, speaking_to
from handlers.routes import Route
from handlers.screening import Told
from handlers.texts.plurals import CHECKIN, counted
from storage.deliveries import DeliveryStatus
from storage.due_queue import DueWork
from storage.mentoring import Alert, AlertReuse, ChainRole, EscalationStep, Severity, Trigger
from storage.people import AccountAddress, Person, Role

log = logging.getLogger(__name__)

ESCALATION = "escalation"
"""The due-queue kind of an alert's next climb."""
PING = "ping"
"""The delivery-ledger kind of a ping."""
ACK_FLOW = "al"


@dataclass(frozen=True, slots=True)
class AckPress:
    """Acknowledge this alert: I am on it."""

    alert: int


ACK = Route(ACK_FLOW, "ack:{alert}", AckPress)
"""The Acknowledge button on pings and on ``/alerts``."""
"""Button payload prefix: ``al:ack:<alert id>`` (handled in :mod:`handlers.mentoring.views`)."""
MAX_STEPS = 6
RETRY_AFTER = timedelta(minutes=1)
INLINE_PING_SECONDS = 5.0
"""A ping sent while a person waits for their reply (a crisis, /sos) waits at most this long;
if it has not gone by then, the due queue retries it a minute later."""
HELPER_ROLES = (ChainRole.MENTOR, ChainRole.BACKUP)


class _Ping(enum.Enum):
    SENT = "sent"
    FAILED = "failed"
    RETRY = "retry"


@dataclass(frozen=True, slots=True)
class AlertOutcome:
    alert: Alert
    created: bool
    mentor_told: bool
    """A mentor or backup mentor has been (or is being) pinged about it."""
    coordinator_told: bool = False
    """A coordinator has been (or is being) pinged about it."""

    @property
    def told(self) -> Told:
        """Who the person may be told knows: never a mentor unless one was pinged."""
        if self.mentor_told:
            return Told.MENTOR
        return Told.COORDINATOR if self.coordinator_told else Told.NOBODY


async def raise_alert(ctx: Context, person_id: int, trigger: Trigger) -> AlertOutcome:
    """Raise an alert (or reuse a recent one) and ping the first step of its chain now."""
    now = ctx.clock()
    if trigger.severity is Severity.URGENT:
        minutes = ctx.program.escalation.urgent_repeat_minutes
        reuse = AlertReuse(since=now - timedelta(minutes=minutes))
    else:
        reuse = AlertReuse(since=now - timedelta(days=1), same_trigger=True, unacked_only=True)
    alert, created = await ctx.storage.create_alert(person_id, trigger, now, reuse=reuse)
    if created:
        log.info("alert %s raised: %s, %s", alert.id, alert.severity.value, alert.trigger.value)
        # Should this process die mid-ping, the due queue takes over a minute later.
        await ctx.storage.set_due(_next(alert, now + RETRY_AFTER, 1))
        work = await climb(ctx, alert, 1, inline=True)
        if work is None:
            await ctx.storage.clear_due(ESCALATION, str(alert.id))
        else:
            await ctx.storage.set_due(work)
    return AlertOutcome(
        alert,
        created,
        await mentor_told(ctx, alert),
        await told_in(ctx, alert, (ChainRole.COORDINATOR,)),
    )


async def run_escalation(ctx: Context, work: DueWork, now: datetime) -> DueWork | None:
    """The due-queue handler: climb one step unless the alert was acknowledged meanwhile."""
    alert = await ctx.storage.get_alert(int(work.subject))
    if alert is None or not alert.open:
        return None
    return await climb(ctx, alert, int(work.occurrence), inline=False)


async def climb(ctx: Context, alert: Alert, step: int, *, inline: bool) -> DueWork | None:
    """Ping step ``step`` of the chain; return when (and at which step) to go on."""
    now = ctx.clock()
    while step <= MAX_STEPS:
        target = await _step_target(ctx, alert, step)
        if target is None:
            log.warning("alert %s: nobody left on its chain at step %d", alert.id, step)
            return None
        outcome = await _ping(ctx, alert, target, inline=inline)
        if outcome is _Ping.RETRY:
            return _next(alert, now + RETRY_AFTER, step)
        if outcome is _Ping.SENT and not await _more_at_once(ctx, alert):
            return _next(alert, now + _wait(ctx, alert), step + 1)
        step += 1  # undeliverable, or every coordinator at once: the next one, now
    log.warning("alert %s: unacknowledged after %d pings; the climb stops", alert.id, MAX_STEPS)
    return None


def _next(alert: Alert, due_at: datetime, step: int) -> DueWork:
    return DueWork(ESCALATION, str(alert.id), due_at, str(step), person_id=alert.person_id)


def _wait(ctx: Context, alert: Alert) -> timedelta:
    settings = ctx.program.escalation
    return settings.urgent_ack if alert.severity is Severity.URGENT else settings.normal_ack


async def chain_for(ctx: Context, person_id: int) -> list[tuple[ChainRole, int]]:
    """Who is pinged, in order: mentor, backup mentor, coordinator on duty.

    With nobody on duty (or one who sent /stop), the first coordinator stands in behind a
    mentor; with no mentor either, every coordinator is on the chain (and pinged at once:
    :func:`climb`). People who sent /stop, and the person the alert is about, are left out.
    """
    return (await _chain(ctx, person_id))[0]


async def _chain(ctx: Context, person_id: int) -> tuple[list[tuple[ChainRole, int]], bool]:
    """The chain, and whether it is everyone at once (no mentor, nobody on duty)."""
    storage = ctx.storage
    helpers: list[tuple[ChainRole, int]] = []
    pairing = await storage.pairing_of(person_id)
    if pairing is not None:
        helpers.append((ChainRole.MENTOR, pairing.mentor_id))
        if pairing.backup_id is not None:
            helpers.append((ChainRole.BACKUP, pairing.backup_id))
    on_duty = await storage.on_duty()
    duty = [(ChainRole.COORDINATOR, on_duty)] if on_duty is not None else []
    chain = await _reachable(ctx, person_id, [*helpers, *duty])
    if any(role is ChainRole.COORDINATOR for role, _ in chain):
        return chain, False
    everyone = [(ChainRole.COORDINATOR, p.id) for p in await _coordinators(ctx)]
    if chain:
        return await _reachable(ctx, person_id, [*chain, *everyone[:1]]), False
    return await _reachable(ctx, person_id, everyone), True


async def _reachable(
    ctx: Context, person_id: int, candidates: list[tuple[ChainRole, int]]
) -> list[tuple[ChainRole, int]]:
    chain: list[tuple[ChainRole, int]] = []
    for role, helper in candidates:
        person = await ctx.storage.get_person(helper)
        if helper == person_id or person is None or person.stopped_at is not None:
            continue
        if all(helper != h for _, h in chain):
            chain.append((role, helper))
    return chain


async def _more_at_once(ctx: Context, alert: Alert) -> bool:
    """Whether the chain is every coordinator at once and one of them is still to be told."""
    chain, everyone = await _chain(ctx, alert.person_id)
    if not everyone:
        return False
    told = {s.recipient_id for s in await ctx.storage.steps_of(alert.id)}
    return any(helper not in told for _, helper in chain)


async def _coordinators(ctx: Context) -> list[Person]:
    return [p for p in await ctx.storage.people_with_role(Role.COORDINATOR) if not p.stopped_at]


async def _step_target(ctx: Context, alert: Alert, step: int) -> EscalationStep | None:
    """Who step ``step`` pings: as recorded, or the next one up the chain (recorded now)."""
    steps = await ctx.storage.steps_of(alert.id)
    recorded = next((s for s in steps if s.step == step), None)
    if recorded is not None:
        return recorded
    chain = await chain_for(ctx, alert.person_id)
    told = {s.recipient_id for s in steps}
    fresh = [(role, helper) for role, helper in chain if helper not in told]
    if fresh:
        role, helper = fresh[0]
    else:  # everyone has been told: remind the highest one who can be reached
        reachable = [c for c in chain if not await _failed_before(ctx, alert, steps, c[1])]
        if not reachable or not steps:
            return None
        role, helper = reachable[-1]
    target = EscalationStep(alert.id, step, helper, role, ctx.clock())
    if not await ctx.storage.record_step(target):  # recorded by another worker meanwhile
        steps = await ctx.storage.steps_of(alert.id)
        return next((s for s in steps if s.step == step), None)
    return target


async def _failed_before(
    ctx: Context, alert: Alert, steps: list[EscalationStep], helper: int
) -> bool:
    for step in steps:
        if step.recipient_id == helper:
            status = await ctx.storage.delivery_status(PING, str(alert.id), str(step.step))
            if status is DeliveryStatus.FAILED:
                return True
    return False


async def _ping(ctx: Context, alert: Alert, step: EscalationStep, *, inline: bool) -> _Ping:
    subject, occurrence = str(alert.id), str(step.step)
    ref = await prompt_ref(ctx, step.recipient_id)
    if ref is None:
        await ctx.storage.finish_delivery(
            PING,
            subject,
            occurrence,
            DeliveryStatus.FAILED,
            ctx.clock(),
            reason="no account",
            person_id=step.recipient_id,
        )
        return _Ping.FAILED
    async with speaking_to(ctx, step.recipient_id):  # the mentor's language, not the mentee's
        message = await ping_message(ctx, alert, step)
    try:  # urgent wherever it is raised from (a miss counted in the daily prompts' batch too)
        with in_lane(Lane.URGENT):
            async with asyncio.timeout(INLINE_PING_SECONDS if inline else None):
                status = await deliver(
                    ctx,
                    kind=PING,
                    subject=subject,
                    occurrence=occurrence,
                    person_id=step.recipient_id,
                    ref=ref,
                    message=message,
                )
    except DeliveryError as err:
        log.warning("ping for alert %s step %d failed: %s", alert.id, step.step, err.reason)
        return _Ping.FAILED if err.permanent else _Ping.RETRY
    except TimeoutError:
        log.warning("ping for alert %s step %d is slow; retrying later", alert.id, step.step)
        return _Ping.RETRY
    return _Ping.FAILED if status is DeliveryStatus.FAILED else _Ping.SENT


async def ping_message(ctx: Context, alert: Alert, step: EscalationStep) -> OutgoingMessage:
    """Name, severity, trigger and time, with the Acknowledge button: never message text."""
    lines = []
    earlier = await ctx.storage.steps_of(alert.id)
    if any(s.recipient_id == step.recipient_id and s.step < step.step for s in earlier):
        lines.append(texts.PING_REMINDER)
    lines.append(
        texts.PING.format(
            severity=texts.SEVERITY[alert.severity.value],
            name=await display_name(ctx, alert.person_id),
            trigger=trigger_text(ctx, alert.trigger),
            when=await local_when(ctx, step.recipient_id, alert.created_at),
        )
    )
    if step.role is ChainRole.BACKUP:
        lines.append(texts.PING_AS_BACKUP)
    elif step.role is ChainRole.COORDINATOR:
        lines.append(texts.PING_AS_COORDINATOR)
    lines.append(texts.PING_NEXT_STEP)
    button = ACK.button(texts.ACKNOWLEDGE, AckPress(alert.id))
    return OutgoingMessage.with_buttons("\n".join(lines), [button])


def trigger_text(ctx: Context, trigger: Trigger) -> str:
    return texts.TRIGGERS[trigger.value].format(
        missed=counted(CHECKIN, ctx.program.escalation.missed_checkins)
    )


async def local_when(ctx: Context, viewer_id: int, moment: datetime) -> str:
    """``Fri 27 Nov, 8:00 am MST``: a time as the viewer reads it (their zone, else UTC)."""
    zone = (await ctx.storage.get_settings(viewer_id)).timezone or "UTC"
    try:
        local = moment.astimezone(ZoneInfo(zone))
    except (KeyError, ValueError):
        local = moment.astimezone(ZoneInfo("UTC"))
    return f"{format_date(local.date())}, {format_time(local.time())} {local.tzname()}"


async def mentor_told(ctx: Context, alert: Alert) -> bool:
    return await told_in(ctx, alert, HELPER_ROLES)


async def told_in(ctx: Context, alert: Alert, roles: tuple[ChainRole, ...]) -> bool:
    """Whether someone in ``roles`` has been (or is being) pinged about ``alert``."""
    for step in await ctx.storage.steps_of(alert.id):
        if step.role in roles:
            status = await ctx.storage.delivery_status(PING, str(alert.id), str(step.step))
            if status is not DeliveryStatus.FAILED:
                return True
    return False


# The triggers -----------------------------------------------------------------------------------


async def on_crisis(
    ctx: Context, event: IncomingEvent, assessment: crisis.CrisisAssessment
) -> Told:
    """The dispatcher's crisis hook: an urgent alert for the person, if we know them.

    Before consent there is no person (nothing may be stored), so nobody is alerted and the
    reply says so. Never raises: the crisis reply must go out whatever happens here.
    """
    try:
        if not event.ref.user_id:
            return Told.NOBODY
        address = AccountAddress(event.ref.platform, event.ref.user_id)
        person = await ctx.storage.person_for_account(address)
        if person is None:
            return Told.NOBODY
        return _told(await raise_alert(ctx, person.id, Trigger.CRISIS))
    except Exception as exc:
        log.error("crisis alert failed on event %s: %s", event.event_id, describe_exception(exc))
        return Told.NOBODY


def _told(outcome: AlertOutcome) -> Told:
    if outcome.told is Told.NOBODY:
        log.error("alert %s reached nobody on the team", outcome.alert.id)
    return outcome.told


async def sos(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/sos``: the crisis resources and safety plan at once, and an urgent alert."""
    told = Told.NOBODY
    if turn.person is not None:
        try:
            told = _told(await raise_alert(ctx, turn.person.id, Trigger.SOS))
        except Exception as exc:
            log.error("sos alert failed: %s", describe_exception(exc))
    return [await crisis.respond(ctx, turn.event, None, told=told)]


CAPABILITY = Capability(
    commands=(
        CommandSpec(
            "sos",
            "get help right now: crisis lines, and your team is alerted",
            sos,
            needs_person=False,
            in_groups=GroupReply.HERE,  # the resources where they asked; the rest privately
        ),
    ),
)
