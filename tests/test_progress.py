"""/progress: the chart (a real PNG of the promised size), its alt text, and the kind texts."""

from __future__ import annotations

import asyncio
import struct
import threading
from datetime import date, timedelta

import pytest

from handlers.charts import PHONE_PORTRAIT, png_size
from handlers.checkins import progress_chart
from handlers.checkins.progress import ProgressData, alt_text
from handlers.checkins.progress_chart import draw_chart
from handlers.dispatcher import Dispatcher
from storage.deliveries import DeliveryStatus
from storage.people import AccountAddress
from storage.reporting import DailyScore
from storage.sqlite import SqliteStorage
from tests.support import Chat, FakeClock, answer_all, onboard

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sample() -> ProgressData:
    start = date(2026, 11, 1)
    scores = tuple(
        DailyScore(start + timedelta(days=n), mood, craving)
        for n, (mood, craving) in enumerate([(2, 8), (3, 7), (3, 6), (4, 4), (4, 3), (5, 2)])
    )
    missed = (date(2026, 11, 8), date(2026, 11, 9))
    return ProgressData(start, date(2026, 11, 30), scores, missed, streak_days=6)


def test_chart_is_a_png_of_the_promised_size() -> None:
    png = draw_chart(sample())
    assert png[:8] == PNG_SIGNATURE and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == PHONE_PORTRAIT == (1080, 1350)
    assert png_size(png) == (1080, 1350)


def test_alt_text_says_what_the_chart_shows() -> None:
    text = alt_text(sample())
    assert "over the last 30 days (1 Nov to 30 Nov)" in text
    assert "You checked in on 6 days of them." in text
    # Mood 2,3,3 | 4,4,5: mean 3.5, halves 2.7 and 4.3.
    assert "Mood averaged 3.5 out of 5, ranging from 2 to 5; it rose from 2.7" in text
    assert "to 4.3 in the second half" in text
    # Cravings 8,7,6 | 4,3,2: mean 5, halves 7 and 3.
    assert "Cravings averaged 5 out of 10, ranging from 2 to 8; they eased from 7 " in text
    assert "Missed check-ins: 2 (8 Nov, 9 Nov)." in text
    assert "Current streak: 6 days." in text


def test_alt_text_with_many_missed_days_and_no_trend() -> None:
    start = date(2026, 11, 1)
    missed = tuple(start + timedelta(days=n) for n in range(2, 11))
    data = ProgressData(start, date(2026, 11, 30), (DailyScore(start, 3, None),), missed)
    text = alt_text(data)
    assert "on 1 day of them" in text and "Mood averaged 3 out of 5, ranging from 3 to 3." in text
    assert "Cravings" not in text and "streak" not in text
    assert "Missed check-ins: 9 (3 Nov, 4 Nov, 5 Nov, 6 Nov, 7 Nov, 8 Nov and 3 more)." in text


async def test_no_checkins_gets_a_kind_text_not_an_empty_chart(chat: Chat) -> None:
    await onboard(chat)
    reply = (await chat.command("progress"))[0]
    assert reply.image is None
    assert "nothing to chart yet" in reply.text and "/checkin" in reply.text


async def test_chart_of_checkins_with_a_missed_day(
    chat: Chat, storage: SqliteStorage, clock: FakeClock
) -> None:
    await onboard(chat)  # Denver; 15:00 UTC is 08:00 local on 27 Nov
    person = await storage.person_for_account(AccountAddress("test", "1001"))
    assert person is not None
    for day in range(4):
        if day == 2:
            await storage.finish_delivery(
                "checkin",
                str(person.id),
                "2026-11-29",
                DeliveryStatus.MISSED,
                clock(),
                None,
                person.id,
            )
        else:
            await answer_all(chat, mood=str(day + 2), craving=str(6 - day))
        clock.advance(days=1)
    reply = (await chat.command("progress"))[0]
    assert reply.image is not None and png_size(reply.image.png) == (1080, 1350)
    assert "/progress 90" in reply.text and "/checkin" in reply.text
    alt = reply.image.alt_text
    assert "You checked in on 3 days of them." in alt
    assert "Missed check-ins: 1 (29 Nov)." in alt
    assert "Mood averaged 3.3 out of 5, ranging from 2 to 5." in alt  # 2, 3 and 5
    assert "Current streak: 5 days." in alt  # 27 Nov to 1 Dec

    assert "/progress 90" in (await chat.command("progress", "3"))[0].text
    assert "from 7 to 365" in (await chat.command("progress", "soon"))[0].text


async def test_nothing_in_the_window_suggests_looking_further_back(
    chat: Chat, clock: FakeClock
) -> None:
    await onboard(chat)
    await answer_all(chat)
    clock.advance(days=45)
    reply = (await chat.command("progress"))[0]
    assert reply.image is None and "last 30 days" in reply.text and "/progress 365" in reply.text
    assert (await chat.command("progress", "90"))[0].image is not None


async def test_chart_is_drawn_in_a_worker_while_the_loop_serves_others(
    chat: Chat, dispatcher: Dispatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The drawing (and matplotlib's import with it) runs off the event loop's thread: while
    the chart is held mid-draw, another person's command is answered on the loop."""
    await onboard(chat)
    await answer_all(chat)
    loop_thread = threading.get_ident()
    drawn_on: list[int] = []
    drawing, release = threading.Event(), threading.Event()

    def held_draw(data: ProgressData) -> bytes:
        drawn_on.append(threading.get_ident())
        drawing.set()
        release.wait(timeout=60)  # never reached unless the loop is stuck: then the test fails
        return draw_chart(data)

    monkeypatch.setattr(progress_chart, "draw_chart", held_draw)
    pending = asyncio.create_task(chat.command("progress"))
    assert await asyncio.to_thread(drawing.wait, 60)  # the draw has begun (in its worker)
    other = await Chat(dispatcher, user_id="2002").command("help")  # served mid-draw
    assert other and other[0].text
    assert not pending.done()
    release.set()
    reply = (await pending)[0]
    assert reply.image is not None and png_size(reply.image.png) == PHONE_PORTRAIT
    assert drawn_on and drawn_on[0] != loop_thread
