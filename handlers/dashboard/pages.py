"""The use cases behind the dashboard's pages that no other front end had yet: the alerts with
their chains, the open invites, the circles with their RSVPs and attendance, the audit log, and
the outcomes report with its charts. The roster, pairing, invites and on-duty changes are the
same use cases the chat and the CLI call (:mod:`handlers.mentoring`).

Each one that returns people's names writes the audit log first, as ``viewer``, like every staff
view (:mod:`handlers.audit`): a view that cannot be recorded is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers import audit, charts
from handlers.context import Context
from handlers.profile import PersonLabel, maybe_label, person_label
from handlers.reporting.charts import Chart, report_charts
from handlers.reporting.report import Report, build_report, collect
from storage.circles import Circle, Occurrence, RsvpStatus
from storage.mentoring import Alert, AuditEntry, ChainRole
from storage.people import InviteCode, Person

VIEW_ALERTS = "dashboard_alerts"
VIEW_INVITES = "dashboard_invites"
VIEW_CIRCLES = "dashboard_circles"
VIEW_AUDIT = "dashboard_audit"
ALERT_WINDOW = timedelta(days=30)
MAX_ALERTS = 200
UPCOMING = 20
SESSIONS_SHOWN = 5


# Outcomes ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcomes:
    report: Report
    charts: tuple[Chart, ...]


async def outcomes(ctx: Context, since: datetime, until: datetime) -> Outcomes:
    """``peerbot report``'s figures for the period (the same small-cell suppression: they come
    from :func:`build_report`) and its charts, drawn in the chart worker. Names nobody."""
    report = build_report(await collect(ctx.storage, ctx.program.name, since, until))
    drawn = () if report.empty else tuple(await charts.render(lambda: report_charts(report)))
    return Outcomes(report, drawn)


# Alerts ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainStep:
    step: int
    role: ChainRole
    recipient: PersonLabel
    notified_at: datetime


@dataclass(frozen=True, slots=True)
class AlertView:
    alert: Alert
    person: PersonLabel
    acked_by: PersonLabel | None
    chain: tuple[ChainStep, ...]

    @property
    def time_to_ack(self) -> timedelta | None:
        if self.alert.acked_at is None:
            return None
        return self.alert.acked_at - self.alert.created_at


async def alerts(ctx: Context, viewer: Person) -> list[AlertView]:
    """Open alerts and those raised in the last :data:`ALERT_WINDOW`, newest first, with who
    acknowledged and the chain each climbed. Read only: acknowledging stays with the mentor's
    chat button, so nobody acknowledges an alert they have not been pinged about."""
    found = await ctx.storage.recent_alerts(ctx.clock() - ALERT_WINDOW, MAX_ALERTS)
    await audit.record_alert_views(ctx, viewer, found, VIEW_ALERTS)
    views = []
    for alert in found:
        steps = await ctx.storage.steps_of(alert.id)
        chain = tuple(
            [
                ChainStep(s.step, s.role, await person_label(ctx, s.recipient_id), s.notified_at)
                for s in steps
            ]
        )
        views.append(
            AlertView(
                alert,
                await person_label(ctx, alert.person_id),
                await maybe_label(ctx, alert.acked_by),
                chain,
            )
        )
    return views


# Invites -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InviteView:
    invite: InviteCode
    made_by: PersonLabel | None


async def open_invites(ctx: Context, viewer: Person) -> list[InviteView]:
    """Codes that can still be used, newest first, with the mentor who made each."""
    found = await ctx.storage.open_invites(ctx.clock())
    makers = sorted({i.created_by for i in found if i.created_by is not None})
    await audit.record_views(ctx, viewer, makers, VIEW_INVITES)
    return [InviteView(i, await maybe_label(ctx, i.created_by)) for i in found]


async def revoke_invite(ctx: Context, code: str) -> bool:
    """Nobody can join with ``code`` any more; False if no such code was open."""
    return await ctx.storage.revoke_invite(code)


# Circles -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UpcomingView:
    occurrence: Occurrence
    circle: Circle
    going: tuple[PersonLabel, ...]
    maybe: int
    waitlist: int


@dataclass(frozen=True, slots=True)
class PastSession:
    started_at: datetime
    attended: int
    shared: int


@dataclass(frozen=True, slots=True)
class CircleView:
    circle: Circle
    facilitator: PersonLabel | None
    sessions: tuple[PastSession, ...]
    """The last :data:`SESSIONS_SHOWN` sessions, newest first."""


@dataclass(frozen=True, slots=True)
class CirclesOverview:
    circles: tuple[CircleView, ...]
    upcoming: tuple[UpcomingView, ...]


async def circles_overview(ctx: Context, viewer: Person) -> CirclesOverview:
    """Every active circle with its facilitator and recent attendance (counts), and the next
    dates with who is going (names) and how many may come or wait."""
    active = {c.id: c for c in await ctx.storage.active_circles()}
    upcoming = []
    named: set[int] = set()
    for occurrence in await ctx.storage.upcoming_occurrences(ctx.clock(), UPCOMING):
        circle = active.get(occurrence.circle_id)
        if circle is None:
            continue
        rsvps = await ctx.storage.rsvps_of(occurrence.id)
        going = [r.person_id for r in rsvps if r.status is RsvpStatus.GOING]
        named.update(going)
        upcoming.append(
            UpcomingView(
                occurrence,
                circle,
                tuple([await person_label(ctx, p) for p in going]),
                sum(r.status is RsvpStatus.MAYBE for r in rsvps),
                sum(r.status is RsvpStatus.WAITLIST for r in rsvps),
            )
        )
    views = []
    for circle in active.values():
        named.update(circle.leaders())
        past = []
        for session in reversed(
            (await ctx.storage.sessions_of_circle(circle.id))[-SESSIONS_SHOWN:]
        ):
            marks = await ctx.storage.attendance_of(session.id)
            past.append(
                PastSession(
                    session.started_at,
                    sum(m.attended for m in marks),
                    sum(m.shared > 0 for m in marks),
                )
            )
        views.append(CircleView(circle, await maybe_label(ctx, circle.facilitator_id), tuple(past)))
    await audit.record_views(ctx, viewer, sorted(named), VIEW_CIRCLES)
    return CirclesOverview(tuple(views), tuple(upcoming))


# The audit log -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditView:
    entry: AuditEntry
    subject: PersonLabel | None


async def audit_log(
    ctx: Context,
    viewer: Person,
    *,
    subject_id: int | None,
    actor_id: int | None,
    window: timedelta,
    limit: int,
) -> list[AuditView]:
    """The views recorded in the last ``window``, newest first, filtered by whose data was
    seen and by whom. Reading the log names people too, so it is itself recorded."""
    entries = await ctx.storage.audit_log(
        subject_id=subject_id, actor_id=actor_id, since=ctx.clock() - window, limit=limit
    )
    subjects = sorted({e.subject_id for e in entries if e.subject_id is not None})
    await audit.record_views(ctx, viewer, subjects, VIEW_AUDIT)
    return [AuditView(e, await maybe_label(ctx, e.subject_id)) for e in entries]
