"""Onboarding end to end through the dispatcher, with the recording messenger's vocabulary."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.account.onboarding import CONSENT_NO, CONSENT_YES, ConsentNoPress, ConsentYesPress
from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.messaging import OutgoingMessage
from handlers.profile import LanguagePress, ZoneYesPress, profile_routes
from storage.people import AccountAddress, InviteCode, Role
from storage.sqlite import SqliteStorage
from tests.support import Chat, FakeClock, onboard

ADDRESS = AccountAddress("test", "1001")


def texts(replies: list[OutgoingMessage]) -> str:
    return "\n".join(r.text for r in replies)


async def test_happy_path(chat: Chat, storage: SqliteStorage) -> None:
    welcome = await chat.command("start")
    assert "not* a crisis or medical service" in welcome[0].text
    assert "988" in welcome[0].text  # the crisis line is shown before anything else
    assert [b.label for b in welcome[0].buttons] == ["Yes, that's okay", "No thanks", "Español"]
    # Before consent: no person, only the conversation row keyed by the account id.
    assert await storage.person_for_account(ADDRESS) is None

    ask_name = await chat.press_label("Yes")
    assert "nickname" in ask_name[0].text
    assert ask_name[0].buttons and ask_name[0].buttons[0].label.startswith("Use")
    ask_zone = await chat.say("Sam")
    assert "Nice to meet you, Sam" in ask_zone[0].text
    confirm = await chat.say("denver")
    assert "Denver" in confirm[0].text and "America/Denver" in confirm[0].text
    ask_time = await chat.press_label("Yes")
    assert "time of day" in ask_time[0].text
    ask_since = await chat.say("8:30 pm")
    assert "date you count your recovery from" in ask_since[0].text
    assert [b.label for b in ask_since[0].buttons] == ["Skip"]
    done = await chat.press_label("Skip")
    assert "8:30 pm" in done[0].text and "America/Denver" in done[0].text

    person = await storage.person_for_account(ADDRESS)
    assert person is not None and person.onboarded and person.display_name == "Sam"
    settings_row = await storage.get_settings(person.id)
    assert (settings_row.timezone, settings_row.checkin_time) == ("America/Denver", "20:30")
    assert await storage.roles_of(person.id) == {Role.MENTEE}
    assert await storage.load_conversation(ADDRESS) is None
    # Onboarding put the first check-in in the due queue.
    assert await storage.get_due("checkin", str(person.id)) is not None


async def test_pseudonym_button(chat: Chat, storage: SqliteStorage) -> None:
    await chat.command("start")
    await chat.press(CONSENT_YES.encode(ConsentYesPress()))
    await chat.press_label("Use")
    person = await storage.person_for_account(ADDRESS)
    assert person is not None and len(person.display_name.split()) == 2


async def test_declining_stores_nothing(chat: Chat, storage: SqliteStorage) -> None:
    await chat.command("start")
    reply = await chat.press(CONSENT_NO.encode(ConsentNoPress()))
    assert "Nothing about you has been stored" in reply[0].text and "/start" in reply[0].text
    assert await storage.person_for_account(ADDRESS) is None
    assert await storage.load_conversation(ADDRESS) is None


async def test_bare_offset_is_refused_with_a_reason(chat: Chat) -> None:
    await chat.command("start")
    await chat.press(CONSENT_YES.encode(ConsentYesPress()))
    await chat.say("Sam")
    for offset in ("UTC+5", "-07:00", "GMT-7"):
        reply = await chat.say(offset)
        assert "daylight" in reply[0].text.lower()
    confirm = await chat.say("New York")
    assert "America/New_York" in confirm[0].text


async def test_gibberish_keeps_the_question(chat: Chat, storage: SqliteStorage) -> None:
    await chat.command("start")
    await chat.press(CONSENT_YES.encode(ConsentYesPress()))
    await chat.say("Sam")
    await chat.say("asdfghjkl")
    assert (await storage.load_conversation(ADDRESS)).step == "zone"  # type: ignore[union-attr]
    await chat.say("London")
    await chat.press(profile_routes("ob").zone_yes.encode(ZoneYesPress()))
    for bad in ("25:00", "banana", "8:75", "13pm"):
        reply = await chat.say(bad)
        assert "Try" in reply[0].text  # says what would work
        assert (await storage.load_conversation(ADDRESS)).step == "time"  # type: ignore[union-attr]


async def test_message_before_start(chat: Chat, storage: SqliteStorage) -> None:
    reply = await chat.say("hello?")
    assert "/start" in reply[0].text
    assert await storage.person_for_account(ADDRESS) is None


async def test_unknown_command_and_help(chat: Chat) -> None:
    reply = await chat.command("frobnicate")
    assert "/frobnicate" in reply[0].text and "/help" in reply[0].text
    await onboard(chat)
    help_text = (await chat.command("help"))[0].text
    for command in ("/settings", "/pause", "/resume", "/stop", "/help"):
        assert command in help_text
    assert "988" in help_text


async def test_invite_codes(ctx: Context, clock: FakeClock, storage: SqliteStorage) -> None:
    now = clock()
    await storage.create_invite(
        InviteCode("MENTOR1", Role.MENTOR, 1, now, expires_at=now + timedelta(days=1))
    )
    await storage.create_invite(InviteCode("OLDCODE", Role.MENTOR, 1, now, expires_at=now))
    first = Chat(build_dispatcher(ctx), user_id="2001")
    await first.command("start", "MENTOR1")
    replies = await first.press(CONSENT_YES.encode(ConsentYesPress()))
    assert "mentor" in texts(replies)
    person = await storage.person_for_account(AccountAddress("test", "2001"))
    assert person is not None and Role.MENTOR in await storage.roles_of(person.id)

    second = Chat(build_dispatcher(ctx), user_id="2002")
    used = await second.command("start", "MENTOR1")
    assert "already been used" in used[0].text and "mentee" in used[0].text
    third = Chat(build_dispatcher(ctx), user_id="2003")
    expired = await third.command("start", "OLDCODE")
    assert "expired" in expired[0].text
    await third.press(CONSENT_YES.encode(ConsentYesPress()))
    person3 = await storage.person_for_account(AccountAddress("test", "2003"))
    assert person3 is not None and await storage.roles_of(person3.id) == {Role.MENTEE}


async def test_join_after_onboarding(chat: Chat, storage: SqliteStorage, clock: FakeClock) -> None:
    await onboard(chat)
    now = clock()
    await storage.create_invite(InviteCode("FAC", Role.FACILITATOR, 1, now, now + timedelta(1)))
    reply = await chat.command("join", "FAC")
    assert "facilitator" in reply[0].text
    again = await chat.command("join", "FAC")
    assert "already been used" in again[0].text


async def test_stale_buttons(chat: Chat) -> None:
    stale = await chat.press(CONSENT_YES.encode(ConsentYesPress()))  # never started
    assert "/start" in stale[0].text
    await onboard(chat)
    old = await chat.press(profile_routes("ob").zone_yes.encode(ZoneYesPress()))
    assert "already set up" in old[0].text
    unknown = await chat.press("zz:whatever")
    assert "older message" in unknown[0].text


async def test_ten_thousand_characters(chat: Chat, storage: SqliteStorage) -> None:
    await chat.command("start")
    await chat.press(CONSENT_YES.encode(ConsentYesPress()))
    reply = await chat.say("a" * 10_000)
    assert "shorter" in reply[0].text
    assert (await storage.load_conversation(ADDRESS)).step == "name"  # type: ignore[union-attr]


async def test_emoji_and_rtl_names(chat: Chat, storage: SqliteStorage) -> None:
    await chat.command("start")
    await chat.press(CONSENT_YES.encode(ConsentYesPress()))
    await chat.say("\u202eSam\u202c 🌱 סאם")
    person = await storage.person_for_account(ADDRESS)
    assert person is not None and person.display_name == "Sam 🌱 סאם"


async def test_restart_mid_onboarding_resumes(
    ctx: Context, storage: SqliteStorage, tmp_path: Path, clock: FakeClock
) -> None:
    chat = Chat(build_dispatcher(ctx))
    await chat.command("start")
    await chat.press(CONSENT_YES.encode(ConsentYesPress()))
    await chat.say("Sam")
    await storage.close()

    reopened = SqliteStorage(storage.path)
    await reopened.open()
    try:
        fresh = assemble(Context(storage=reopened, program=ctx.program, clock=clock))
        after = Chat(build_dispatcher(fresh))
        confirm = await after.say("Denver")  # answered at the question it had reached
        assert "America/Denver" in confirm[0].text
        resumed = await after.command("start")
        assert "city" in resumed[0].text  # /start asks the same question again
    finally:
        await reopened.close()


async def test_crisis_during_onboarding(chat: Chat, storage: SqliteStorage) -> None:
    await chat.command("start")
    reply = await chat.say("i want to kill myself")  # before consent
    assert "988" in reply[0].text
    assert await storage.person_for_account(ADDRESS) is None
    assert (await storage.load_conversation(ADDRESS)).step == "consent"  # type: ignore[union-attr]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=300))
async def test_free_text_never_breaks_a_step(chat: Chat, storage: SqliteStorage, text: str) -> None:
    if await storage.load_conversation(ADDRESS) is None:
        await chat.command("start")
        await chat.press(CONSENT_YES.encode(ConsentYesPress()))
    before = await storage.load_conversation(ADDRESS)
    replies = await chat.say(text)
    assert replies and all(r.text for r in replies)
    assert all("Traceback" not in r.text for r in replies)
    after = await storage.load_conversation(ADDRESS)
    assert after is not None or before is not None


async def test_the_welcome_offers_the_other_languages_and_the_choice_is_kept(
    chat: Chat, storage: SqliteStorage
) -> None:
    """Nothing is stored before consent: the language pressed waits in the conversation, and
    is saved with the person when they say yes."""
    await chat.command("start")
    spanish = await chat.press(profile_routes("ob").language.encode(LanguagePress("es")))
    assert spanish[0].text.startswith("Te damos la bienvenida")
    assert [b.label for b in spanish[0].buttons] == ["Sí, está bien", "No, gracias", "English"]
    assert await storage.person_for_account(AccountAddress("test", chat.user_id)) is None
    asked = await chat.press(CONSENT_YES.encode(ConsentYesPress()))
    assert asked[-1].text.startswith("¿Qué nombre quieres que use?")
    person = await storage.person_for_account(AccountAddress("test", chat.user_id))
    assert person is not None
    assert (await storage.get_settings(person.id)).language == "es"
