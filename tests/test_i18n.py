"""Every text translatable, and every catalogue complete.

The message ids are extracted from the source with Babel through the repository's own
``babel.cfg`` (as ``pybabel extract`` does), so a new sentence in a texts module is a new
message here at once: a catalogue without it fails, and so does a translation that drops or
renames a ``{placeholder}``.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import logging
import string
from datetime import date, time
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from handlers import i18n
from handlers.context import Context
from handlers.i18n import LANGUAGES, SOURCE_LANGUAGE, current_language, speaking
from handlers.profile import DateStyle, format_date, format_time
from handlers.texts.plurals import CHECKIN, DAY, PERSON, counted
from storage.people import AccountAddress
from tests.support import Chat
from tests.support.chat import onboard

ROOT = Path(__file__).resolve().parent.parent
HANDLERS = ROOT / "handlers"
TRANSLATIONS = [language for language in LANGUAGES if language != SOURCE_LANGUAGE]

Message = str | tuple[str, ...]


def extracted() -> dict[Message, str]:
    """Every message id in the source, with where it is (for the failure message)."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    found: dict[Message, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        found.setdefault(message, f"{filename}:{lineno}")
    return found


MESSAGES = extracted()


def fields(text: str) -> set[str]:
    """The placeholder names of a format string (``{hour:02d}`` -> ``hour``)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_source_has_messages_and_plurals() -> None:
    """The extraction itself finds the texts (a broken babel.cfg would make the checks below
    pass on nothing)."""
    assert len(MESSAGES) > 500
    assert ("{n} day", "{n} days") in MESSAGES
    assert "How are you feeling today?" in MESSAGES  # a texts-module constant
    assert "list what you can do" in MESSAGES  # a CommandSpec description


def test_spanish_is_offered() -> None:
    assert LANGUAGES[0] == "en"
    assert "es" in LANGUAGES


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_every_message_has_a_translation_with_the_same_placeholders(language: str) -> None:
    po = HANDLERS / "i18n" / "locales" / language / "LC_MESSAGES" / "peerbot.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    problems: list[str] = []
    for message, where in MESSAGES.items():
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid)
        if entry is None or entry.fuzzy:
            problems.append(f"{where}: no {language} translation of {msgid!r}")
            continue
        raw = entry.string
        forms = tuple(str(f) for f in raw) if isinstance(raw, tuple | list) else (str(raw or ""),)
        if not all(forms):
            problems.append(f"{where}: empty {language} translation of {msgid!r}")
            continue
        sources = message if isinstance(message, tuple) else (message,)
        wanted: set[str] = set().union(*(fields(m) for m in sources))
        for form in forms:
            if fields(form) != wanted:
                problems.append(
                    f"{where}: {language} translation of {msgid!r} has placeholders "
                    f"{sorted(fields(form))}, the source {sorted(wanted)}"
                )
    assert not problems, "\n".join(problems)


def test_the_check_catches_a_renamed_placeholder() -> None:
    """The comparison the catalogue test relies on tells a renamed placeholder apart."""
    assert fields("Hola {nombre}") != fields("Hi {name}")
    assert fields("{hour:02d}:00 o {hour}pm") == fields("Try {hour}pm or {hour:02d}:00")


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_the_catalogue_compiles_and_declares_its_plural_rule(language: str) -> None:
    translations = i18n.translations(language)
    assert translations.ngettext("{n} day", "{n} days", 1) != "{n} day"  # translated
    plural_forms = translations.info().get("plural-forms", "")
    assert "nplurals" in plural_forms


def test_the_template_is_up_to_date() -> None:
    """``locales/peerbot.pot`` is what translators start from: it holds what the source says."""
    with (HANDLERS / "i18n" / "locales" / "peerbot.pot").open("rb") as handle:
        template = read_po(handle)
    in_template = {(m.id if isinstance(m.id, str) else tuple(m.id)) for m in template if m.id}
    missing = set(MESSAGES) - in_template
    assert not missing, f"run pybabel extract (see babel.cfg): {sorted(map(str, missing))[:5]}"


def test_spanish_plurals_and_counts() -> None:
    with speaking("es"):
        assert counted(DAY, 1) == "1 día"
        assert counted(DAY, 2) == "2 días"
        assert counted(DAY, 0) == "0 días"
        assert counted(CHECKIN, 1) == "1 registro diario"
        assert counted(PERSON, 3) == "3 personas"
    assert counted(DAY, 1) == "1 day"
    assert counted(DAY, 21) == "21 days"


def test_texts_follow_the_language_in_use() -> None:
    from handlers.checkins import texts

    assert texts.YES == "Yes"
    with speaking("es"):
        assert texts.YES == "Sí"
        assert texts.CELEBRATE[7].startswith("🎉 ¡Una semana!")
        with speaking("en"):
            assert texts.YES == "Yes"
        assert texts.YES == "Sí"
    assert texts.YES == "Yes"


def test_an_unknown_language_means_english() -> None:
    with speaking("xx"):
        assert current_language() == SOURCE_LANGUAGE
    assert i18n.supported("es-MX") == "es"
    assert i18n.supported("es_419") == "es"
    assert i18n.supported("pt-BR") is None
    assert i18n.supported(None) is None


async def test_each_task_keeps_its_own_language() -> None:
    """Two people's turns at once: each builds its texts in its own language."""
    from handlers.checkins import texts

    seen: dict[str, str] = {}

    async def turn(language: str) -> None:
        with speaking(language):
            await asyncio.sleep(0)
            seen[language] = texts.YES

    await asyncio.gather(turn("es"), turn("en"))
    assert seen == {"es": "Sí", "en": "Yes"}


def test_dates_and_times_in_the_language_in_use() -> None:
    day = date(2026, 12, 4)
    assert format_date(day, DateStyle.WEEKDAY_DAY_MONTH) == "Fri 4 Dec"
    assert format_time(time(20, 30)) == "8:30 pm"
    with speaking("es"):
        assert format_date(day, DateStyle.DAY_MONTH_YEAR_LONG) == "4 de diciembre de 2026"
        assert format_date(day, DateStyle.WEEKDAY_DAY_MONTH_LONG) == "viernes 4 de diciembre"
        assert format_time(time(20, 30)) == "20:30"


# ---- texts are read when a message is built, never frozen at import ------------------------

TEXTS_MODULES = sorted([*HANDLERS.glob("*/*texts.py"), *(HANDLERS / "texts").glob("*.py")], key=str)

IMPORT_TIME_READS_ALLOWED = {
    # The default questions are message ids: handlers/checkins/flow.py shows them through
    # gettext, so a program's own questions from config.toml pass through as written.
    "handlers/program.py",
}


@pytest.mark.parametrize(
    "path", [p for p in TEXTS_MODULES if p.name not in ("__init__.py", "plurals.py")], ids=str
)
def test_every_texts_module_is_translated(path: Path) -> None:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    assert i18n.is_translated_module(importlib.import_module(name)), (
        f"{name} must end with translated_module(__name__)"
    )


def _texts_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("handlers"):
            for alias in node.names:
                if alias.name.endswith("texts") or (
                    node.module.endswith((".texts", "handlers.texts")) and alias.name != "plurals"
                ):
                    names.add(alias.asname or alias.name)
    return names


def _read_at_import(tree: ast.Module) -> list[ast.AST]:
    """What runs when the module is imported: its body, class bodies, default arguments and
    decorators; not function bodies. A ``CommandSpec`` description is a message id on purpose
    (shown through ``CommandSpec.described``)."""
    found: list[ast.AST] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                if default is not None:
                    visit(default, False)
            for body in node.body if isinstance(node.body, list) else [node.body]:
                visit(body, True)
            return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "CommandSpec":
                return
        if not in_function:
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child, in_function)

    visit(tree, False)
    return found


def test_no_text_is_read_at_import() -> None:
    """``texts.NAME`` read at import (a module-level table, a default argument) would be
    English forever; and ``from ...texts import NAME`` would skip the translation."""
    problems = []
    for path in sorted([*HANDLERS.rglob("*.py"), *(ROOT / "bot").rglob("*.py")]):
        relative = str(path.relative_to(ROOT))
        if (
            "texts" in path.parts
            or path.name.endswith("texts.py")
            or path.name.startswith("cli")  # the coordinator's command line: English only
            or relative in IMPORT_TIME_READS_ALLOWED
        ):
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").endswith("texts")
                and not (node.module or "").endswith("handlers.texts")
            ):
                problems += [
                    f"{relative}:{node.lineno}: imports {a.name} from {node.module}"
                    for a in node.names
                    if a.name[:1].isupper()
                ]
        names = _texts_names(tree)
        for node in _read_at_import(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in names
                and node.attr[:1].isupper()
            ):
                problems.append(f"{relative}:{node.lineno}: {node.value.id}.{node.attr} at import")
    assert not problems, "\n".join(problems)


# ---- what Spanish speakers type is understood ---------------------------------------------


@pytest.mark.parametrize(
    ("key", "typed", "number", "text"),
    [
        ("mood", "cuatro", 4.0, None),
        ("craving", "Siete.", 7.0, None),
        ("craving", "7", 7.0, None),
        ("used", "sí", 1.0, "yes"),
        ("used", "Si", 1.0, "yes"),
        ("used", "no", 0.0, "no"),
        ("used", "yes", 1.0, "yes"),  # English is always read too
    ],
)
def test_spanish_check_in_answers(key: str, typed: str, number: float, text: str | None) -> None:
    from handlers.checkins.flow import read_answer
    from handlers.program import DEFAULT_QUESTIONS
    from storage.checkins import Answer

    question = next(q for q in DEFAULT_QUESTIONS if q.key == key)
    with speaking("es"):
        answer = read_answer(question, typed)
    assert isinstance(answer, Answer)
    assert (answer.number, answer.text) == (number, text)


def test_spanish_skip_and_a_wrong_answer_asked_again_in_spanish() -> None:
    from handlers.checkins.flow import read_answer
    from handlers.program import DEFAULT_QUESTIONS
    from storage.checkins import Answer

    note = next(q for q in DEFAULT_QUESTIONS if q.key == "note")
    used = next(q for q in DEFAULT_QUESTIONS if q.key == "used")
    with speaking("es"):
        skipped = read_answer(note, "Omitir")
        again = read_answer(used, "quizás")
    assert isinstance(skipped, Answer) and skipped.skipped
    assert again == "Toca Sí o No (o escríbelo)."


@given(st.text(max_size=60))
def test_any_typed_answer_in_spanish_is_an_answer_or_a_kind_question(typed: str) -> None:
    from handlers.checkins.flow import read_answer
    from handlers.program import DEFAULT_QUESTIONS

    with speaking("es"):
        for question in DEFAULT_QUESTIONS:
            read_answer(question, typed)  # never raises


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("20:00", time(20, 0)),
        ("8pm", time(20, 0)),
        ("8 p.m.", time(20, 0)),
    ],
)
def test_spanish_times(typed: str, expected: time) -> None:
    from handlers.timing import parse_time_of_day

    assert parse_time_of_day(typed) == expected


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Ciudad de México", "America/Mexico_City"),
        ("CDMX", "America/Mexico_City"),
        ("Nueva York", "America/New_York"),
        ("Bogotá", "America/Bogota"),
        ("Londres", "Europe/London"),
        ("Los Ángeles", "America/Los_Angeles"),
    ],
)
def test_spanish_city_names(typed: str, zone: str) -> None:
    from handlers.timing import resolve_zone

    assert resolve_zone(typed).zone == zone


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("mañana", date(2026, 12, 8)),
        ("hoy", date(2026, 12, 7)),
        ("ayer", date(2026, 12, 6)),
        ("1 dic", date(2026, 12, 1)),
        ("1 de octubre de 2025", date(2025, 10, 1)),
        ("15 de marzo", date(2027, 3, 15)),
        ("1 dec", date(2026, 12, 1)),
    ],
)
def test_spanish_dates(typed: str, expected: date) -> None:
    from handlers.timing import parse_local_date

    assert parse_local_date(typed, date(2026, 12, 7)) == expected


def test_spanish_weekdays_and_goal_terms() -> None:
    from handlers.circles.when import parse_weekdays

    with speaking("es"):
        assert parse_weekdays("lun y jue") == (0, 3)
        assert parse_weekdays("miércoles") == (2,)
        assert parse_weekdays("Mon and Thu") == (0, 3)


# ---- a person's language, end to end through the dispatcher --------------------------------


async def test_settings_changes_the_language_and_the_answer_follows(chat: Chat) -> None:
    from handlers.account.settings import MENU, MenuPress
    from handlers.profile import LanguagePress, profile_routes

    await onboard(chat)
    await chat.command("settings")
    await chat.press(MENU.encode(MenuPress("language")))
    assert [b.label for b in chat.last.buttons] == ["English", "Español"]
    saved = await chat.press(profile_routes("st").language.encode(LanguagePress("es")))
    assert saved[0].text == "Listo: a partir de ahora te escribiré en español."
    days = await chat.command("days")
    assert days[0].text.startswith("Tu cuenta empieza con tu primer registro diario")
    await chat.command("settings")
    await chat.press(MENU.encode(MenuPress("language")))
    back = await chat.press(profile_routes("st").language.encode(LanguagePress("en")))
    assert back[0].text == "Done: I'll write to you in English from now on."


async def test_a_language_we_do_not_speak_is_refused_kindly(chat: Chat) -> None:
    from handlers.account.settings import MENU, MenuPress
    from handlers.profile import LanguagePress, profile_routes

    await onboard(chat)
    await chat.command("settings")
    await chat.press(MENU.encode(MenuPress("language")))
    refused = await chat.press(profile_routes("st").language.encode(LanguagePress("xx")))
    assert refused[0].text == "I don't speak that language yet. Tap one of the languages below."


async def test_the_outbox_logs_a_message_built_for_the_wrong_reader(
    ctx: Context, chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    from handlers.messaging import OutgoingMessage
    from handlers.outbox import deliver

    await onboard(chat)
    person = await ctx.storage.person_for_account(AccountAddress(chat.platform, chat.user_id))
    assert person is not None
    await ctx.storage.update_settings(person.id, language="es")
    with speaking("en"):
        wrong = OutgoingMessage("Hello")
    with caplog.at_level(logging.ERROR, logger="handlers.outbox"):
        await deliver(
            ctx,
            kind="test",
            subject="1",
            occurrence="1",
            person_id=person.id,
            ref=chat.ref,
            message=wrong,
        )
    assert any("built in 'en', but they read 'es'" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with speaking("es"):
        right = OutgoingMessage("Hola")
    with caplog.at_level(logging.ERROR, logger="handlers.outbox"):
        await deliver(
            ctx,
            kind="test",
            subject="2",
            occurrence="1",
            person_id=person.id,
            ref=chat.ref,
            message=right,
        )
    assert not caplog.records


async def test_progress_chart_in_spanish(ctx: Context, chat: Chat) -> None:
    """/progress: the chart's alt text and its dates in the person's language."""
    from tests.support.chat import answer_all

    await onboard(chat)
    person = await ctx.storage.person_for_account(AccountAddress(chat.platform, chat.user_id))
    assert person is not None
    await chat.command("checkin")
    await answer_all(chat)
    await ctx.storage.update_settings(person.id, language="es")
    replies = await chat.command("progress")
    charted = next((r for r in replies if r.image is not None), None)
    assert charted is not None, [r.text for r in replies]
    assert charted.image is not None
    assert charted.image.alt_text.startswith("Gráfico de tu ánimo y tus ansias de consumo")
    assert " de " in charted.image.alt_text  # "del 8 de nov al 7 de dic": Spanish dates
    assert "Chart of" not in charted.image.alt_text
