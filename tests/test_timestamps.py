"""Instants as stored text: fixed width, UTC, sortable, and read back exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.profile import DateStyle, format_date
from storage.timestamps import from_db, to_db

aware = st.datetimes(
    min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
).map(lambda m: m.astimezone(timezone(timedelta(hours=5, minutes=30))))


@given(aware)
def test_written_as_fixed_width_utc_and_read_back_exactly(moment: datetime) -> None:
    text = to_db(moment)
    assert text == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert len(text) == 27 and from_db(text) == moment


@given(aware, aware)
def test_text_order_is_time_order(a: datetime, b: datetime) -> None:
    assert (to_db(a) < to_db(b)) == (a < b)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_db(datetime(2026, 11, 27, 12, 0))


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_dates_are_shown_as_glibc_would_without_its_non_portable_directive(day: date) -> None:
    # glibc's %-d is the reference here (this machine has it); format_date must not need it.
    glibc = {
        DateStyle.DAY_MONTH: "%-d %b",
        DateStyle.WEEKDAY_DAY_MONTH: "%a %-d %b",
        DateStyle.WEEKDAY_DAY_MONTH_YEAR: "%a %-d %b %Y",
        DateStyle.DAY_MONTH_YEAR_LONG: "%-d %B %Y",
        DateStyle.WEEKDAY_DAY_MONTH_LONG: "%A %-d %B",
    }
    assert set(glibc) == set(DateStyle)
    for style, pattern in glibc.items():
        assert format_date(day, style) == day.strftime(pattern)
    assert format_date(date(2026, 12, 4)) == "Fri 4 Dec"
