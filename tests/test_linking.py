"""/link: one person on two platforms, one record."""

from __future__ import annotations

from handlers.account.linking import PROMPTS, PromptsPress
from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.messaging import Messengers, OutgoingMessage
from handlers.program import ProgramSettings
from scheduling.due import DueWorker
from storage.people import AccountAddress
from storage.sqlite import SqliteStorage
from tests.support import Chat, FakeClock, RecordingMessenger, onboard


def code_in(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("/link ")).split()[1]


async def two_platforms(storage: SqliteStorage, clock: FakeClock):  # type: ignore[no-untyped-def]
    telegram, discord = RecordingMessenger("telegram"), RecordingMessenger("discord")
    messengers = Messengers({"telegram": telegram, "discord": discord})
    ctx = assemble(Context(storage, ProgramSettings(), messengers, clock))
    dispatcher = build_dispatcher(ctx)
    on_telegram = Chat(dispatcher, user_id="111", platform="telegram")
    on_discord = Chat(dispatcher, user_id="999", platform="discord")
    return ctx, telegram, discord, on_telegram, on_discord


def pressable(message: OutgoingMessage, label_part: str) -> str:
    return next(b.payload for b in message.buttons if label_part in b.label)


async def test_link_across_platforms_makes_one_record(
    storage: SqliteStorage, clock: FakeClock
) -> None:
    ctx, telegram, discord, on_telegram, on_discord = await two_platforms(storage, clock)
    await onboard(on_telegram)
    await on_telegram.command("checkin")
    code = code_in((await on_telegram.command("link"))[0].text)

    asked = (await on_discord.command("link", code.lower()))[0].text
    assert "confirm" in asked and "Telegram" in asked
    question = telegram.last("111")
    await on_telegram.press(pressable(question, "Yes"))
    linked = discord.last("999")
    assert "one record" in linked.text
    assert [b.label for b in linked.buttons] == ["Discord", "Telegram"]
    person = await storage.person_for_account(AccountAddress("telegram", "111"))
    assert person is not None
    assert await storage.person_for_account(AccountAddress("discord", "999")) == person
    # Same record: the streak command works on Discord without onboarding again.
    assert "/start" not in (await on_discord.command("days"))[0].text

    telegram.sent.clear()
    discord.sent.clear()
    await on_discord.press(PROMPTS.encode(PromptsPress("discord")))
    clock.set((await storage.get_due("checkin", str(person.id))).due_at)  # type: ignore[union-attr]
    await DueWorker(ctx).tick()
    assert discord.sent and not telegram.sent  # prompts now go to Discord
    assert "check-in" in discord.sent[-1][1].text

    again = (await on_discord.command("link", code))[0].text
    assert "couldn't find" in again  # single use
    fresh = code_in((await on_telegram.command("link"))[0].text)
    assert "already part of your record" in (await on_discord.command("link", fresh))[0].text


async def test_a_code_used_by_someone_else_does_nothing_until_the_owner_confirms(
    storage: SqliteStorage, clock: FakeClock
) -> None:
    _, telegram, discord, owner, stranger = await two_platforms(storage, clock)
    await onboard(owner)
    await owner.command("safetyplan")
    code = code_in((await owner.command("link"))[0].text)

    answer = (await stranger.command("link", code))[0].text
    assert "Telegram" in answer and "confirm" in answer
    assert await storage.person_for_account(AccountAddress("discord", "999")) is None
    assert "Nothing is stored" in (await stranger.command("mydata"))[0].text or (
        "nothing" in (await stranger.command("mydata"))[0].text.lower()
    )
    question = telegram.last("111")
    assert "Link this account to yours?" in question.text and "Discord" in question.text
    assert "999" not in question.text  # nothing about the new account but its platform
    # Nobody but the account that made the code can answer it.
    assert "999" not in repr(stranger.replies[-1:])
    await stranger.press(pressable(question, "Yes"))
    assert await storage.person_for_account(AccountAddress("discord", "999")) is None

    await owner.press(pressable(question, "No"))
    assert await storage.person_for_account(AccountAddress("discord", "999")) is None
    told = discord.last("999").text
    assert "wasn't confirmed" in told and "/link" in told
    await owner.press(pressable(question, "Yes"))  # too late: already answered
    assert await storage.person_for_account(AccountAddress("discord", "999")) is None


async def test_an_unanswered_link_request_is_cancelled_after_a_day(
    storage: SqliteStorage, clock: FakeClock
) -> None:
    ctx, telegram, discord, owner, newcomer = await two_platforms(storage, clock)
    await onboard(owner)
    code = code_in((await owner.command("link"))[0].text)
    await newcomer.command("link", code)
    question = telegram.last("111")
    clock.advance(hours=23)
    await DueWorker(ctx).tick()
    assert not discord.sent
    clock.advance(hours=1)
    await DueWorker(ctx).tick()
    assert "24 hours" in discord.last("999").text
    await owner.press(pressable(question, "Yes"))
    assert "expired" in owner.replies[-1].text
    assert await storage.person_for_account(AccountAddress("discord", "999")) is None


async def test_every_existing_account_is_told_of_a_new_link(
    storage: SqliteStorage, clock: FakeClock
) -> None:
    _, telegram, discord, on_telegram, on_discord = await two_platforms(storage, clock)
    await onboard(on_telegram)
    code = code_in((await on_telegram.command("link"))[0].text)
    await on_discord.command("link", code)
    await on_telegram.press(pressable(telegram.last("111"), "Yes"))
    third = Chat(on_telegram.dispatcher, user_id="222", platform="telegram")
    code = code_in((await on_discord.command("link"))[0].text)
    await third.command("link", code)
    await on_discord.press(pressable(discord.last("999"), "Yes"))
    assert "linked" in on_discord.replies[-1].text
    told = telegram.last("111").text
    assert "Telegram account was just linked" in told
    assert "222" not in told


async def test_link_codes_expire_and_are_single_use(
    storage: SqliteStorage, clock: FakeClock
) -> None:
    _, _, _, on_telegram, on_discord = await two_platforms(storage, clock)
    await onboard(on_telegram)
    code = code_in((await on_telegram.command("link"))[0].text)
    clock.advance(minutes=11)
    assert "expired" in (await on_discord.command("link", code))[0].text
    assert "couldn't find" in (await on_discord.command("link", "NOPE1234"))[0].text
    other = Chat(on_discord.dispatcher, user_id="998", platform="discord")
    await onboard(other)
    fresh = code_in((await on_telegram.command("link"))[0].text)
    assert "its own record" in (await other.command("link", fresh))[0].text


async def linked_pair(storage: SqliteStorage, clock: FakeClock):  # type: ignore[no-untyped-def]
    ctx, telegram, discord, on_telegram, on_discord = await two_platforms(storage, clock)
    await onboard(on_telegram)
    code = code_in((await on_telegram.command("link"))[0].text)
    await on_discord.command("link", code)
    await on_telegram.press(pressable(telegram.last("111"), "Yes"))
    clock.advance(hours=1)
    return ctx, telegram, discord, on_telegram, on_discord


async def test_mydata_from_a_newly_linked_account_waits_for_the_older_one(
    storage: SqliteStorage, clock: FakeClock
) -> None:
    _, telegram, discord, on_telegram, on_discord = await linked_pair(storage, clock)
    discord.sent.clear()
    held = await on_discord.command("mydata")
    assert all(m.document is None for m in held) and "Telegram" in held[0].text
    assert not discord.sent
    question = telegram.last("111")
    assert "Discord" in question.text and "copy of all your data" in question.text
    await on_discord.press(pressable(question, "Yes"))  # not from the asking account
    assert not discord.sent
    await on_telegram.press(pressable(question, "Yes"))
    assert discord.last("999").document is not None
    assert "Discord" in on_telegram.replies[-1].text


async def test_deleteme_from_a_newly_linked_account_waits_for_the_older_one(
    storage: SqliteStorage, clock: FakeClock
) -> None:
    _, telegram, discord, on_telegram, on_discord = await linked_pair(storage, clock)
    person = await storage.person_for_account(AccountAddress("telegram", "111"))
    assert person is not None
    held = (await on_discord.command("deleteme"))[0]
    assert not held.buttons and "Telegram" in held.text
    question = telegram.last("111")
    assert "erase" in question.text
    await on_telegram.press(pressable(question, "No"))
    assert "wasn't confirmed" in discord.last("999").text
    await on_discord.press(pressable(question, "Yes"))
    await on_telegram.press(pressable(question, "Yes"))  # already answered: does nothing
    assert await storage.get_person(person.id) is not None

    await on_discord.command("deleteme")
    await on_telegram.press(pressable(telegram.last("111"), "Yes"))
    asked = discord.last("999")
    await on_discord.press(pressable(asked, "erase"))
    assert await storage.get_person(person.id) is None


async def test_after_a_day_a_linked_account_needs_no_confirmation(
    storage: SqliteStorage, clock: FakeClock
) -> None:
    _, telegram, _, _, on_discord = await linked_pair(storage, clock)
    clock.advance(hours=23)
    telegram.sent.clear()
    assert (await on_discord.command("mydata"))[0].document is not None
    assert (await on_discord.command("deleteme"))[0].buttons
    assert not telegram.sent
