"""What staff see: a mentor's ``/mentees``, ``/alerts``, and the Acknowledge button.

``/mentees`` shows each mentee's chosen name, last check-in, and, within what the mentee
chose to share (``/sharing``), their numbers with a trend arrow, their streak and their latest
note; open alerts always; a Goals button for each mentee who shares their goals
(:mod:`handlers.mentoring.goals`). ``/alerts`` lists the open alerts a mentor is on the chain of (a
coordinator sees every one). Every view writes the audit log first (:mod:`handlers.audit`).

An Acknowledge press (``al:ack:<alert id>``) from anyone on the alert's chain (its mentor,
backup, anyone pinged, or a coordinator) records who and when, stops the climb, and tells the
others who were pinged. A press on an alert already acknowledged says by whom.
"""

from __future__ import annotations

import asyncio
import logging

from handlers import audit
from handlers.context import Capability, CommandSpec, Context, Replies, Turn
from handlers.dispatcher import stale_button
from handlers.logsafe import describe_exception
from handlers.mentoring import escalation_texts, texts
from handlers.mentoring.escalation import (
    ACK,
    ACK_FLOW,
    ESCALATION,
    INLINE_PING_SECONDS,
    AckPress,
    local_when,
    trigger_text,
)
from handlers.mentoring.goals import goals_buttons
from handlers.messaging import DeliveryError, DeliveryFailure, OutgoingMessage
from handlers.outbox import deliver, prompt_ref
from handlers.profile import display_name, format_date, local_today, speaking_to
from handlers.texts.plurals import DAY, counted
from storage.mentoring import Alert, CheckinSummary, Pairing
from storage.people import Person, Role

log = logging.getLogger(__name__)

ACK_NOTICE = "ack-notice"
MAX_ALERTS_SHOWN = 8
MENTORS = frozenset({Role.MENTOR})
STAFF = frozenset({Role.MENTOR, Role.COORDINATOR})


# /mentees ----------------------------------------------------------------------------------------


async def mentees_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    assert turn.person is not None
    mentor = turn.person
    pairings = await ctx.storage.mentees_of(mentor.id)
    if not pairings:
        return [OutgoingMessage(texts.MENTEES_NONE)]
    await audit.record_views(ctx, mentor, [p.mentee_id for p in pairings], audit.VIEW_MENTEES)
    blocks = [await _mentee_block(ctx, mentor.id, pairing) for pairing in pairings]
    text = "\n\n".join(
        [texts.MENTEES_HEADER.format(count=len(pairings)), *blocks, texts.MENTEES_FOOTER]
    )
    return [OutgoingMessage.with_buttons(text, await goals_buttons(ctx, pairings), per_row=1)]


async def _mentee_block(ctx: Context, mentor_id: int, pairing: Pairing) -> str:
    mentee_id = pairing.mentee_id
    name = await display_name(ctx, mentee_id)
    as_backup = pairing.mentor_id != mentor_id
    lines = [(texts.MENTEE_NAME_BACKUP if as_backup else texts.MENTEE_NAME).format(name=name)]
    sharing = await ctx.storage.get_sharing(mentee_id)
    recent = await ctx.storage.recent_checkins(mentee_id, 2)
    latest = recent[0] if recent else None
    if latest is None:
        lines.append(texts.NO_CHECKINS)
    else:
        lines.append(texts.LAST_CHECKIN.format(date=format_date(latest.local_date)))
    if not sharing.numbers:
        lines.append(texts.NUMBERS_PRIVATE)
    elif latest is not None:
        lines.append(
            texts.NUMBERS.format(
                mood=_number(latest, "mood"),
                craving=_number(latest, "craving"),
                arrow=_trend(recent),
            ).rstrip()
        )
    if sharing.streak:
        lines.append(await _streak(ctx, mentee_id))
    else:
        lines.append(texts.STREAK_PRIVATE)
    note = latest.answers.get("note") if latest is not None else None
    if sharing.notes and note is not None and note.text:
        lines.append(texts.NOTE.format(note=note.text))
    lines.append(texts.GOALS_SHARED if sharing.goals else texts.GOALS_PRIVATE)
    open_alerts = await ctx.storage.open_alerts([mentee_id])
    if open_alerts:
        lines.append(texts.OPEN_ALERTS.format(count=len(open_alerts)))
    reason = (await ctx.storage.get_settings(mentee_id)).paused_reason
    if reason:  # prompts stopped after a permanent delivery failure: the mentor should know
        failure = DeliveryFailure.of_reason(reason)
        known = texts.UNREACHABLE.get(failure) if failure is not None else None
        lines.append(known or texts.UNREACHABLE_OTHER)
    return "\n".join(lines)


def _number(summary: CheckinSummary, key: str) -> str:
    answer = summary.answers.get(key)
    if answer is None or answer.number is None:
        return texts.NO_NUMBER
    return f"{answer.number:g}"


def _trend(recent: list[CheckinSummary]) -> str:
    """↑, ↓ or → from the mood of the two latest check-ins; nothing with fewer."""
    moods = [c.answers["mood"].number for c in recent[:2] if "mood" in c.answers]
    if len(moods) < 2 or moods[0] is None or moods[1] is None:
        return ""
    return "↑" if moods[0] > moods[1] else "↓" if moods[0] < moods[1] else "→"


async def _streak(ctx: Context, mentee_id: int) -> str:
    person = await ctx.storage.get_person(mentee_id)
    if person is None or person.streak_start is None:
        return texts.STREAK_NOT_STARTED
    today, _ = await local_today(ctx, mentee_id)
    return texts.STREAK.format(days=counted(DAY, max((today - person.streak_start).days + 1, 1)))


# /alerts -----------------------------------------------------------------------------------------


async def alerts_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    assert turn.person is not None
    viewer = turn.person
    alerts = await _visible_alerts(ctx, viewer, turn.roles)
    if not alerts:
        return [OutgoingMessage(texts.ALERTS_NONE)]
    shown = alerts[:MAX_ALERTS_SHOWN]
    await audit.record_alert_views(ctx, viewer, shown, audit.VIEW_ALERTS)
    lines = [texts.ALERTS_HEADER.format(count=len(alerts))]
    buttons = []
    for alert in shown:
        name = await display_name(ctx, alert.person_id)
        lines.append(
            texts.ALERT_LINE.format(
                severity=escalation_texts.SEVERITY[alert.severity.value],
                name=name,
                trigger=trigger_text(ctx, alert.trigger),
                when=await local_when(ctx, viewer.id, alert.created_at),
                told=await _told(ctx, viewer.id, alert),
            )
        )
        buttons.append(ACK.button(texts.ACK_BUTTON.format(name=name), AckPress(alert.id)))
    if len(alerts) > len(shown):
        lines.append(texts.ALERTS_MORE.format(shown=len(shown)))
    lines.append(texts.ALERTS_FOOTER)
    return [OutgoingMessage.with_buttons("\n\n".join(lines), buttons, per_row=1)]


async def _visible_alerts(ctx: Context, viewer: Person, roles: frozenset[Role]) -> list[Alert]:
    if Role.COORDINATOR in roles:
        return await ctx.storage.open_alerts(None)
    mentees = [p.mentee_id for p in await ctx.storage.mentees_of(viewer.id)]
    found = {a.id: a for a in await ctx.storage.open_alerts(mentees)}
    found |= {a.id: a for a in await ctx.storage.open_alerts_for_recipient(viewer.id)}
    return sorted(found.values(), key=lambda a: (a.created_at, a.id))


async def _told(ctx: Context, viewer_id: int, alert: Alert) -> str:
    steps = await ctx.storage.steps_of(alert.id)
    if not steps:
        return texts.NOBODY_TOLD
    parts = [
        texts.TOLD_PART.format(
            role=texts.ROLE_NAMES[s.role.value],
            when=await local_when(ctx, viewer_id, s.notified_at),
        )
        for s in steps
    ]
    return ", ".join(parts)


# Acknowledging ------------------------------------------------------------------------------------


class AckFlow:
    """The Acknowledge button on pings and on ``/alerts``: ``al:ack:<alert id>``."""

    name = ACK_FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = ACK.decode(payload)
        if press is None:
            return [stale_button(texts.ACK_STALE_NEXT_STEP)]
        alert = await ctx.storage.get_alert(press.alert)
        if alert is None:
            return [OutgoingMessage(texts.ACK_UNKNOWN)]
        person = turn.person
        if person is None or not await _may_ack(ctx, person.id, turn.roles, alert):
            return [OutgoingMessage(texts.ACK_NOT_YOURS)]
        result = await ctx.storage.ack_alert(alert.id, person.id, ctx.clock())
        if result is None:
            return [OutgoingMessage(texts.ACK_UNKNOWN)]
        alert, acked_now = result
        if not acked_now:
            who = await display_name(ctx, alert.acked_by) if alert.acked_by else texts.SOMEONE
            when = await local_when(ctx, person.id, alert.acked_at or ctx.clock())
            return [OutgoingMessage(texts.ALREADY_ACKED.format(who=who, when=when))]
        log.info("alert %s acknowledged by person %s", alert.id, person.id)
        waited = (alert.acked_at or ctx.clock()) - alert.created_at
        ctx.telemetry.alert_acknowledged(alert.severity.value, waited.total_seconds())
        await ctx.storage.clear_due(ESCALATION, str(alert.id))
        await audit.record_alert_views(ctx, person, [alert], audit.ACK_ALERT)
        await _tell_others(ctx, alert, person)
        return [
            OutgoingMessage(
                texts.ACKED.format(
                    name=await display_name(ctx, alert.person_id),
                    trigger=trigger_text(ctx, alert.trigger),
                    when=await local_when(ctx, person.id, alert.created_at),
                )
            )
        ]

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        return [OutgoingMessage(texts.ALERTS_FOOTER)]  # no state is ever kept for this flow


async def _may_ack(ctx: Context, person_id: int, roles: frozenset[Role], alert: Alert) -> bool:
    if person_id == alert.person_id:  # nobody silences the chain about themselves
        return False
    if Role.COORDINATOR in roles:
        return True
    if any(s.recipient_id == person_id for s in await ctx.storage.steps_of(alert.id)):
        return True
    pairing = await ctx.storage.pairing_of(alert.person_id)
    return pairing is not None and person_id in (pairing.mentor_id, pairing.backup_id)


async def _tell_others(ctx: Context, alert: Alert, acker: Person) -> None:
    """Everyone else who was pinged about it hears that it is in hand."""
    others = {s.recipient_id for s in await ctx.storage.steps_of(alert.id)} - {acker.id}
    if not others:
        return
    name = await display_name(ctx, alert.person_id)
    for recipient in sorted(others):
        ref = await prompt_ref(ctx, recipient)
        if ref is None:
            continue
        async with speaking_to(ctx, recipient):
            message = OutgoingMessage(
                texts.ACK_NOTICE.format(
                    name=name,
                    trigger=trigger_text(ctx, alert.trigger),
                    who=audit.actor_label(acker),
                )
            )
        try:
            async with asyncio.timeout(INLINE_PING_SECONDS):
                await deliver(
                    ctx,
                    kind=ACK_NOTICE,
                    subject=str(alert.id),
                    occurrence=str(recipient),
                    person_id=recipient,
                    ref=ref,
                    message=message,
                )
        except (DeliveryError, TimeoutError) as exc:
            log.warning(
                "ack notice for alert %s not delivered: %s", alert.id, describe_exception(exc)
            )


CAPABILITY = Capability(
    commands=(
        CommandSpec("mentees", "see how your mentees are doing", mentees_command, MENTORS),
        CommandSpec("alerts", "see open alerts and acknowledge them", alerts_command, STAFF),
    ),
    flows=(AckFlow(),),
)
