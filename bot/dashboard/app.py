"""The coordinators' web dashboard: an aiohttp application in front of the core's use cases.

An adapter like the chat ones: it reads a request, calls the same use cases the chat and the
CLI call (:mod:`handlers.dashboard`, :mod:`handlers.mentoring`), and renders the answer with
the Jinja2 templates in ``templates/`` (every word a page shows is there). No SQL, no rules of
its own.

Security, in one place:
- Signing in spends a one-time link (:mod:`handlers.dashboard.login`). The link's page only
  shows a button, and pressing it (a POST) spends the token, so a chat app that fetches the
  link to draw a preview does not use it up.
- The session is a cookie signed with ``itsdangerous`` (person id, a CSRF token, when it was
  made), HttpOnly, SameSite=Strict, Secure behind https, expiring after ``[dashboard]
  session_hours``. Every request checks again that the person is a coordinator now.
- Every form carries the session's CSRF token; a POST without it (or with another) is refused.
- Responses are ``no-store``, with a Content-Security-Policy that allows no script at all and
  no referrer, so a login token never leaves in a Referer header.
"""

from __future__ import annotations

import base64
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import jinja2
import segno
from aiohttp import web
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.dashboard.settings import DashboardServerSettings, SessionKey
from handlers.context import Context
from handlers.dashboard import login, pages
from handlers.logsafe import describe_exception
from handlers.mentoring import pairing, roster
from handlers.numbers import read_id, read_whole
from handlers.reporting.format import cell_text
from storage.mentoring import PairingError, PairingSource
from storage.people import Person, Role

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
COOKIE = "peerbot_dashboard"
CSRF_FIELD = "csrf"
OUTCOMES_DAYS = 30
MAX_OUTCOMES_DAYS = 3660
AUDIT_LIMIT = 300
INVITE_ROLES = (Role.MENTEE, Role.MENTOR, Role.FACILITATOR, Role.COORDINATOR)
MAX_INVITE_USES = 100
MAX_INVITE_DAYS = 90
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';"
    " frame-ancestors 'none'; base-uri 'none'"
)

CTX: web.AppKey[Context] = web.AppKey("ctx", Context)
SETTINGS: web.AppKey[DashboardServerSettings] = web.AppKey("settings", DashboardServerSettings)
SERIALIZER: web.AppKey[URLSafeTimedSerializer] = web.AppKey("serializer", URLSafeTimedSerializer)
TEMPLATES: web.AppKey[jinja2.Environment] = web.AppKey("templates", jinja2.Environment)

PERSON: web.RequestKey[Person] = web.RequestKey("person", Person)
CSRF: web.RequestKey[str] = web.RequestKey("csrf", str)
FORM: web.RequestKey[Mapping[str, Any]] = web.RequestKey("form", Mapping)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
OPEN_PATHS = ("/login", "/static/", "/signed-out")
"""Paths anyone may reach: signing in, the stylesheet, the page that says how to sign in."""


def build_app(ctx: Context, settings: DashboardServerSettings, key: SessionKey) -> web.Application:
    app = web.Application(middlewares=[_headers, _signed_in], client_max_size=64 * 1024)
    app[CTX] = ctx
    app[SETTINGS] = settings
    app[SERIALIZER] = URLSafeTimedSerializer(key.key, salt="peerbot dashboard session")
    app[TEMPLATES] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    app[TEMPLATES].globals["cell"] = cell_text
    app[TEMPLATES].filters["when"] = _when
    app[TEMPLATES].filters["span"] = _span
    app[TEMPLATES].filters["who"] = _who
    app.router.add_static("/static/", HERE / "static")
    app.router.add_get("/", _home)
    app.router.add_get("/login/{token}", _login_page)
    app.router.add_post("/login", _login)
    app.router.add_get("/signed-out", _signed_out)
    app.router.add_post("/logout", _logout)
    app.router.add_get("/outcomes", _outcomes)
    app.router.add_get("/roster", _roster)
    app.router.add_post("/roster/pair", _pair)
    app.router.add_post("/roster/unpair", _unpair)
    app.router.add_post("/roster/duty", _duty)
    app.router.add_get("/alerts", _alerts)
    app.router.add_get("/invites", _invites)
    app.router.add_post("/invites", _create_invite)
    app.router.add_post("/invites/revoke", _revoke_invite)
    app.router.add_get("/circles", _circles)
    app.router.add_get("/audit", _audit)
    return app


# Rendering ---------------------------------------------------------------------------------------


def render(request: web.Request, template: str, status: int = 200, **values: Any) -> web.Response:
    person: Person | None = request.get(PERSON)
    page = (
        request.app[TEMPLATES]
        .get_template(template)
        .render(
            program=request.app[CTX].program.name,
            person=person,
            csrf=request.get(CSRF, ""),
            csrf_field=CSRF_FIELD,
            path=request.path,
            **values,
        )
    )
    return web.Response(text=page, status=status, content_type="text/html", charset="utf-8")


def _when(moment: datetime | date | None) -> str:
    if moment is None:
        return "—"
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return moment.isoformat()


def _span(span: timedelta | None) -> str:
    if span is None:
        return "—"
    minutes = int(span.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes / 60
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def _who(label: Any) -> str:
    if label is None:
        return "—"
    if label.name is None:
        return f"#{label.id} (gone)"
    return f"#{label.id} {label.name}" if label.name else f"#{label.id}"


def redirect(location: str) -> web.Response:
    """303 See Other: after a form, the browser loads the page with GET (no resubmission)."""
    return web.Response(status=303, headers={"Location": location})


def _secure(headers: Any, path: str) -> None:
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    if not path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # the router's 404 and 405
        _secure(exc.headers, request.path)
        raise
    except Exception as exc:
        # One line without what anyone typed; the coordinator sees a kind page, not a trace.
        log.error("dashboard %s failed: %s", request.path, describe_exception(exc))
        response = render(request, "problem.html", status=500)
    _secure(response.headers, request.path)
    return response


# Sessions and CSRF -------------------------------------------------------------------------------


@web.middleware
async def _signed_in(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every page but signing in needs a valid session of a coordinator; every POST its
    CSRF token."""
    if request.path.startswith(OPEN_PATHS):
        return await handler(request)
    session = _session(request)
    if session is None:
        return redirect("/signed-out")
    person = await login.coordinator(request.app[CTX], session[0])
    if person is None:
        response = render(request, "refused.html", status=403, reason="not_a_coordinator")
        response.del_cookie(COOKIE, path="/")
        return response
    request[PERSON], request[CSRF] = person, session[1]
    if request.method == "POST":
        form = await request.post()
        sent = form.get(CSRF_FIELD)
        if not isinstance(sent, str) or not hmac.compare_digest(sent, session[1]):
            return render(request, "refused.html", status=403, reason="csrf")
        request[FORM] = form
    return await handler(request)


def _session(request: web.Request) -> tuple[int, str] | None:
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None
    max_age = int(request.app[SETTINGS].session_length.total_seconds())
    try:
        data = request.app[SERIALIZER].loads(cookie, max_age=max_age)
    except BadSignature:  # also an expired one (SignatureExpired is a BadSignature)
        return None
    if not isinstance(data, dict):
        return None
    person_id, csrf = data.get("p"), data.get("c")
    if not isinstance(person_id, int) or not isinstance(csrf, str):
        return None
    return person_id, csrf


def _start_session(request: web.Request, response: web.StreamResponse, person: Person) -> None:
    value = request.app[SERIALIZER].dumps({"p": person.id, "c": secrets.token_urlsafe(24)})
    public = request.app[CTX].program.dashboard.public_url or ""
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(request.app[SETTINGS].session_length.total_seconds()),
        path="/",
        httponly=True,
        samesite="Strict",
        secure=public.startswith("https://"),
    )


def _form(request: web.Request) -> Mapping[str, Any]:
    form: Mapping[str, Any] = request[FORM]
    return form


def _field_id(form: Mapping[str, Any], name: str) -> int | None:
    value = form.get(name)
    return read_id(value) if isinstance(value, str) and value.strip() else None


# Signing in and out ------------------------------------------------------------------------------


async def _home(request: web.Request) -> web.StreamResponse:
    return redirect("/outcomes")


async def _login_page(request: web.Request) -> web.StreamResponse:
    return render(request, "login.html", token=request.match_info["token"])


async def _login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    token = form.get("token")
    if not isinstance(token, str) or not 10 <= len(token) <= 200:
        return render(request, "refused.html", status=403, reason="unknown")
    try:
        person = await login.sign_in(request.app[CTX], token)
    except login.SignInRefused as refused:
        return render(request, "refused.html", status=403, reason=refused.reason.value)
    log.info("dashboard: person %s signed in", person.id)
    response = redirect("/outcomes")
    _start_session(request, response, person)
    return response


async def _signed_out(request: web.Request) -> web.StreamResponse:
    return render(request, "signed_out.html", status=401)


async def _logout(request: web.Request) -> web.StreamResponse:
    response = redirect("/signed-out")
    response.del_cookie(COOKIE, path="/")
    return response


# Outcomes ----------------------------------------------------------------------------------------


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


async def _outcomes(request: web.Request) -> web.StreamResponse:
    ctx = request.app[CTX]
    today = ctx.clock().astimezone(UTC).date()
    asked_from, asked_to = request.query.get("from"), request.query.get("to")
    first, last = _day(asked_from), _day(asked_to)
    problem = bool(asked_from and first is None) or bool(asked_to and last is None)
    last = min(last or today, today)
    first = first or last - timedelta(days=OUTCOMES_DAYS)
    if first >= last or (last - first).days > MAX_OUTCOMES_DAYS:
        problem, first, last = True, today - timedelta(days=OUTCOMES_DAYS), today
    since = datetime.combine(first, time(), UTC)
    until = datetime.combine(last, time(), UTC) + timedelta(days=1)
    until = min(until, ctx.clock())
    found = await pages.outcomes(ctx, since, until)
    charts = [
        (
            chart.name,
            "data:image/png;base64," + base64.b64encode(chart.png).decode(),
            chart.alt_text,
        )
        for chart in found.charts
    ]
    return render(
        request,
        "outcomes.html",
        report=found.report,
        charts=charts,
        first=first,
        last=last,
        problem=problem,
        today=today,
    )


# Roster and pairing ------------------------------------------------------------------------------


async def _roster(request: web.Request) -> web.StreamResponse:
    ctx = request.app[CTX]
    team = await roster.roster(ctx, viewer=request[PERSON])
    coordinators = await ctx.storage.people_with_role(Role.COORDINATOR)
    return render(
        request,
        "roster.html",
        team=team,
        coordinators=coordinators,
        done=request.query.get("done", ""),
        problem=request.query.get("problem", ""),
    )


async def _pair(request: web.Request) -> web.StreamResponse:
    form = _form(request)
    mentee, mentor = _field_id(form, "mentee"), _field_id(form, "mentor")
    backup = _field_id(form, "backup")
    if mentee is None or mentor is None:
        return redirect("/roster?problem=choose")
    try:
        await pairing.pair(
            request.app[CTX],
            mentee,
            mentor,
            backup_id=backup,
            by=PairingSource.COORDINATOR,
            over_capacity=form.get("over_capacity") == "yes",
        )
    except PairingError as err:
        return redirect(f"/roster?problem={err.problem.value}")
    return redirect("/roster?done=paired")


async def _unpair(request: web.Request) -> web.StreamResponse:
    mentee = _field_id(_form(request), "mentee")
    ended = None if mentee is None else await pairing.unpair(request.app[CTX], mentee)
    return redirect("/roster?done=unpaired" if ended else "/roster?problem=no_mentor")


async def _duty(request: web.Request) -> web.StreamResponse:
    chosen = _field_id(_form(request), "person")
    try:
        await roster.set_on_duty(request.app[CTX], chosen)
    except ValueError:
        return redirect("/roster?problem=not_a_coordinator")
    return redirect("/roster?done=duty")


# Alerts (read only) ------------------------------------------------------------------------------


async def _alerts(request: web.Request) -> web.StreamResponse:
    found = await pages.alerts(request.app[CTX], request[PERSON])
    return render(
        request,
        "alerts.html",
        open_alerts=[a for a in found if a.alert.open],
        closed_alerts=[a for a in found if not a.alert.open],
        days=pages.ALERT_WINDOW.days,
    )


# Invites -----------------------------------------------------------------------------------------


def _qr_svg(text: str) -> str:
    """The QR code as an ``<img>``-able data URI (SVG, scales on any screen)."""
    return str(segno.make(text, error="m").svg_data_uri(scale=6, border=2))


async def _invites(request: web.Request) -> web.StreamResponse:
    ctx = request.app[CTX]
    found = await pages.open_invites(ctx, request[PERSON])
    shown = request.query.get("show", "")
    selected = next((i for i in found if i.invite.code == shown), None)
    qr = None
    join = None
    if selected is not None:
        template = ctx.program.dashboard.invite_link
        join = template.replace("{code}", selected.invite.code) if template else None
        qr = _qr_svg(join or selected.invite.code)
    return render(
        request,
        "invites.html",
        invites=found,
        selected=selected,
        qr=qr,
        join=join,
        roles=INVITE_ROLES,
        max_uses=MAX_INVITE_USES,
        max_days=MAX_INVITE_DAYS,
        done=request.query.get("done", ""),
        problem=request.query.get("problem", ""),
    )


async def _create_invite(request: web.Request) -> web.StreamResponse:
    form = _form(request)
    role = next((r for r in INVITE_ROLES if r.value == form.get("role")), None)
    uses = read_whole(str(form.get("uses", "")))
    days = read_whole(str(form.get("days", "")))
    if (
        role is None
        or uses is None
        or days is None
        or not 1 <= uses <= MAX_INVITE_USES
        or not 1 <= days <= MAX_INVITE_DAYS
    ):
        return redirect("/invites?problem=invalid")
    made = await pairing.make_invite(
        request.app[CTX], role, uses=uses, valid_for=timedelta(days=days)
    )
    return redirect(f"/invites?show={made.code}&done=made")


async def _revoke_invite(request: web.Request) -> web.StreamResponse:
    code = _form(request).get("code")
    gone = isinstance(code, str) and await pages.revoke_invite(request.app[CTX], code)
    return redirect("/invites?done=revoked" if gone else "/invites?problem=gone")


# Circles and the audit log -----------------------------------------------------------------------


async def _circles(request: web.Request) -> web.StreamResponse:
    overview = await pages.circles_overview(request.app[CTX], request[PERSON])
    return render(request, "circles.html", overview=overview)


AUDIT_WINDOWS = (1, 7, 30, 90, 365)


async def _audit(request: web.Request) -> web.StreamResponse:
    query = request.query
    subject = _field_id(query, "person")
    actor = _field_id(query, "actor")
    days = read_whole(query.get("days", "7")) or 7
    days = days if days in AUDIT_WINDOWS else 7
    lines = await pages.audit_log(
        request.app[CTX],
        request[PERSON],
        subject_id=subject,
        actor_id=actor,
        window=timedelta(days=days),
        limit=AUDIT_LIMIT,
    )
    return render(
        request,
        "audit.html",
        lines=lines,
        subject=subject,
        actor=actor,
        days=days,
        windows=AUDIT_WINDOWS,
    )
