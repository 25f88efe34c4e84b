"""The coordinators' dashboard without a browser: the one-time link (``/dashboard``,
``peerbot dashboard-link``), sessions and CSRF through aiohttp's own client against the real
application, and ``peerbot run`` starting it when ``[dashboard] listen`` is set.

The browser tests (``tests/test_dashboard_browser.py``) show the same through Chromium.
"""

from __future__ import annotations

import asyncio
import re
import socket
import tempfile
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli import main as cli_main
from bot.config import load_config
from bot.dashboard.app import COOKIE, build_app
from bot.dashboard.settings import DashboardServerSettings, SessionKey
from bot.database import assembled
from bot.runner import run
from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.dashboard import login
from handlers.dashboard import texts as dash_texts
from handlers.dispatcher import Dispatcher
from handlers.messaging import ChatKind
from handlers.program import DashboardSettings, ProgramSettings
from storage.dashboard import LoginLinkError
from storage.mentoring import Trigger
from storage.people import Role
from storage.sqlite import SqliteStorage
from tests.support import Chat, FakeClock
from tests.support.mentoring import mentee_of, staff

URL = "http://dash.example.org"
"""Plain http, so the test client sends the cookie back (a Secure one goes over https only)."""
KEY = SessionKey(b"k" * 32, "test")
Client = TestClient[web.Request, web.Application]


@pytest.fixture
def dash_ctx(ctx: Context) -> Context:
    program = replace(ProgramSettings(), dashboard=DashboardSettings(public_url=URL))
    return replace(ctx, program=program)


@pytest.fixture
def dash_dispatcher(dash_ctx: Context) -> Dispatcher:
    from handlers.app import build_dispatcher

    return build_dispatcher(dash_ctx)


@pytest.fixture
async def client(
    dash_ctx: Context,
) -> AsyncIterator[Client]:
    app = build_app(dash_ctx, DashboardServerSettings(listen="127.0.0.1:0"), KEY)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def token_of(url: str) -> str:
    assert url.startswith(URL + login.LOGIN_PATH), url
    return url.rsplit("/", 1)[1]


async def sign_in(client: Client, token: str) -> aiohttp.ClientResponse:
    page = await client.get(f"/login/{token}")
    assert page.status == 200 and "Sign in" in await page.text()
    return await client.post("/login", data={"token": token}, allow_redirects=False)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "a form without its CSRF token"
    return found[1]


# The link: in the chat and on the command line ----------------------------------------------------


async def test_a_coordinator_gets_a_link_in_private_and_a_kind_refusal_in_a_group(
    dash_ctx: Context, dash_dispatcher: Dispatcher
) -> None:
    chat, coordinator = await staff(dash_ctx, dash_dispatcher, Role.COORDINATOR, "c1", "Cy")
    replies = await chat.command("dashboard")
    assert len(replies) == 1 and "works once, for 10 minutes" in replies[0].text
    url = re.search(r"https?://\S+", replies[0].text)
    assert url is not None and token_of(url[0])
    # The database holds the token's hash, never the token.
    person = await login.sign_in(dash_ctx, token_of(url[0]))
    assert person.id == coordinator

    in_group = Chat(dash_dispatcher, user_id="c1", chat_kind=ChatKind.GROUP)
    refused = await in_group.command("dashboard")
    assert [r.text for r in refused] == [dash_texts.IN_A_GROUP]
    assert "http" not in refused[0].text


async def test_mentors_have_no_dashboard_command_and_an_off_dashboard_says_so(
    ctx: Context, dispatcher: Dispatcher
) -> None:
    mentor, _ = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    assert not any("http" in r.text for r in await mentor.command("dashboard"))
    coordinator, _ = await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
    assert [r.text for r in await coordinator.command("dashboard")] == [dash_texts.OFF]


async def test_the_stored_link_is_a_hash(dash_ctx: Context, dash_dispatcher: Dispatcher) -> None:
    _, coordinator = await staff(dash_ctx, dash_dispatcher, Role.COORDINATOR, "c1", "Cy")
    issued = await login.issue_link(dash_ctx, coordinator)
    token = token_of(issued.url)
    with pytest.raises(LoginLinkError):  # the token itself is no key to anything
        await dash_ctx.storage.use_login_link(token, dash_ctx.clock())
    assert await dash_ctx.storage.use_login_link(login.token_hash(token), dash_ctx.clock()) == (
        coordinator
    )


async def test_peerbot_dashboard_link_prints_a_link_only_for_a_coordinator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "cli.db"
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[storage]\nurl = "sqlite:///{database}"\n[dashboard]\nlisten = "127.0.0.1:8089"\n'
        f'public_url = "{URL}/"\n'
    )
    config = load_config(config_file, env={})
    async with assembled(config) as ctx:
        from handlers.app import build_dispatcher

        dispatcher = build_dispatcher(ctx)
        _, coordinator = await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
        _, mentor = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    code = await asyncio.to_thread(
        cli_main, ["--config", str(config_file), "dashboard-link", str(coordinator)]
    )
    out = capsys.readouterr()
    assert code == 0 and token_of(out.out.strip())
    assert "works once" in out.err
    code = await asyncio.to_thread(
        cli_main, ["--config", str(config_file), "dashboard-link", str(mentor)]
    )
    out = capsys.readouterr()
    assert code == 1 and out.out == "" and "is not a coordinator" in out.err


# Signing in, sessions, CSRF -----------------------------------------------------------------------


async def test_a_link_signs_in_once_and_then_never_again(
    client: Client,
    dash_ctx: Context,
    dash_dispatcher: Dispatcher,
) -> None:
    _, coordinator = await staff(dash_ctx, dash_dispatcher, Role.COORDINATOR, "c1", "Cy")
    token = token_of((await login.issue_link(dash_ctx, coordinator)).url)
    # Opening the link (as a chat app's preview would) spends nothing.
    assert (await client.get(f"/login/{token}")).status == 200
    first = await sign_in(client, token)
    assert first.status == 303 and first.headers["Location"] == "/outcomes"
    cookie = first.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["max-age"]
    assert not cookie["secure"]  # the public address is http (a local test set-up)
    again = await sign_in(client, token)
    assert again.status == 403 and 'data-reason="used"' in await again.text()


async def test_behind_https_the_cookie_is_secure(
    dash_ctx: Context, dash_dispatcher: Dispatcher
) -> None:
    https = replace(dash_ctx.program.dashboard, public_url="https://dash.example.org")
    https_ctx = replace(dash_ctx, program=replace(dash_ctx.program, dashboard=https))
    app = build_app(https_ctx, DashboardServerSettings(), KEY)
    _, coordinator = await staff(dash_ctx, dash_dispatcher, Role.COORDINATOR, "c1", "Cy")
    issued = await login.issue_link(https_ctx, coordinator)
    async with TestClient(TestServer(app)) as https_client:
        signed = await sign_in(https_client, issued.url.rsplit("/", 1)[1])
    assert signed.status == 303 and signed.cookies[COOKIE]["secure"]


async def test_an_expired_link_and_a_mentors_link_are_refused(
    client: Client,
    dash_ctx: Context,
    dash_dispatcher: Dispatcher,
    clock: FakeClock,
) -> None:
    _, coordinator = await staff(dash_ctx, dash_dispatcher, Role.COORDINATOR, "c1", "Cy")
    token = token_of((await login.issue_link(dash_ctx, coordinator)).url)
    clock.advance(minutes=10)
    late = await sign_in(client, token)
    assert late.status == 403 and 'data-reason="expired"' in await late.text()
    assert COOKIE not in late.cookies

    # A link made for someone who is no longer a coordinator (here: one who stopped).
    token = token_of((await login.issue_link(dash_ctx, coordinator)).url)
    await dash_ctx.storage.set_stopped(coordinator, clock())
    stopped = await sign_in(client, token)
    assert stopped.status == 403 and 'data-reason="not_a_coordinator"' in await stopped.text()
    _, mentor = await staff(dash_ctx, dash_dispatcher, Role.MENTOR, "m1", "Mo")
    with pytest.raises(login.NotACoordinator):
        await login.issue_link(dash_ctx, mentor)


async def test_pages_need_a_session_and_forms_need_their_csrf_token(
    client: Client,
    dash_ctx: Context,
    dash_dispatcher: Dispatcher,
) -> None:
    for page in ("/outcomes", "/roster", "/alerts", "/invites", "/circles", "/audit"):
        response = await client.get(page, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/signed-out", page
    assert (
        await client.post("/invites", data={"role": "mentee"}, allow_redirects=False)
    ).status == 303

    _, coordinator = await staff(dash_ctx, dash_dispatcher, Role.COORDINATOR, "c1", "Cy")
    await sign_in(client, token_of((await login.issue_link(dash_ctx, coordinator)).url))
    invites = await client.get("/invites")
    assert invites.status == 200
    headers = invites.headers
    assert "script-src" not in headers["Content-Security-Policy"]  # no script at all
    assert headers["Cache-Control"] == "no-store" and headers["Referrer-Policy"] == "no-referrer"
    form = {"role": "mentee", "uses": "1", "days": "7"}
    missing = await client.post("/invites", data=form, allow_redirects=False)
    assert missing.status == 403 and 'data-reason="csrf"' in await missing.text()
    wrong = await client.post("/invites", data={**form, "csrf": "x" * 32}, allow_redirects=False)
    assert wrong.status == 403
    assert await dash_ctx.storage.open_invites(dash_ctx.clock()) == []
    made = await client.post(
        "/invites", data={**form, "csrf": csrf_of(await invites.text())}, allow_redirects=False
    )
    assert made.status == 303 and "show=" in made.headers["Location"]
    assert len(await dash_ctx.storage.open_invites(dash_ctx.clock())) == 1


async def test_a_forged_or_foreign_cookie_is_not_a_session(
    client: Client,
    dash_ctx: Context,
    dash_dispatcher: Dispatcher,
) -> None:
    other = build_app(dash_ctx, DashboardServerSettings(), SessionKey(b"o" * 32, "other"))
    from itsdangerous import URLSafeTimedSerializer

    from bot.dashboard.app import SERIALIZER

    assert isinstance(other[SERIALIZER], URLSafeTimedSerializer)
    _, coordinator = await staff(dash_ctx, dash_dispatcher, Role.COORDINATOR, "c1", "Cy")
    forged = other[SERIALIZER].dumps({"p": coordinator, "c": "x"})
    client.session.cookie_jar.update_cookies({COOKIE: forged})
    response = await client.get("/roster", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/signed-out"


async def test_a_coordinator_who_loses_the_role_loses_the_dashboard_at_the_next_click(
    client: Client,
    dash_ctx: Context,
    dash_dispatcher: Dispatcher,
    clock: FakeClock,
) -> None:
    _, coordinator = await staff(dash_ctx, dash_dispatcher, Role.COORDINATOR, "c1", "Cy")
    await sign_in(client, token_of((await login.issue_link(dash_ctx, coordinator)).url))
    assert (await client.get("/roster")).status == 200
    await dash_ctx.storage.set_stopped(coordinator, clock())
    response = await client.get("/roster", allow_redirects=False)
    assert response.status == 403 and 'data-reason="not_a_coordinator"' in await response.text()


# Every page that names people is audited ----------------------------------------------------------


async def test_pages_that_name_people_write_the_audit_log(
    client: Client,
    dash_ctx: Context,
    dash_dispatcher: Dispatcher,
) -> None:
    mentor, _ = await staff(dash_ctx, dash_dispatcher, Role.MENTOR, "m1", "Mo")
    _, mentee = await mentee_of(dash_ctx, dash_dispatcher, mentor, "u1", "Sam")
    await dash_ctx.storage.create_alert(mentee, Trigger.CRAVING, dash_ctx.clock())
    _, coordinator = await staff(dash_ctx, dash_dispatcher, Role.COORDINATOR, "c1", "Cy")
    await sign_in(client, token_of((await login.issue_link(dash_ctx, coordinator)).url))
    for page, action in (
        ("/roster", "roster"),
        ("/alerts", "dashboard_alerts"),
        ("/audit", "dashboard_audit"),
    ):
        assert (await client.get(page)).status == 200
        rows = await dash_ctx.storage.audit_log(actor_id=coordinator, limit=100)
        assert any(r.action == action and r.subject_id == mentee for r in rows), page
    alerts_page = await (await client.get("/alerts")).text()
    assert "Sam" in alerts_page and "<form" not in alerts_page.split("<main", 1)[1]


# peerbot run starts it ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class IdleAdapter:
    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass


async def test_peerbot_run_serves_the_dashboard_when_listen_is_set(tmp_path: Path) -> None:
    port = free_port()
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[storage]\nurl = "sqlite:///{tmp_path / "run.db"}"\n'
        f'[dashboard]\nlisten = "127.0.0.1:{port}"\n'
    )
    config = load_config(config_file, env={"PEERBOT_DASHBOARD_SECRET": "s" * 40})
    async with assembled(config) as ctx:
        from handlers.app import build_dispatcher

        _, coordinator = await staff(ctx, build_dispatcher(ctx), Role.COORDINATOR, "c1", "Cy")
        issued = await login.issue_link(ctx, coordinator)
    assert issued.url.startswith(f"http://127.0.0.1:{port}/login/")
    stop = asyncio.Event()
    running = asyncio.create_task(run(config, stop=stop, make_adapters=lambda *_: [IdleAdapter()]))
    try:
        # unsafe: keep cookies of an IP address such as 127.0.0.1 (aiohttp drops them otherwise)
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            for _ in range(100):
                try:
                    page = await http.get(issued.url)
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            assert page.status == 200
            token = issued.url.rsplit("/", 1)[1]
            signed = await http.post(f"http://127.0.0.1:{port}/login", data={"token": token})
            assert signed.status == 200 and str(signed.url).endswith("/outcomes")
            assert "Outcomes" in await signed.text()
    finally:
        stop.set()
        assert await asyncio.wait_for(running, timeout=20) == 0
    with pytest.raises(aiohttp.ClientConnectionError):  # stopped with the bot
        async with aiohttp.ClientSession() as http:
            await http.get(issued.url)


async def test_without_listen_peerbot_run_serves_nothing(tmp_path: Path) -> None:
    config = load_config(None, env={"PEERBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert config.dashboard.listen is None and config.program.dashboard.public_url is None
    assert timedelta(hours=config.dashboard.session_hours) == config.dashboard.session_length


# Bad input: whatever a form or a query holds, a clear page, never an error page ----------------

FORMS = ("/roster/pair", "/roster/unpair", "/roster/duty", "/invites", "/invites/revoke")
QUERIES = ("/outcomes", "/audit", "/invites", "/roster")
FIELDS = ("mentee", "mentor", "backup", "person", "role", "uses", "days", "code", "over_capacity")
QUERY_FIELDS = ("from", "to", "person", "actor", "days", "show", "done", "problem")
junk = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["", "0", "1", "2", "mentee", "coordinator", "2026-02-30", "９", "1e3"]),
)
requests = st.lists(
    st.one_of(
        st.tuples(
            st.just("post"), st.sampled_from(FORMS), st.dictionaries(st.sampled_from(FIELDS), junk)
        ),
        st.tuples(
            st.just("get"),
            st.sampled_from(QUERIES),
            st.dictionaries(st.sampled_from(QUERY_FIELDS), junk),
        ),
    ),
    min_size=1,
    max_size=8,
)


async def _poke(folder: Path, steps: list[tuple[str, str, dict[str, str]]]) -> list[str]:
    storage = SqliteStorage(folder / "fuzz.db")
    await storage.open()
    ctx = assemble(
        Context(
            storage=storage,
            program=ProgramSettings(dashboard=DashboardSettings(public_url=URL)),
            clock=FakeClock(),
        )
    )
    broken = []
    try:
        dispatcher = build_dispatcher(ctx)
        await staff(ctx, dispatcher, Role.MENTOR, "m1", "Mo")
        _, coordinator = await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
        app = build_app(ctx, DashboardServerSettings(), KEY)
        async with TestClient(TestServer(app)) as client:
            await sign_in(client, token_of((await login.issue_link(ctx, coordinator)).url))
            csrf = csrf_of(await (await client.get("/roster")).text())
            for method, path, fields in steps:
                if method == "post":
                    response = await client.post(path, data={**fields, "csrf": csrf})
                else:
                    response = await client.get(path, params=fields)
                body = await response.text()
                if response.status >= 500 or "Traceback" in body or "went wrong" in body:
                    broken.append(f"{method} {path} {fields!r}: {response.status}")
    finally:
        await storage.close()
    return broken


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests)
def test_no_form_or_query_gets_an_error_page(steps: list[tuple[str, str, dict[str, str]]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        assert asyncio.run(_poke(Path(folder), steps)) == []
