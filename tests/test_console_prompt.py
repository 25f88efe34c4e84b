"""The console adapter shows a scheduled prompt arriving on its own, while it waits for input."""

from __future__ import annotations

import asyncio
import io
import os
from datetime import timedelta
from pathlib import Path

from bot.adapters.console import CONSOLE_REF, ConsoleAdapter, ConsoleMessenger
from handlers.app import assemble, build_dispatcher
from handlers.context import Context
from handlers.messaging import Messengers
from handlers.program import ProgramSettings
from scheduling.due import DueWorker
from storage.people import AccountAddress
from storage.sqlite import SqliteStorage
from tests.support import FakeClock


async def wait_for(out: io.StringIO, text: str, within: float = 10.0) -> str:
    """Wait until ``text`` has been printed (a bounded wait, not a timing assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while text not in out.getvalue():
        if loop.time() > deadline:
            raise AssertionError(f"{text!r} never printed; got:\n{out.getvalue()}")
        await asyncio.sleep(0.01)
    return out.getvalue()


async def test_prompt_arrives_by_itself(tmp_path: Path, clock: FakeClock) -> None:
    storage = SqliteStorage(tmp_path / "console.db")
    await storage.open()
    out = io.StringIO()
    messenger = ConsoleMessenger(out, tmp_path / "images")
    ctx = assemble(Context(storage, ProgramSettings(), Messengers({"console": messenger}), clock))
    read_fd, write_fd = os.pipe()
    stdin = os.fdopen(read_fd, "r")
    typing = os.fdopen(write_fd, "w")
    adapter = ConsoleAdapter(build_dispatcher(ctx), messenger, stdin)
    running = asyncio.create_task(adapter.run())

    typing.write("/start\n1\nRiver\nDenver\n1\n8pm\n1\n")
    typing.flush()
    await wait_for(out, "You're all set, River")

    person = await storage.person_for_account(
        AccountAddress(CONSOLE_REF.platform, CONSOLE_REF.user_id)
    )
    assert person is not None
    due = await storage.get_due("checkin", str(person.id))
    assert due is not None
    typed_so_far = out.getvalue()
    clock.set(due.due_at + timedelta(seconds=15))
    await DueWorker(ctx).tick()  # what APScheduler's tick does; nobody typed anything
    shown = await wait_for(out, "time for your daily check-in")
    assert shown.startswith(typed_so_far)
    assert "1. 1 · Very low" in shown  # buttons as numbered choices

    typing.write("4\n")  # answering the prompt that arrived on its own
    typing.flush()
    await wait_for(out, "cravings")
    typing.close()
    await asyncio.wait_for(running, timeout=10)
    await storage.close()
