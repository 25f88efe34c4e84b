"""The coordinators' dashboard in a real browser: the system's headless Chromium, driven by
Selenium through chromedriver, against the real dashboard and core on a SQLite file; the invite
is redeemed through the Telegram emulator with the real python-telegram-bot adapter.

One browser for the whole module (each test clears its cookies), so the module stays quick.
``PEERBOT_SCREENSHOTS=docs/screenshots`` also writes the README's screenshots there.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver

from bot.adapters.telegram import TelegramAdapter, TelegramSettings
from bot.dashboard.server import DashboardServer
from bot.dashboard.settings import DashboardServerSettings
from bot.demo_data import seed
from handlers.account import onboarding_texts as ob_texts
from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.dashboard import login
from handlers.messaging import Messengers
from handlers.program import DashboardSettings, ProgramSettings
from handlers.texts import profile as profile_texts
from storage.dashboard import LoginLink
from storage.mentoring import ChainRole, EscalationStep, Trigger
from storage.people import AccountAddress, Role
from storage.sqlite import SqliteStorage
from tests.support import Chat, FakeClock, onboard
from tests.support.browser import Browser, chromium_or_skip, start_chromium
from tests.support.emulator import EmulatorHandle
from tests.support.mentoring import staff

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SHOTS = os.environ.get("PEERBOT_SCREENSHOTS")
NEW_USER = 7373


@pytest.fixture(scope="module")
def chromium() -> Iterator[webdriver.Chrome]:
    browser, driver = chromium_or_skip()
    started = start_chromium(browser, driver)
    try:
        yield started
    finally:
        started.quit()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def web_ctx(storage: SqliteStorage, clock: FakeClock, port: int) -> Context:
    program = replace(
        ProgramSettings(name="Harbor Peer Support"),
        dashboard=DashboardSettings(public_url=f"http://127.0.0.1:{port}"),
    )
    return assemble(Context(storage=storage, program=program, messengers=Messengers(), clock=clock))


@pytest.fixture
async def browser(
    chromium: webdriver.Chrome, web_ctx: Context, port: int
) -> AsyncIterator[Browser]:
    server = DashboardServer(web_ctx, DashboardServerSettings(listen=f"127.0.0.1:{port}"), None)
    await server.start()
    driven = Browser(chromium, f"http://127.0.0.1:{port}")
    try:
        yield driven
    finally:
        await driven.call(chromium.delete_all_cookies)
        await server.stop()


async def a_coordinator(ctx: Context) -> int:
    _, person_id = await staff(ctx, build_dispatcher(ctx), Role.COORDINATOR, "c1", "Cy")
    return person_id


async def sign_in(browser: Browser, ctx: Context, person_id: int) -> str:
    """Open a fresh one-time link and press Sign in; the link, for reuse attempts."""
    url = (await login.issue_link(ctx, person_id)).url
    await browser.open(url)
    await browser.press("button.primary")
    return url


async def shoot(browser: Browser, name: str) -> None:
    if SHOTS:
        target = Path(SHOTS) / f"{name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        await browser.screenshot(target)
        shrink(target)


def shrink(png: Path) -> None:
    """A 64-colour palette: the pages are flat colour and text, so they stay sharp and small."""
    from PIL import Image

    with Image.open(png) as image:
        small = image.convert("RGB").quantize(colors=64)
    small.save(png, optimize=True)


# Signing in, and the demo program's outcomes ---------------------------------------------------


async def test_a_coordinator_signs_in_and_sees_the_demo_programs_outcomes(
    browser: Browser, web_ctx: Context, storage: SqliteStorage, clock: FakeClock
) -> None:
    await seed(storage, clock())
    coordinator = (await storage.people_with_role(Role.COORDINATOR))[0]
    # One open alert that climbed its chain, so the alerts page shows a chain.
    mentee = (await storage.people_with_role(Role.MENTEE))[0]
    pairing = await storage.pairing_of(mentee.id)
    assert pairing is not None
    alert, _ = await storage.create_alert(mentee.id, Trigger.CRAVING, clock() - timedelta(hours=2))
    for step, (role, who) in enumerate(
        [(ChainRole.MENTOR, pairing.mentor_id), (ChainRole.COORDINATOR, coordinator.id)], 1
    ):
        moment = clock() - timedelta(hours=2) + timedelta(hours=step - 1) * 12 / 60
        await storage.record_step(EscalationStep(alert.id, step, who, role, moment))
    await storage.set_on_duty(coordinator.id, clock())

    await browser.open("/outcomes")
    assert await browser.path() == "/signed-out"  # nothing without signing in
    await sign_in(browser, web_ctx, coordinator.id)
    assert await browser.path() == "/outcomes"
    page = await browser.text()
    assert "Any figure about fewer than 5 people is withheld" in page
    completion = await browser.text("#t-completion")
    assert re.search(r"\d+\.\d%", completion), completion  # a real rate, as `peerbot report`
    alts = await browser.run_script(
        "return [...document.querySelectorAll('img.chart')].map(i => i.alt)"
    )
    assert len(alts) >= 2 and all(alts), alts  # every chart has its alt text
    await shoot(browser, "outcomes")

    # A date range that cannot be read falls back to the default, saying so.
    await browser.open("/outcomes?from=2026-13-40")
    assert "could not be used" in await browser.text()

    for page_path in ("/roster", "/circles", "/invites", "/audit", "/alerts", "/outcomes"):
        await browser.open(page_path)
        assert await browser.path() == page_path
        # Accessible and phone-readable: every field named, no sideways scrolling at 390 px,
        # and the keyboard's first stop skips the navigation.
        assert await browser.unlabelled_fields() == [], page_path
        assert await browser.fits_a_phone(), page_path
        assert await browser.first_tab_stop() == "Skip to the page's content", page_path
        if page_path not in ("/alerts", "/outcomes"):
            await shoot(browser, page_path.strip("/"))
    await browser.open("/audit")  # the pages just seen named people: each view was recorded
    logged = await browser.text("#audit")
    assert "dashboard circles" in logged and "roster" in logged

    # Alerts: read only. No form, no button, nothing to acknowledge with.
    await browser.open("/alerts")
    main_forms = await browser.all("main form, main button, main input")
    assert main_forms == []
    listed = await browser.text("#open-alerts")
    assert mentee.display_name in listed and "coordinator:" in listed
    await shoot(browser, "alerts")
    still_open = await storage.get_alert(alert.id)
    assert still_open is not None and still_open.open
    audited = await storage.audit_log(actor_id=coordinator.id, limit=1000)
    assert any(e.action == "dashboard_alerts" and e.subject_id == mentee.id for e in audited)


# Pairing a mentee ------------------------------------------------------------------------------


async def test_a_coordinator_pairs_a_mentee_from_the_roster(
    browser: Browser, web_ctx: Context, storage: SqliteStorage
) -> None:
    dispatcher = build_dispatcher(web_ctx)
    _, mentor = await staff(web_ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    newcomer = Chat(dispatcher, user_id="u1")
    await onboard(newcomer)
    found = await storage.person_for_account(AccountAddress(newcomer.platform, "u1"))
    assert found is not None
    coordinator = await a_coordinator(web_ctx)
    await sign_in(browser, web_ctx, coordinator)
    await browser.open("/roster")
    assert f"#{found.id}" in await browser.text("#unpaired")
    await browser.choose("#mentee", str(found.id))
    await browser.choose("#mentor", str(mentor))
    await browser.press("#pair-form button[type=submit]")
    assert "Paired" in await browser.text("#done")
    assert "Everyone has a mentor" in await browser.text("#unpaired")
    pairing = await storage.pairing_of(found.id)
    assert pairing is not None and pairing.mentor_id == mentor
    assert await storage.get_due("pairing", str(pairing.id)) is not None  # the notice is queued


# An invite made on the dashboard, redeemed through Telegram -----------------------------------


@pytest.fixture
async def telegram(
    emulator_process: EmulatorHandle, web_ctx: Context
) -> AsyncIterator[EmulatorHandle]:
    await emulator_process.reset()
    dispatcher = build_dispatcher(web_ctx)
    adapter = TelegramAdapter(
        emulator_process.token,
        dispatcher,
        TelegramSettings(api_base_url=emulator_process.base_url, poll_timeout=1),
    )
    web_ctx.messengers.add(adapter.messenger)
    await adapter.start()
    try:
        yield emulator_process
    finally:
        await adapter.stop()


async def test_an_invite_made_on_the_dashboard_is_redeemed_through_telegram(
    browser: Browser, web_ctx: Context, storage: SqliteStorage, telegram: EmulatorHandle
) -> None:
    coordinator = await a_coordinator(web_ctx)
    await sign_in(browser, web_ctx, coordinator)
    await browser.open("/invites")
    await browser.choose("#role", "mentee")
    await browser.type_into("#uses", "1")
    await browser.type_into("#days", "3")
    await browser.press("#invite-form button[type=submit]")
    code = (await browser.text("#invite-code")).strip()
    assert re.fullmatch(r"[A-Z0-9]{8}", code), code
    qr = await browser.attribute("#invite-qr", "src")
    assert qr is not None and qr.startswith("data:image/svg+xml")
    await shoot(browser, "invites")

    seen = 0

    async def next_message(part: str) -> dict[str, Any]:
        nonlocal seen
        found = await telegram.wait_for_bot_message(
            NEW_USER,
            lambda m: m["message_id"] > seen and part.lower() in (m.get("text") or "").lower(),
            within=5.0,
        )
        seen = int(found["message_id"])
        return found

    async def say(text: str) -> None:
        await telegram.send_message(NEW_USER, NEW_USER, text, first_name="Rae")

    await say(f"/start {code}")
    welcome = await telegram.wait_for_bot_message(
        NEW_USER, lambda m: "reply_markup" in m, within=5.0
    )
    seen = int(welcome["message_id"])
    rows = welcome["reply_markup"]["inline_keyboard"]
    consent = next(
        b["callback_data"] for row in rows for b in row if ob_texts.CONSENT_YES in b["text"]
    )
    await telegram.press_button(NEW_USER, NEW_USER, welcome["message_id"], consent)
    await next_message("What name")
    await say("Rae")
    await next_message("Which city")
    await say("Denver")
    confirm = await next_message("Is that right")
    rows = confirm["reply_markup"]["inline_keyboard"]
    yes = next(
        b["callback_data"] for row in rows for b in row if profile_texts.ZONE_YES in b["text"]
    )
    await telegram.press_button(NEW_USER, NEW_USER, confirm["message_id"], yes)
    await next_message("What time of day")
    await say("8pm")
    asked = await next_message("date you count your recovery from")
    rows = asked["reply_markup"]["inline_keyboard"]
    skip = next(b["callback_data"] for row in rows for b in row if ob_texts.SKIP_SINCE in b["text"])
    await telegram.press_button(NEW_USER, NEW_USER, asked["message_id"], skip)
    await next_message("You're all set")

    joined = await storage.person_for_account(AccountAddress("telegram", str(NEW_USER)))
    assert joined is not None and await storage.roles_of(joined.id) == {Role.MENTEE}
    # The code is used up: the dashboard no longer lists it, and the roster shows Rae unpaired.
    await browser.open("/invites")
    assert code not in await browser.text()
    await browser.open("/roster")
    assert "Rae" in await browser.text("#unpaired")


async def test_a_revoked_invite_no_longer_works(
    browser: Browser, web_ctx: Context, storage: SqliteStorage
) -> None:
    coordinator = await a_coordinator(web_ctx)
    await sign_in(browser, web_ctx, coordinator)
    await browser.open("/invites")
    await browser.press("#invite-form button[type=submit]")
    code = (await browser.text("#invite-code")).strip()
    await browser.press(f"button[aria-label='Revoke {code}']")
    assert "revoked" in await browser.text("#done")
    assert await storage.open_invites(web_ctx.clock()) == []
    joiner = Chat(build_dispatcher(web_ctx), user_id="late")
    replies = await joiner.command("start", code)
    assert await storage.person_for_account(AccountAddress(joiner.platform, "late")) is None
    assert replies  # told kindly that the code does not work (onboarding's own answer)


# Refusals ---------------------------------------------------------------------------------------


async def refusal(browser: Browser) -> str | None:
    return await browser.attribute("#refused", "data-reason")


async def test_a_reused_link_is_refused(browser: Browser, web_ctx: Context) -> None:
    coordinator = await a_coordinator(web_ctx)
    url = await sign_in(browser, web_ctx, coordinator)
    assert await browser.path() == "/outcomes"
    await browser.press("form.signout button")
    assert await browser.path() == "/signed-out"
    await browser.open(url)
    await browser.press("button.primary")
    assert await refusal(browser) == "used"
    await browser.open("/roster")
    assert await browser.path() == "/signed-out"


async def test_an_expired_link_is_refused(
    browser: Browser, web_ctx: Context, clock: FakeClock
) -> None:
    coordinator = await a_coordinator(web_ctx)
    url = (await login.issue_link(web_ctx, coordinator)).url
    clock.advance(minutes=10)
    await browser.open(url)
    await browser.press("button.primary")
    assert await refusal(browser) == "expired"
    assert "10 minutes" in await browser.text()


async def test_a_mentors_link_is_refused(
    browser: Browser, web_ctx: Context, storage: SqliteStorage, clock: FakeClock
) -> None:
    dispatcher = build_dispatcher(web_ctx)
    mentor_chat, mentor = await staff(web_ctx, dispatcher, Role.MENTOR, "m1", "Mo")
    # A mentor gets no link from the chat...
    assert not any("/login/" in r.text for r in await mentor_chat.command("dashboard"))
    # ...and a link row that names a mentor (forged, or left from a role since changed) does
    # not sign them in either.
    token = "mentor-token-" + "x" * 30
    now = clock()
    await storage.create_login_link(
        LoginLink(login.token_hash(token), mentor, now, now + login.LINK_VALID)
    )
    await browser.open(f"/login/{token}")
    await browser.press("button.primary")
    assert await refusal(browser) == "not_a_coordinator"
    await browser.open("/roster")
    assert await browser.path() == "/signed-out"


async def test_a_form_without_its_csrf_token_is_refused(
    browser: Browser, web_ctx: Context, storage: SqliteStorage
) -> None:
    coordinator = await a_coordinator(web_ctx)
    await sign_in(browser, web_ctx, coordinator)
    await browser.open("/invites")
    # What a forged form lacks: the hidden token this session's pages carry.
    await browser.run_script("document.querySelector('#invite-form input[name=csrf]').remove()")
    await browser.press("#invite-form button[type=submit]")
    assert await refusal(browser) == "csrf"
    assert "Nothing was changed" in await browser.text()
    assert await storage.open_invites(web_ctx.clock()) == []
