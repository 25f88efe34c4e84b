"""Tests for handlers.timing: parsing, zone lookup and DST-correct scheduling.

All instants are fixed; nothing sleeps or reads the real clock.
"""

from __future__ import annotations

import functools
import tomllib
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.timing import (
    QuietHours,
    TimingError,
    ZoneMatch,
    is_valid_zone,
    local_date,
    next_checkin_due,
    occurrence_key,
    parse_duration,
    parse_local_date,
    parse_quiet_hours,
    parse_time_of_day,
    resolve_zone,
)

ZONES_FILE = Path(__file__).resolve().parent.parent / "handlers" / "timing" / "zones.toml"


def utc(text: str) -> datetime:
    """An aware UTC datetime from ``"2026-03-08T07:00"``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def wall_clock(instant: datetime, zone: str) -> datetime:
    """The local wall-clock reading of ``instant`` in ``zone``."""
    return instant.astimezone(ZoneInfo(zone))


def assert_kind_message(err: pytest.ExceptionInfo[TimingError]) -> None:
    """User-facing errors are one short sentence or two, with a quoted example."""
    message = str(err.value)
    assert message
    assert len(message) < 220
    assert '"' in message


# --------------------------------------------------------------------------------------------
# parse_time_of_day
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8pm", time(20, 0)),
        ("8 pm", time(20, 0)),
        ("8PM", time(20, 0)),
        (" 7 AM ", time(7, 0)),
        ("8 p.m.", time(20, 0)),
        ("8:30 am", time(8, 30)),
        ("8:30am", time(8, 30)),
        ("8.30pm", time(20, 30)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("12:15am", time(0, 15)),
        ("20:00", time(20, 0)),
        ("20:30", time(20, 30)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("8:30", time(8, 30)),
        ("0830", time(8, 30)),
        ("2030", time(20, 30)),
        ("830pm", time(20, 30)),
        ("20h", time(20, 0)),
        ("20h30", time(20, 30)),
        ("20", time(20, 0)),
        ("08", time(8, 0)),
        ("0", time(0, 0)),
        ("noon", time(12, 0)),
        ("Noon", time(12, 0)),
        ("midday", time(12, 0)),
        ("midnight", time(0, 0)),
        ("12 noon", time(12, 0)),
    ],
)
def test_parse_time_of_day_reads_common_forms(text: str, expected: time) -> None:
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "25:00",
        "24:00",
        "8:75",
        "13pm",
        "0am",
        "00:00pm",
        "8",  # could be 8am or 8pm
        "12",
        "8:5",
        "8:300",
        "8hpm",
        "eight",
        "tonight",
        "20:00:00:00",
        "-8pm",
        "8pm-ish",
        "\u0668pm",  # Arabic-Indic digit eight
    ],
)
def test_parse_time_of_day_refuses_bad_input_kindly(text: str) -> None:
    with pytest.raises(TimingError) as err:
        parse_time_of_day(text)
    assert_kind_message(err)


def test_parse_time_of_day_explains_mixed_clocks() -> None:
    with pytest.raises(TimingError, match='"1pm" or "13:00"'):
        parse_time_of_day("13pm")


def test_parse_time_of_day_asks_am_or_pm_for_a_bare_hour() -> None:
    with pytest.raises(TimingError, match="8am or 8pm"):
        parse_time_of_day("8")


def test_timing_error_is_a_value_error() -> None:
    assert issubclass(TimingError, ValueError)


# --------------------------------------------------------------------------------------------
# resolve_zone and is_valid_zone
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Denver", "America/Denver"),
        ("denver", "America/Denver"),
        ("america/denver", "America/Denver"),
        ("America / Denver", "America/Denver"),
        ("New York", "America/New_York"),
        ("new_york", "America/New_York"),
        ("NEW YORK", "America/New_York"),
        ("London", "Europe/London"),
        ("Kolkata", "Asia/Kolkata"),
        ("Mumbai", "Asia/Kolkata"),
        ("Calcutta", "Asia/Kolkata"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("Lord Howe", "Australia/Lord_Howe"),
        ("Los Angeles", "America/Los_Angeles"),
        ("San Francisco", "America/Los_Angeles"),
        ("Portland", "America/Los_Angeles"),
        ("Portland, Maine", "America/New_York"),
        ("Boston", "America/New_York"),
        ("Washington", "America/New_York"),
        ("Austin", "America/Chicago"),
        ("Phoenix", "America/Phoenix"),
        ("Salt Lake City", "America/Denver"),
        ("Las Vegas", "America/Los_Angeles"),
        ("Toronto", "America/Toronto"),
        ("Montreal", "America/Toronto"),
        ("Montréal", "America/Toronto"),
        ("Sydney", "Australia/Sydney"),
        ("Melbourne", "Australia/Melbourne"),
        ("Beijing", "Asia/Shanghai"),
        ("Berlin", "Europe/Berlin"),
        ("Paris, France", "Europe/Paris"),
        ("São Paulo", "America/Sao_Paulo"),
        ("St. John's", "America/St_Johns"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("Istanbul", "Europe/Istanbul"),
        ("Kiev", "Europe/Kyiv"),
        ("port au prince", "America/Port-au-Prince"),
        ("US/Eastern", "America/New_York"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("Etc/UTC", "UTC"),
    ],
)
def test_resolve_zone_understands_cities_and_zone_names(text: str, zone: str) -> None:
    match = resolve_zone(text)
    assert match.zone == zone
    assert is_valid_zone(match.zone)


def test_resolve_zone_labels_say_what_was_understood() -> None:
    assert resolve_zone("denver") == ZoneMatch("America/Denver", "Denver (America/Denver)")
    assert resolve_zone("Mumbai").label == "Mumbai (Asia/Kolkata)"
    assert resolve_zone("Portland").label == "Portland, Oregon (America/Los_Angeles)"


@pytest.mark.parametrize(
    "text",
    ["+2", "-5", "UTC+5", "utc +5:30", "GMT-7", "-05:00", "+0530", "UTC−3", "GMT+0", "Etc/GMT+5"],
)
def test_resolve_zone_refuses_utc_offsets(text: str) -> None:
    with pytest.raises(TimingError, match="daylight") as err:
        resolve_zone(text)
    assert_kind_message(err)
    assert "city" in str(err.value)


@pytest.mark.parametrize("text", ["EST", "pst", "CET", "BST", "IST", "AEST", "GMT", "EST5EDT"])
def test_resolve_zone_refuses_abbreviations(text: str) -> None:
    with pytest.raises(TimingError, match="city") as err:
        resolve_zone(text)
    assert_kind_message(err)


@pytest.mark.parametrize("text", ["", "   ", "Atlantis", "LA", "Mars/Olympus_Mons", "asdf qwer"])
def test_resolve_zone_refuses_unknown_places_with_a_hint(text: str) -> None:
    with pytest.raises(TimingError) as err:
        resolve_zone(text)
    assert_kind_message(err)


def test_resolve_zone_asks_which_city_for_places_with_several_zones() -> None:
    with pytest.raises(TimingError, match="Sydney, Brisbane, Adelaide or Perth"):
        resolve_zone("Australia")


def test_zones_file_names_only_real_zones() -> None:
    with ZONES_FILE.open("rb") as data_file:
        document = tomllib.load(data_file)
    for place, target in document["aliases"].items():
        zone = target if isinstance(target, str) else target["zone"]
        assert is_valid_zone(zone), place
        assert resolve_zone(place).zone == zone, place
    for old, new in document["renamed"].items():
        assert is_valid_zone(new), old
    for place, suggestions in document["ambiguous"].items():
        assert place not in document["aliases"]
        for suggestion in suggestions:
            assert is_valid_zone(resolve_zone(suggestion).zone), (place, suggestion)


@pytest.mark.parametrize(
    ("zone", "valid"),
    [
        ("America/Denver", True),
        ("UTC", True),
        ("Australia/Lord_Howe", True),
        ("america/denver", False),
        ("Mars/Olympus_Mons", False),
        ("localtime", False),
        ("", False),
        ("../../etc/passwd", False),
    ],
)
def test_is_valid_zone(zone: str, valid: bool) -> None:
    assert is_valid_zone(zone) is valid


# --------------------------------------------------------------------------------------------
# next_checkin_due: fixed cases
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local_time", "zone", "after", "expected"),
    [
        # America/New_York springs forward 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z).
        (time(2, 30), "America/New_York", "2026-03-07T12:00", "2026-03-08T07:00"),
        (time(8, 0), "America/New_York", "2026-03-07T23:00", "2026-03-08T12:00"),
        (time(2, 30), "America/New_York", "2026-03-06T12:00", "2026-03-07T07:30"),
        (time(2, 30), "America/New_York", "2026-03-08T07:00", "2026-03-09T06:30"),
        # ...and falls back 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z): 01:30 fires once.
        (time(1, 30), "America/New_York", "2026-10-31T12:00", "2026-11-01T05:30"),
        (time(1, 30), "America/New_York", "2026-11-01T05:30", "2026-11-02T06:30"),
        (time(1, 30), "America/New_York", "2026-11-01T05:45", "2026-11-02T06:30"),
        (time(8, 0), "America/New_York", "2026-11-01T05:30", "2026-11-01T13:00"),
        # Europe/London springs forward 2026-03-29 01:00 GMT -> 02:00 BST (01:00Z).
        (time(1, 30), "Europe/London", "2026-03-28T12:00", "2026-03-29T01:00"),
        (time(9, 0), "Europe/London", "2026-03-28T12:00", "2026-03-29T08:00"),
        # ...and falls back 2026-10-25 02:00 BST -> 01:00 GMT (01:00Z).
        (time(1, 30), "Europe/London", "2026-10-24T12:00", "2026-10-25T00:30"),
        (time(1, 30), "Europe/London", "2026-10-25T00:30", "2026-10-26T01:30"),
        # Australia/Lord_Howe: 30-minute shifts. 2026-10-04 02:00 +10:30 -> 02:30 +11:00.
        (time(2, 15), "Australia/Lord_Howe", "2026-10-03T00:00", "2026-10-03T15:30"),
        (time(2, 15), "Australia/Lord_Howe", "2026-10-03T15:30", "2026-10-04T15:15"),
        # 2026-04-05 02:00 +11:00 -> 01:30 +10:30: 01:30-02:00 repeats; 01:45 fires once.
        (time(1, 45), "Australia/Lord_Howe", "2026-04-04T00:00", "2026-04-04T14:45"),
        (time(1, 45), "Australia/Lord_Howe", "2026-04-04T14:45", "2026-04-05T15:15"),
        # Asia/Kolkata: +05:30 all year.
        (time(20, 0), "Asia/Kolkata", "2026-01-15T00:00", "2026-01-15T14:30"),
        (time(20, 0), "Asia/Kolkata", "2026-01-15T14:30", "2026-01-16T14:30"),
        (time(20, 0), "Asia/Kolkata", "2026-07-15T15:00", "2026-07-16T14:30"),
        (time(0, 0), "Asia/Kolkata", "2026-07-15T18:29", "2026-07-15T18:30"),
        # Pacific/Apia skipped 2011-12-30 entirely: no check-in for a day that never was.
        (time(12, 0), "Pacific/Apia", "2011-12-29T22:00", "2011-12-30T22:00"),
        # America/Nuuk springs from Saturday 23:00 to Sunday 00:00: Saturday's 23:30 check-in
        # comes in the last minute before the gap, so Saturday and Sunday get one each.
        (time(23, 30), "America/Nuuk", "2026-03-28T01:30", "2026-03-29T00:59"),
        (time(23, 30), "America/Nuuk", "2026-03-29T00:59", "2026-03-30T00:30"),
        (time(20, 0), "UTC", "2026-07-15T20:00", "2026-07-16T20:00"),
    ],
)
def test_next_checkin_due_across_dst(
    local_time: time, zone: str, after: str, expected: str
) -> None:
    due = next_checkin_due(local_time, zone, utc(after))
    assert due == utc(expected)
    assert due.tzinfo is UTC


def test_spring_forward_moves_a_missing_time_to_the_end_of_the_gap() -> None:
    due = next_checkin_due(time(2, 30), "America/New_York", utc("2026-03-08T00:00"))
    assert wall_clock(due, "America/New_York").time() == time(3, 0)
    lord_howe = next_checkin_due(time(2, 15), "Australia/Lord_Howe", utc("2026-10-03T00:00"))
    assert wall_clock(lord_howe, "Australia/Lord_Howe").time() == time(2, 30)


def test_fall_back_fires_at_the_first_of_the_repeated_times() -> None:
    due = next_checkin_due(time(1, 30), "America/New_York", utc("2026-11-01T00:00"))
    local = wall_clock(due, "America/New_York")
    assert (local.time(), local.fold, local.utcoffset()) == (time(1, 30), 0, timedelta(hours=-4))
    # The second 01:30 (06:30Z) is not a new occurrence.
    assert next_checkin_due(time(1, 30), "America/New_York", due) == utc("2026-11-02T06:30")


def test_after_may_be_in_any_timezone() -> None:
    after_in_denver = datetime(2026, 6, 1, 6, 0, tzinfo=ZoneInfo("America/Denver"))
    after_fixed = datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=0)))
    expected = utc("2026-06-01T14:30")
    assert next_checkin_due(time(20, 0), "Asia/Kolkata", after_in_denver) == expected
    assert next_checkin_due(time(20, 0), "Asia/Kolkata", after_fixed) == expected


def test_a_person_who_changes_zone_is_rescheduled_from_the_same_moment() -> None:
    now = utc("2026-06-01T12:00")
    in_denver = next_checkin_due(time(20, 0), "America/Denver", now)
    in_kolkata = next_checkin_due(time(20, 0), "Asia/Kolkata", now)
    assert in_denver == utc("2026-06-02T02:00")
    assert in_kolkata == utc("2026-06-01T14:30")
    assert occurrence_key(in_denver, "America/Denver") == "2026-06-01"
    assert occurrence_key(in_kolkata, "Asia/Kolkata") == "2026-06-01"


def test_next_checkin_due_refuses_naive_datetimes_and_aware_times() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_checkin_due(time(8, 0), "Europe/London", datetime(2026, 1, 1, 12, 0))
    with pytest.raises(ValueError, match="naive"):
        next_checkin_due(time(8, 0, tzinfo=UTC), "Europe/London", utc("2026-01-01T12:00"))


def test_next_checkin_due_with_a_zone_no_longer_in_the_database() -> None:
    with pytest.raises(TimingError, match="city"):
        next_checkin_due(time(8, 0), "Mars/Olympus_Mons", utc("2026-01-01T12:00"))


def test_occurrence_key_and_local_date_use_the_local_calendar() -> None:
    assert occurrence_key(utc("2026-11-01T05:30"), "America/New_York") == "2026-11-01"
    assert occurrence_key(utc("2026-06-01T20:00"), "Asia/Kolkata") == "2026-06-02"
    assert local_date(utc("2026-06-01T20:00"), "Asia/Kolkata") == date(2026, 6, 2)
    assert local_date(utc("2026-06-01T03:00"), "America/Denver") == date(2026, 5, 31)
    with pytest.raises(ValueError):
        local_date(datetime(2026, 6, 1, 3, 0), "America/Denver")


# --------------------------------------------------------------------------------------------
# next_checkin_due: properties
# --------------------------------------------------------------------------------------------

PROPERTY_ZONES = (
    "America/New_York",
    "America/Denver",
    "America/St_Johns",  # -03:30
    "America/Santiago",  # transitions at local midnight
    "America/Havana",  # springs forward at 00:00
    "America/Asuncion",
    "America/Nuuk",  # gap runs past midnight
    "Europe/London",
    "Europe/Dublin",  # "negative" DST in the tz source
    "Africa/Casablanca",  # DST suspended for Ramadan
    "Asia/Beirut",
    "Asia/Tehran",
    "Asia/Kolkata",
    "Australia/Lord_Howe",  # 30-minute DST
    "Australia/Sydney",
    "Pacific/Chatham",  # +12:45 / +13:45
    "Pacific/Apia",
    "Antarctica/Troll",  # 2-hour DST
    "UTC",
)

zones = st.sampled_from(PROPERTY_ZONES)
wall_times = st.builds(time, st.integers(0, 23), st.integers(0, 59))
instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@functools.cache
def offset_changes(zone: str) -> tuple[datetime, ...]:
    """Every instant in 2020-2030 at which ``zone``'s UTC offset changes (to the second)."""
    tz = ZoneInfo(zone)
    changes: list[datetime] = []
    step = timedelta(hours=12)
    moment = datetime(2020, 1, 1, tzinfo=UTC)
    while moment < datetime(2031, 1, 1, tzinfo=UTC):
        if moment.astimezone(tz).utcoffset() != (moment + step).astimezone(tz).utcoffset():
            low, high = moment, moment + step
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(tz).utcoffset() == low.astimezone(tz).utcoffset():
                    low = middle
                else:
                    high = middle
            changes.append(high)
        moment += step
    return tuple(changes)


@st.composite
def checkin_cases(draw: st.DrawFn) -> tuple[str, time, datetime]:
    """(zone, local time, after): uniform, or clustered around a DST change in that zone,
    with the local time near the wall-clock time of the change."""
    zone = draw(zones)
    changes = offset_changes(zone)
    if not changes or draw(st.booleans()):
        return zone, draw(wall_times), draw(instants)
    change = draw(st.sampled_from(changes))
    after = change + draw(st.timedeltas(timedelta(days=-2), timedelta(days=1)))
    wall_before_change = (change - timedelta(seconds=1)).astimezone(ZoneInfo(zone))
    nearby = wall_before_change + draw(st.timedeltas(timedelta(hours=-2), timedelta(hours=3)))
    wall_time = draw(st.one_of(st.just(time(nearby.hour, nearby.minute)), wall_times))
    return zone, wall_time, after


def exists_on(day: date, wall_time: time, zone: str) -> bool:
    """Whether the clock in ``zone`` reads ``wall_time`` at some point on ``day``."""
    tz = ZoneInfo(zone)
    naive = datetime.combine(day, wall_time)
    return any(
        naive.replace(tzinfo=tz, fold=fold).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        == naive
        for fold in (0, 1)
    )


def offset_jump(instant: datetime, zone: str, before: timedelta, after: timedelta) -> timedelta:
    """How far the clock in ``zone`` jumps between ``instant - before`` and ``instant + after``."""
    tz = ZoneInfo(zone)
    later = (instant + after).astimezone(tz).utcoffset()
    earlier = (instant - before).astimezone(tz).utcoffset()
    assert later is not None and earlier is not None
    return later - earlier


@settings(max_examples=500, deadline=None)
@given(case=checkin_cases())
def test_next_checkin_due_is_the_next_reading_of_the_local_time(
    case: tuple[str, time, datetime],
) -> None:
    zone, wall_time, after = case
    due = next_checkin_due(wall_time, zone, after)
    assert after < due <= after + timedelta(days=2)
    assert due.tzinfo is UTC
    # It is the *next* one: asking again from just before it gives the same instant.
    assert next_checkin_due(wall_time, zone, due - timedelta(microseconds=1)) == due

    local = wall_clock(due, zone)
    if local.time() == wall_time:
        assert local.fold == 0  # never the second of two repeated readings
        return
    # Otherwise the time was skipped by a spring-forward on that date...
    assert not exists_on(local.date(), wall_time, zone)
    shift = datetime.combine(local.date(), local.time()) - datetime.combine(local.date(), wall_time)
    if shift > timedelta(0):
        # ...and the check-in is at the end of the gap, no later than the gap is long.
        assert shift <= offset_jump(due, zone, before=timedelta(seconds=1), after=timedelta(0))
    else:
        # ...or, for a gap that runs past midnight, in the minute before it.
        jump = offset_jump(due, zone, before=timedelta(0), after=timedelta(minutes=1))
        assert jump > timedelta(0)
        assert wall_clock(due + timedelta(minutes=1), zone).date() != local.date()
        assert -shift <= jump + timedelta(minutes=1)


@settings(max_examples=60, deadline=None)
@given(case=checkin_cases())
def test_repeated_checkins_cover_every_local_date_exactly_once(
    case: tuple[str, time, datetime],
) -> None:
    zone, wall_time, start = case
    due = next_checkin_due(wall_time, zone, start)
    previous_date = local_date(due, zone)
    for _ in range(400):
        due = next_checkin_due(wall_time, zone, due)
        this_date = local_date(due, zone)
        assert this_date == previous_date + timedelta(days=1)
        assert occurrence_key(due, zone) == this_date.isoformat()
        previous_date = this_date


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London", "Australia/Lord_Howe"])
@pytest.mark.parametrize("wall_time", [time(0, 0), time(1, 30), time(2, 15), time(2, 30)])
def test_a_year_of_checkins_through_both_transitions(zone: str, wall_time: time) -> None:
    due = next_checkin_due(wall_time, zone, utc("2026-01-01T00:00"))
    dates = [local_date(due, zone)]
    for _ in range(364):
        due = next_checkin_due(wall_time, zone, due)
        dates.append(local_date(due, zone))
    assert dates == [dates[0] + timedelta(days=n) for n in range(365)]


# --------------------------------------------------------------------------------------------
# Quiet hours
# --------------------------------------------------------------------------------------------

OVERNIGHT = QuietHours(start=time(22, 0), end=time(7, 0))
AFTERNOON = QuietHours(start=time(13, 0), end=time(15, 0))
OFF = QuietHours(start=time(0, 0), end=time(0, 0))


@pytest.mark.parametrize(
    ("quiet", "local", "expected"),
    [
        (OVERNIGHT, time(22, 0), True),
        (OVERNIGHT, time(23, 30), True),
        (OVERNIGHT, time(0, 0), True),
        (OVERNIGHT, time(6, 59), True),
        (OVERNIGHT, time(7, 0), False),
        (OVERNIGHT, time(12, 0), False),
        (OVERNIGHT, time(21, 59), False),
        (AFTERNOON, time(13, 0), True),
        (AFTERNOON, time(14, 59), True),
        (AFTERNOON, time(15, 0), False),
        (AFTERNOON, time(12, 59), False),
        (OFF, time(0, 0), False),
        (OFF, time(12, 0), False),
    ],
)
def test_quiet_hours_contains(quiet: QuietHours, local: time, expected: bool) -> None:
    assert quiet.contains(local) is expected


def test_quiet_hours_end_after_outside_quiet_hours_is_the_moment_itself() -> None:
    moment = utc("2026-06-01T12:00")
    assert OVERNIGHT.end_after(moment, "Europe/London") is moment
    assert OFF.end_after(moment, "Europe/London") is moment


@pytest.mark.parametrize(
    ("quiet", "zone", "moment", "expected"),
    [
        # 23:30 BST -> 07:00 BST next morning.
        (OVERNIGHT, "Europe/London", "2026-06-01T22:30", "2026-06-02T06:00"),
        # 03:00 BST -> 07:00 BST the same morning.
        (OVERNIGHT, "Europe/London", "2026-06-02T02:00", "2026-06-02T06:00"),
        # 14:00 local -> 15:00 local.
        (AFTERNOON, "Asia/Kolkata", "2026-06-02T08:30", "2026-06-02T09:30"),
        # 23:00 EST on the eve of spring-forward -> 07:00 EDT, a short night.
        (OVERNIGHT, "America/New_York", "2026-03-08T04:00", "2026-03-08T11:00"),
        # 23:00 EDT on the eve of fall-back -> 07:00 EST, a long night.
        (OVERNIGHT, "America/New_York", "2026-11-01T03:00", "2026-11-01T12:00"),
        # The end time itself is skipped (02:30 on spring-forward day): ends when the gap does.
        (
            QuietHours(time(1, 0), time(2, 30)),
            "America/New_York",
            "2026-03-08T06:30",
            "2026-03-08T07:00",
        ),
        # Lord Howe: quiet until 02:15, skipped on 2026-10-04 -> 02:30 +11:00.
        (
            QuietHours(time(22, 0), time(2, 15)),
            "Australia/Lord_Howe",
            "2026-10-03T12:00",
            "2026-10-03T15:30",
        ),
    ],
)
def test_quiet_hours_end_after(quiet: QuietHours, zone: str, moment: str, expected: str) -> None:
    end = quiet.end_after(utc(moment), zone)
    assert end == utc(expected)
    assert not quiet.contains(wall_clock(end, zone).time())


def test_quiet_hours_end_after_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        OVERNIGHT.end_after(datetime(2026, 6, 1, 23, 0), "Europe/London")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22:00-07:00", OVERNIGHT),
        ("10pm-7am", OVERNIGHT),
        ("10pm - 7am", OVERNIGHT),
        ("10 PM to 7 AM", OVERNIGHT),
        ("22:00–07:00", OVERNIGHT),
        ("1pm-3pm", AFTERNOON),
        ("off", OFF),
        (" None ", OFF),
        ("OFF", OFF),
    ],
)
def test_parse_quiet_hours(text: str, expected: QuietHours) -> None:
    assert parse_quiet_hours(text) == expected


@pytest.mark.parametrize(
    "text", ["", "22:00", "22:00-", "-07:00", "banana", "25:00-07:00", "10-7", "22:00-22:00"]
)
def test_parse_quiet_hours_refuses_bad_input(text: str) -> None:
    with pytest.raises(TimingError) as err:
        parse_quiet_hours(text)
    assert_kind_message(err)


# --------------------------------------------------------------------------------------------
# parse_duration
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", timedelta(hours=2)),
        ("90m", timedelta(minutes=90)),
        ("3h30m", timedelta(hours=3, minutes=30)),
        ("3h 30m", timedelta(hours=3, minutes=30)),
        ("7d", timedelta(days=7)),
        ("45s", timedelta(seconds=45)),
        ("1w", timedelta(weeks=1)),
        ("2 H", timedelta(hours=2)),
        ("1.5h", timedelta(minutes=90)),
        ("1 hour and 30 minutes", timedelta(minutes=90)),
        ("2 days, 12 hours", timedelta(hours=60)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    parsed = parse_duration(text)  # a parser's answer, not a measured time
    assert parsed == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0m",
        "0h0m",
        "-2h",
        "2",
        "2x",
        "h",
        "1mo",
        "3 months",
        "1y",
        "1h1h",
        "2h 30",
        "99999999999w",
    ],
)
def test_parse_duration_refuses_bad_zero_or_negative(text: str) -> None:
    with pytest.raises(TimingError) as err:
        parse_duration(text)
    assert_kind_message(err)


# --------------------------------------------------------------------------------------------
# parse_local_date
# --------------------------------------------------------------------------------------------

MID_JUNE = date(2026, 6, 15)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("2026-12-01", MID_JUNE, date(2026, 12, 1)),
        ("2026/12/01", MID_JUNE, date(2026, 12, 1)),
        ("today", MID_JUNE, MID_JUNE),
        ("Tomorrow", MID_JUNE, date(2026, 6, 16)),
        ("yesterday", MID_JUNE, date(2026, 6, 14)),
        ("tomorrow", date(2026, 12, 31), date(2027, 1, 1)),
        ("dec 1", MID_JUNE, date(2026, 12, 1)),
        ("1 dec", MID_JUNE, date(2026, 12, 1)),
        ("Dec. 1", MID_JUNE, date(2026, 12, 1)),
        ("December 1st", MID_JUNE, date(2026, 12, 1)),
        ("1st of December", MID_JUNE, date(2026, 12, 1)),
        ("sept 3", MID_JUNE, date(2026, 9, 3)),
        ("Dec 1, 2027", MID_JUNE, date(2027, 12, 1)),
        ("1 Dec 2027", MID_JUNE, date(2027, 12, 1)),
        # Without a year, the nearest such date: a recent past one or a coming one.
        ("jan 5", MID_JUNE, date(2026, 1, 5)),
        ("dec 1", date(2027, 1, 5), date(2026, 12, 1)),
        ("jan 10", date(2026, 12, 20), date(2027, 1, 10)),
        ("29 feb", date(2027, 12, 1), date(2028, 2, 29)),
    ],
)
def test_parse_local_date(text: str, today: date, expected: date) -> None:
    assert parse_local_date(text, today) == expected


@pytest.mark.parametrize("text", ["12/01", "01.12.2026", "12-01-2026", "1/12"])
def test_parse_local_date_refuses_day_month_order_guesses(text: str) -> None:
    with pytest.raises(TimingError, match="different countries") as err:
        parse_local_date(text, MID_JUNE)
    assert_kind_message(err)


@pytest.mark.parametrize(
    "text", ["", "banana", "2026-02-30", "feb 30", "31 jun", "29 feb", "next week", "dec", "1 foo"]
)
def test_parse_local_date_refuses_bad_input(text: str) -> None:
    with pytest.raises(TimingError) as err:
        parse_local_date(text, MID_JUNE)
    assert_kind_message(err)
