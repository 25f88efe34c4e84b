"""/settings, /pause, /resume and /stop through the dispatcher."""

from __future__ import annotations

from handlers.account.settings import FLOW, MENU, MenuPress
from handlers.profile import ZoneYesPress, profile_routes
from handlers.texts import profile as profile_texts
from storage.conversations import ConversationState
from storage.people import AccountAddress
from storage.sqlite import SqliteStorage
from tests.support import Chat, FakeClock, onboard

ADDRESS = AccountAddress("test", "1001")


async def settings_of(storage: SqliteStorage):  # type: ignore[no-untyped-def]
    person = await storage.person_for_account(ADDRESS)
    assert person is not None
    return person, await storage.get_settings(person.id)


async def test_menu_changes_name_zone_and_quiet_hours(chat: Chat, storage: SqliteStorage) -> None:
    await onboard(chat)
    menu = (await chat.command("settings"))[0]
    assert "Quiet hours (no reminders): 22:00-07:00" in menu.text
    assert [b.label for b in menu.buttons][:4] == [
        "Name",
        "Time zone",
        "Check-in time",
        "Quiet hours",
    ]
    await chat.press(MENU.encode(MenuPress("name")))
    assert "Alex" in (await chat.say("Alex"))[0].text
    await chat.command("settings")
    await chat.press(MENU.encode(MenuPress("zone")))
    confirm = (await chat.say("Europe/London"))[0]
    assert "Europe/London" in confirm.text
    await chat.press(profile_routes("st").zone_yes.encode(ZoneYesPress()))
    await chat.command("settings")
    await chat.press(MENU.encode(MenuPress("quiet")))
    bad = (await chat.say("sometime"))[0].text
    assert "22:00-07:00" in bad  # says what would work
    saved = (await chat.say("11pm-6am"))[0].text
    assert "11:00 pm to 6:00 am" in saved
    person, settings = await settings_of(storage)
    assert person.display_name == "Alex"
    assert settings.timezone == "Europe/London" and settings.quiet_hours == "23:00-06:00"
    await chat.command("settings")
    await chat.press(MENU.encode(MenuPress("quiet")))
    assert "off" in (await chat.say("off"))[0].text
    assert (await settings_of(storage))[1].quiet_hours == "off"


async def test_stale_settings_button(chat: Chat) -> None:
    await onboard(chat)
    await chat.command("settings")
    await chat.press(MENU.encode(MenuPress("done")))
    stale = (await chat.press(MENU.encode(MenuPress("name"))))[0].text
    assert "/settings" in stale


async def test_pause_bad_dates(chat: Chat) -> None:
    await onboard(chat)
    assert "already passed" in (await chat.command("pause", "until", "yesterday"))[0].text
    assert "Try" in (await chat.command("pause", "until", "whenever"))[0].text
    assert "aren't paused" in (await chat.command("resume"))[0].text


async def test_role_commands_need_onboarding(chat: Chat) -> None:
    reply = (await chat.command("checkin"))[0].text
    assert "/start" in reply


async def test_a_zone_confirmed_with_none_waiting_asks_again_and_keeps_the_old_zone(
    chat: Chat, storage: SqliteStorage, clock: FakeClock
) -> None:
    """A 'yes' to a zone question whose zone was lost (a state saved by an older version)
    used to store an empty zone, which silently stopped the person's check-ins."""
    await onboard(chat)
    address = AccountAddress(chat.platform, chat.user_id)
    await storage.save_conversation(address, ConversationState(FLOW, "zone_confirm", {}), clock())
    [reply] = await chat.press(profile_routes(FLOW).zone_yes.encode(ZoneYesPress()))
    assert reply.text == profile_texts.ZONE_RETYPE
    person = await storage.person_for_account(address)
    assert person is not None
    assert (await storage.get_settings(person.id)).timezone == "America/Denver"
