"""The resource directory: validating resources.toml, /resources, and `peerbot resources check`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_config
from handlers.app import build_dispatcher
from handlers.context import Context
from handlers.resources.browse import CATEGORY, CategoryPress
from handlers.resources.directory import ResourceFileError, load_directory, parse_directory
from tests.support import Chat

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "resources.example.toml"

GOOD = """
[[resource]]
name = "Harbor House"
category = "housing"
description = "Sober living with peer support."
phone = "555-0134"
hours = "Mon-Fri 9-5"
area = "Example County"
languages = ["English", "Spanish"]

[[resource]]
name = "Second Chance Jobs"
category = "employment"
description = "Job coaching and fair-chance employers."
url = "https://jobs.example.org"
"""

BAD = """
[[resource]]
name = "Harbor House"
category = "shelter"
description = "Sober living."
phone = "555-0134"
adress = "1 Main St"

[[resource]]
category = "legal"
description = "Free advice."
url = "legal.example.org"

[[resource]]
name = "Quiet Room"
category = "meetings"
description = "A place to be."

[[resource]]
name = "harbor house"
category = "housing"
description = "Again."
phone = "12"
languages = "English"
"""


def test_example_file_is_valid() -> None:
    directory = load_directory(EXAMPLE)
    assert set(directory.categories()) == {
        "crisis",
        "treatment",
        "housing",
        "employment",
        "legal",
        "health",
        "meetings",
        "family",
    }


def test_every_problem_names_the_entry_and_the_field() -> None:
    with pytest.raises(ResourceFileError) as caught:
        parse_directory(BAD, "resources.toml")
    problems = caught.value.problems
    expected = [
        'resources.toml: entry 1 ("Harbor House"): adress is not a field a resource has',
        'resources.toml: entry 1 ("Harbor House"): category = "shelter" is not a category',
        "resources.toml: entry 2 (no name): name is missing",
        'resources.toml: entry 2 (no name): url = "legal.example.org" is not a web address',
        'resources.toml: entry 3 ("Quiet Room"): needs a way to reach it',
        'resources.toml: entry 4 ("harbor house"): phone = "12" is not a phone number',
        'resources.toml: entry 4 ("harbor house"): languages = "English" must be a list',
        'resources.toml: entry 4 ("harbor house"): has the same name as entry 1',
    ]
    for fragment in expected:
        assert any(fragment in p for p in problems), fragment
    assert all("\n" not in p for p in problems)
    assert str(caught.value) == problems[0]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[[resource]\n", "is not valid TOML"),
        ("", "has no [[resource]] entries"),
        ("title = 'x'\n[[resource]]\nname='a'\n", "title is not part of a resources file"),
        ("resource = 3\n", "must be a list of [[resource]] tables"),
        (
            '[[resource]]\nname = "A"\ncategory = "crisis"\ndescription = ""\nphone = "988"\n',
            'description = "" must be 1 to 300 characters',
        ),
        (
            '[[resource]]\nname = 5\ncategory = "crisis"\ndescription = "x"\nphone = "988"\n',
            "entry 1 (no name): name = 5 must be text in quotes",
        ),
    ],
)
def test_malformed_files(text: str, fragment: str) -> None:
    with pytest.raises(ResourceFileError) as caught:
        parse_directory(text, "r.toml")
    assert any(fragment in p for p in caught.value.problems)


def test_config_checks_the_directory_at_start(tmp_path: Path) -> None:
    bad = tmp_path / "resources.toml"
    bad.write_text(BAD, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'[resources]\nfile = "{bad}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config, env={})
    message = str(caught.value)
    assert message.startswith(f'{config}: [resources] file: {bad}: entry 1 ("Harbor House"): ')
    assert "adress" in message and "(and 7 more: run `peerbot resources check" in message
    assert "\n" not in message
    missing = tmp_path / "c2.toml"
    missing.write_text('[resources]\nfile = "nope.toml"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"nope\.toml: cannot be read"):
        load_config(missing, env={})
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    config.write_text(f'[resources]\nfile = "{good}"\n', encoding="utf-8")
    assert len(load_config(config, env={}).program.resources.resources) == 2


@pytest.fixture
def directory_chat(ctx: Context) -> Chat:
    program = replace(ctx.program, resources=parse_directory(GOOD, "resources.toml"))
    return Chat(build_dispatcher(replace(ctx, program=program)))


async def test_resources_menu_and_one_category(directory_chat: Chat) -> None:
    chat = directory_chat
    menu = (await chat.command("resources"))[0]  # no account needed
    assert [b.label for b in menu.buttons] == ["Crisis support", "Housing", "Work and jobs"]
    housing = (await chat.press_label("Housing"))[0].text
    assert "*Harbor House*" in housing and "📞 555-0134" in housing
    assert "Hours: Mon-Fri 9-5 · Area: Example County · Languages: English, Spanish" in housing
    assert "/resources" in housing
    jobs = (await chat.command("resources", "jobs"))[0].text
    assert "🔗 https://jobs.example.org" in jobs and "Harbor House" not in jobs
    crisis = (await chat.command("resources", "crisis"))[0].text
    assert "988" in crisis  # the program's crisis lines, always
    legal = (await chat.command("resources", "legal"))[0].text
    assert "don't have any legal help services listed yet" in legal and "/resources" in legal
    unknown = (await chat.command("resources", "spaceships"))[0]
    assert "don't have a list by that name" in unknown.text and unknown.buttons
    assert "older message" in (await chat.press(CATEGORY.encode(CategoryPress("nothing"))))[0].text


async def test_resources_without_a_directory(chat: Chat) -> None:
    reply = (await chat.command("resources"))[0].text
    assert "hasn't added a list of local services yet" in reply and "988" in reply


def test_cli_resources_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resources", "check", str(EXAMPLE)]) == 0
    assert "9 entries, all fine" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD, encoding="utf-8")
    assert main(["resources", "check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert 'entry 1 ("Harbor House"): category = "shelter"' in out
    assert "8 problem(s) found." in out
