"""/link: one person on two platforms, one record."""

from __future__ import annotations

from handlers.account.linking import PROMPTS, PromptsPress
from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.messaging import Messengers
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


async def test_link_across_platforms_makes_one_record(
    storage: SqliteStorage, clock: FakeClock
) -> None:
    ctx, telegram, discord, on_telegram, on_discord = await two_platforms(storage, clock)
    await onboard(on_telegram)
    await on_telegram.command("checkin")
    code = code_in((await on_telegram.command("link"))[0].text)

    linked = (await on_discord.command("link", code.lower()))[0]
    assert "one record" in linked.text
    assert [b.label for b in linked.buttons] == ["Discord", "Telegram"]
    person = await storage.person_for_account(AccountAddress("telegram", "111"))
    assert person is not None
    assert await storage.person_for_account(AccountAddress("discord", "999")) == person
    # Same record: the streak command works on Discord without onboarding again.
    assert "/start" not in (await on_discord.command("days"))[0].text

    await on_discord.press(PROMPTS.encode(PromptsPress("discord")))
    clock.set((await storage.get_due("checkin", str(person.id))).due_at)  # type: ignore[union-attr]
    await DueWorker(ctx).tick()
    assert discord.sent and not telegram.sent  # prompts now go to Discord
    assert "check-in" in discord.sent[-1][1].text

    again = (await on_discord.command("link", code))[0].text
    assert "couldn't find" in again  # single use
    fresh = code_in((await on_telegram.command("link"))[0].text)
    assert "already part of your record" in (await on_discord.command("link", fresh))[0].text


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
