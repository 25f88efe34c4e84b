"""Fuzzing every button route and every command with random payloads, arguments and texts.

Unicode digits ("²", "٣", "７"), lone surrogates, ids past 2^63, colons in odd places and long
runs go to every registered flow and command, from people part-way through many flows. The
bot may refuse, ask again or call a button stale, but it never answers "something went wrong".
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.app import REGISTRY, assemble, build_dispatcher
from handlers.context import Context
from handlers.messaging import Messengers
from handlers.numbers import MAX_ID
from handlers.texts import common
from storage.people import Role
from storage.sqlite import SqliteStorage
from tests.support import Chat, FakeClock, RecordingMessenger, onboard
from tests.support.mentoring import staff, team

ODD = (
    "²", "٣", "７", "①", "\ud800", "\udfff", "\x00", "\u202e", "-", "+", "_", ".", "#", "@",
    str(MAX_ID), str(MAX_ID + 1), "9" * 30, "0", "00", " ", "é", "🙂", "\n",
)  # fmt: skip
pieces = st.one_of(st.sampled_from(ODD), st.text(max_size=6), st.integers().map(str))
tokens = st.lists(pieces, min_size=0, max_size=4).map("".join)
payload_tails = st.lists(tokens, min_size=0, max_size=5).map(":".join)
flows = st.sampled_from(sorted(REGISTRY.flows))
commands = st.sampled_from(sorted(REGISTRY.commands))
actions = st.one_of(
    st.tuples(st.just("press"), flows, payload_tails),
    st.tuples(st.just("command"), commands, tokens),
    st.tuples(st.just("say"), st.just(""), st.text(max_size=60) | tokens),
)

MID_FLOW = ("checkin", "settings", "goals", "safetyplan", "resources", "deleteme", "sharing")


async def _world(path: Path) -> tuple[list[Chat], SqliteStorage]:
    storage = SqliteStorage(path)
    await storage.open()
    clock = FakeClock()
    messenger = RecordingMessenger("test")
    ctx = assemble(
        Context(storage=storage, messengers=Messengers({"test": messenger}), clock=clock)
    )
    dispatcher = build_dispatcher(ctx)
    crew = await team(ctx, dispatcher)
    facilitator, _ = await staff(ctx, dispatcher, Role.FACILITATOR, "f1", "Fay")
    starting = Chat(dispatcher, user_id="starting")
    await starting.command("start")
    chats = [Chat(dispatcher, user_id="stranger"), starting, crew.mentor, facilitator]
    for n, command in enumerate(MID_FLOW):
        chat = Chat(dispatcher, user_id=f"mid-{n}")
        await onboard(chat)
        await chat.command(command)
        chats.append(chat)
    return chats, storage


async def _run(steps: list[tuple[str, str, str]]) -> list[str]:
    broken: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        chats, storage = await _world(Path(folder) / "fuzz.db")
        try:
            for n, (what, name, rest) in enumerate(steps):
                chat = chats[n % len(chats)]
                if what == "press":
                    replies = await chat.press(f"{name}:{rest}")
                elif what == "command":
                    replies = await chat.command(name, *rest.split(" "))
                else:
                    replies = await chat.say(rest)
                if any(r.text == common.SOMETHING_WENT_WRONG for r in replies):
                    broken.append(f"{chat.user_id} {what} {name!r} {rest!r}")
        finally:
            await storage.close()
    return broken


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(actions, min_size=20, max_size=40))
def test_no_input_gets_something_went_wrong(steps: list[tuple[str, str, str]]) -> None:
    assert asyncio.run(_run(steps)) == []


def test_lone_surrogates_become_replacement_characters() -> None:
    from handlers.messaging import well_formed

    assert well_formed("plain") == "plain"
    assert well_formed("a\ud800b") == "a\ufffdb"
    assert well_formed("\ud83d\ude42") == "🙂"  # a pair is the character it encodes
