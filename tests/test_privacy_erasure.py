"""/deleteme: after it, nothing in the database file points back to the person.

The scan reads every table and column of the file (ids in every column that refers to a person,
names, platform ids, every answer and note), and the raw bytes of the file and its WAL. Only
the tombstone and the pseudonymised audit rows stay.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from handlers.mentoring import texts as mentoring_texts
from handlers.privacy import texts
from storage.crypto import TextCipher
from storage.people import Role
from storage.sqlite import SqliteStorage
from tests.support import FakeClock
from tests.support.mentoring import ACK_PREFIX, mentee_of, pings
from tests.support.privacy import NAME, build_world, traces


async def erase_by_deleteme(world) -> list[str]:  # type: ignore[no-untyped-def]
    confirm = (await world.subject.command("deleteme"))[0]
    assert "Erase everything?" in confirm.text
    erase = next(b.payload for b in confirm.buttons if "erase" in b.label.lower())
    done = await world.subject.press(erase)
    return [m.text for m in done]


@pytest.mark.parametrize("key", [None, TextCipher.generate_key()], ids=["plain", "encrypted"])
async def test_deleteme_leaves_nothing_but_the_tombstone(
    tmp_path: Path, clock: FakeClock, key: str | None
) -> None:
    storage = SqliteStorage(tmp_path / "erase.db", cipher=TextCipher(key) if key else None)
    await storage.open()
    try:
        world = await build_world(storage, clock)
        sid = world.subject_id
        before = traces(storage.path, sid, world.secrets)
        # The scan sees the subject everywhere before: it is a real scan, not a vacuous one.
        for table in ("people", "accounts", "checkins", "alerts", "audit_log", "deliveries"):
            assert any(line.startswith(table) for line in before), (table, before)
        assert any("bytes of erase.db" in line and NAME in line for line in before)
        world.messenger.clear()

        assert await erase_by_deleteme(world) == [texts.ERASED]

        assert traces(storage.path, sid, world.secrets) == []
        db = sqlite3.connect(storage.path)
        try:
            tombstones = db.execute("SELECT id, requested_by FROM erasures").fetchall()
            assert len(tombstones) == 1 and tombstones[0][1] == "self"
            tomb = tombstones[0][0]
            assert len(tomb) == 16 and int(tomb, 16) >= 0  # random hex, not derived from the id
            columns = [row[1] for row in db.execute("PRAGMA table_info(erasures)")]
            assert columns == ["id", "erased_at", "requested_by"]
            kept = db.execute(
                "SELECT action, subject_id, detail FROM audit_log WHERE subject_pseudonym = ?",
                (tomb,),
            ).fetchall()
            assert {row[0] for row in kept} >= {"view_mentees", "view_alerts", "roster"}
            assert all(row[1] is None and row[2] == "" for row in kept)
            # The subject as a viewer (they were a mentor too) is pseudonymised the same way.
            assert db.execute(
                "SELECT COUNT(*) FROM audit_log WHERE actor_id = ? OR subject_id = ?", (sid, sid)
            ).fetchone() == (0,)
            # The circle they facilitated passed to its co-facilitator.
            assert db.execute(
                "SELECT facilitator_id, co_facilitator_id FROM circles ORDER BY id DESC LIMIT 1"
            ).fetchone() == (world.facilitator_id, None)
        finally:
            db.close()

        # The mentor is told only that the mentee left; nobody else is told anything.
        told = world.messenger.to("m1")
        assert len(told) == 1 and f"{NAME} has left the program" in told[0].text
        assert "erase" not in told[0].text.lower()
        assert world.messenger.to("c1") == [] and world.messenger.to("f1") == []
        # And the person is a stranger now, on both platforms.
        assert "/start" in (await world.subject.command("days"))[0].text
        assert "/start" in (await world.on_discord.command("days"))[0].text
    finally:
        await storage.close()


async def test_ids_of_erased_people_and_alerts_are_never_reused(
    tmp_path: Path, clock: FakeClock
) -> None:
    """SQLite gives the highest deleted id to the next row unless told otherwise: a stale
    Acknowledge button would then acknowledge someone else's alert, and an "already sent" row
    would silence the next person's prompt. Neither id comes back, and the rows go too."""
    storage = SqliteStorage(tmp_path / "reuse.db")
    await storage.open()
    try:
        world = await build_world(storage, clock)
        sid = world.subject_id
        alerts = await storage.open_alerts([sid])
        assert sid == max(p.id for p in await storage.people_with_role(Role.MENTEE))
        stale_ack = next(
            b.payload
            for m in pings(world.messenger, "m1")
            for b in m.buttons
            if b.payload == f"{ACK_PREFIX}{min(a.id for a in alerts)}"
        )
        await erase_by_deleteme(world)

        newcomer, newcomer_id = await mentee_of(
            world.ctx, world.dispatcher, world.mentor, "u-new", "Nia"
        )
        assert newcomer_id > sid
        await newcomer.say("I want to kill myself")
        (fresh,) = await storage.open_alerts([newcomer_id])
        assert fresh.id > max(a.id for a in alerts)
        (reply,) = await world.mentor.press(stale_ack)  # the old ping's button
        assert reply.text == mentoring_texts.ACK_UNKNOWN
        assert (await storage.get_alert(fresh.id)).acked_at is None  # type: ignore[union-attr]
        db = sqlite3.connect(storage.path)
        try:
            for alert in alerts:
                assert db.execute(
                    "SELECT COUNT(*) FROM deliveries WHERE kind IN ('ping', 'ack-notice',"
                    " 'escalation') AND subject = ?",
                    (str(alert.id),),
                ).fetchone() == (0,)
        finally:
            db.close()
    finally:
        await storage.close()
