"""Crisis lines where the person is: their time zone's country, else the program's region,
else the international fallback; ``[crisis.resources]`` in config wins for its regions."""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path

from bot.config import load_config
from handlers.context import Context
from handlers.crisis.helplines import country_of_zone, helplines_for
from handlers.crisis.reply import crisis_line
from handlers.program import CrisisSettings, ProgramSettings
from tests.support import Chat
from tests.support.mentoring import join_with_code, person_id

CRISIS_TEXT = "honestly i want to kill myself"


async def _in_zone(ctx: Context, chat: Chat, zone: str | None) -> None:
    await join_with_code(chat, None, "Sam")
    await ctx.storage.update_settings(await person_id(ctx, chat), timezone=zone)


def test_zones_map_to_their_country_from_the_tz_database() -> None:
    assert country_of_zone("Europe/Paris") == "FR"
    assert country_of_zone("Australia/Sydney") == "AU"
    assert country_of_zone("Europe/Amsterdam") == "NL"  # in zone.tab, folded in zone1970.tab
    assert country_of_zone("America/Toronto") == "CA"  # zone1970.tab: "CA,BS", first listed
    assert country_of_zone("UTC") is None
    assert country_of_zone(None) is None


def test_every_shipped_line_names_its_source() -> None:
    data = tomllib.loads(files("handlers.crisis").joinpath("helplines.toml").read_text())
    regions = {k for k in data if k != "eu_112"}
    assert {"US", "US-es", "CA", "GB", "IE", "AU", "NZ", "MX", "ES", "FR", "DE"} <= regions
    for region in regions:
        assert data[region]["emergency"]
        for line in data[region]["lines"]:
            assert line["name"] and line["contact"] and line["source"], region


def test_paris_gets_112_and_the_french_line() -> None:
    lines = helplines_for(CrisisSettings(), "Europe/Paris").lines
    text = " ".join(f"{r.name} {r.contact}" for r in lines)
    assert "112" in text and "3114" in text and "911" not in text and "988" not in text


def test_an_eu_country_without_a_shipped_line_gets_112_and_findahelpline() -> None:
    text = " ".join(r.contact for r in helplines_for(CrisisSettings(), "Europe/Rome").lines)
    assert "112" in text and "findahelpline.com" in text and "911" not in text


def test_no_zone_gets_the_program_region_and_an_unknown_country_the_fallback() -> None:
    settings = CrisisSettings(region="GB")
    assert "116 123" in helplines_for(settings, None).lines[0].contact
    assert "116 123" in helplines_for(settings, "UTC").lines[0].contact
    tokyo = " ".join(r.contact for r in helplines_for(settings, "Asia/Tokyo").lines)
    assert "findahelpline.com" in tokyo and "116 123" not in tokyo and "911" not in tokyo


def test_spanish_readers_in_the_us_get_the_988_spanish_line() -> None:
    [first, *_] = helplines_for(CrisisSettings(), "America/Chicago", "es").lines
    assert "presiona 2 para español" in first.contact
    us = helplines_for(CrisisSettings(), "America/Chicago").lines
    assert any("presiona 2 para español" in r.contact for r in us)


def test_config_overrides_win_for_their_regions(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[crisis]\nregion = "US"\n'
        '[[crisis.resources.AU]]\nname = "Our AU line"\ncontact = "call 1234"\n'
    )
    settings = load_config(config, env={}).program.crisis
    assert [r.name for r in helplines_for(settings, "Australia/Sydney").lines] == ["Our AU line"]
    assert helplines_for(settings, "Pacific/Auckland").lines[1].name == "Lifeline Aotearoa"
    assert helplines_for(settings, "Europe/Paris").lines[0].contact.startswith("appelez le 3114")


def test_crisis_line_for_help_follows_the_zone() -> None:
    program = ProgramSettings()
    assert "13 11 14" in crisis_line(program, "Australia/Sydney")
    assert "988" in crisis_line(program, None)


async def test_the_crisis_reply_gives_a_sydney_person_the_australian_line(
    ctx: Context, chat: Chat
) -> None:
    await _in_zone(ctx, chat, "Australia/Sydney")
    [reply] = await chat.say(CRISIS_TEXT)
    assert "13 11 14" in reply.text and "000" in reply.text and "988" not in reply.text


async def test_sos_in_paris_gets_112_and_the_french_line(ctx: Context, chat: Chat) -> None:
    await _in_zone(ctx, chat, "Europe/Paris")
    [reply] = await chat.command("sos")
    assert "112" in reply.text and "3114" in reply.text and "911" not in reply.text


async def test_an_overdose_in_paris_names_112_not_911(ctx: Context, chat: Chat) -> None:
    await _in_zone(ctx, chat, "Europe/Paris")
    [reply] = await chat.say("my friend took too many pills and isnt breathing")
    assert "call 112 now" in reply.text and "911" not in reply.text


async def test_help_shows_the_line_of_the_persons_zone(ctx: Context, chat: Chat) -> None:
    await _in_zone(ctx, chat, "Australia/Sydney")
    [reply] = await chat.command("help")
    assert "13 11 14" in reply.text and "988" not in reply.text


async def test_a_person_without_a_zone_gets_the_program_region(ctx: Context, chat: Chat) -> None:
    await _in_zone(ctx, chat, None)
    [reply] = await chat.command("sos")
    assert "988" in reply.text and "911" in reply.text
