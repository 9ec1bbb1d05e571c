"""Business-hours arithmetic with fixed datetimes. The week of 4 January 2025: Saturday 4th
to Friday 10th; the desk works Saturday to Wednesday 08:00-16:00, Thursday 08:00-12:00,
and is closed on Friday."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from tickets.sla import add_business_minutes, business_minutes_between

TEHRAN = ZoneInfo("Asia/Tehran")
SAT, SUN, MON, TUE, WED, THU, FRI = 5, 6, 0, 1, 2, 3, 4
HOURS = [(day, time(8), time(16)) for day in (SAT, SUN, MON, TUE, WED)] + [(THU, time(8), time(12))]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in the week of 4 January 2025 (day 4 is Saturday)."""
    return datetime(2025, 1, day, hour, minute, tzinfo=TEHRAN)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        (at(4, 9), 60, at(4, 10)),  # within one day
        (at(4, 15, 30), 60, at(5, 8, 30)),  # across the night
        (at(4, 6), 30, at(4, 8, 30)),  # filed before opening
        (at(4, 20), 30, at(5, 8, 30)),  # filed after closing
        (at(4, 15), 60, at(4, 16)),  # runs out exactly at closing time
        (at(9, 11), 120, at(11, 9)),  # Thursday noon, over Friday, to Saturday
        (at(10, 10), 60, at(11, 9)),  # filed on the Friday
        (at(4, 9), 5 * 480 + 240, at(11, 9)),  # a whole working week
        (at(4, 9), 0, at(4, 9)),
    ],
)
def test_adding_business_minutes(start, minutes, due):
    assert add_business_minutes(start, minutes, HOURS) == due


def test_the_result_is_in_the_club_time_zone_whatever_zone_the_start_is_in():
    start = at(4, 9).astimezone(UTC)
    due = add_business_minutes(start, 60, HOURS)
    assert due == at(4, 10)
    assert due.tzinfo == TEHRAN


def test_a_split_day_skips_the_lunch_break():
    split = [(SAT, time(8), time(12)), (SAT, time(13), time(16))]
    assert add_business_minutes(at(4, 11, 30), 60, split) == at(4, 13, 30)
    assert business_minutes_between(at(4, 11), at(4, 14), split) == 120


def test_overlapping_rows_count_once():
    overlapping = [(SAT, time(8), time(12)), (SAT, time(10), time(14)), (SAT, time(14), time(15))]
    assert business_minutes_between(at(4, 0), at(4, 23), overlapping) == 7 * 60


def test_a_closed_date_counts_nothing():
    holiday = {date(2025, 1, 5)}  # the Sunday
    assert add_business_minutes(at(4, 15), 120, HOURS, closed_dates=holiday) == at(6, 9)
    assert business_minutes_between(at(4, 15), at(6, 9), HOURS, closed_dates=holiday) == 120


@pytest.mark.parametrize(
    ("a", "b", "minutes"),
    [
        (at(4, 9), at(4, 10, 30), 90),
        (at(4, 15), at(5, 9), 120),  # over the night
        (at(9, 11), at(11, 9), 120),  # over the weekend
        (at(10, 0), at(10, 23, 59), 0),  # all of Friday
        (at(4, 0), at(11, 0), 5 * 480 + 240),  # the whole week
        (at(4, 9), at(4, 9), 0),
    ],
)
def test_business_minutes_between(a, b, minutes):
    assert business_minutes_between(a, b, HOURS) == minutes


def test_between_counts_seconds_as_a_fraction_and_backwards_as_negative():
    a, b = at(4, 9), datetime(2025, 1, 4, 9, 1, 30, tzinfo=TEHRAN)
    assert business_minutes_between(a, b, HOURS) == 1.5
    assert business_minutes_between(b, a, HOURS) == -1.5


def test_between_undoes_add_for_every_start_inside_hours():
    for day in range(4, 12):
        for hour in (8, 9, 11, 15):
            start = at(day, hour, 17)
            if business_minutes_between(start, start.replace(minute=18), HOURS) != 1:
                continue  # not inside hours
            for minutes in (1, 59, 480, 1000, 5000):
                due = add_business_minutes(start, minutes, HOURS)
                assert business_minutes_between(start, due, HOURS) == minutes


def test_a_window_keeps_its_real_length_on_a_day_the_clocks_change():
    london = ZoneInfo("Europe/London")  # 30 March 2025: 01:00 GMT becomes 02:00 BST
    night = [(6, time(0), time(3))]
    start = datetime(2025, 3, 30, 0, 0, tzinfo=london)
    assert business_minutes_between(start, start.replace(hour=4), night, tz=london) == 120
    assert add_business_minutes(start, 90, night, tz=london) == datetime(
        2025, 3, 30, 2, 30, tzinfo=london
    )


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add_business_minutes(datetime(2025, 1, 4, 9), 10, HOURS)  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        business_minutes_between(at(4, 9), datetime(2025, 1, 4, 10), HOURS)  # noqa: DTZ001


def test_hours_without_any_window_are_refused_rather_than_looping():
    with pytest.raises(ValueError, match="no business hours"):
        add_business_minutes(at(4, 9), 10, [])
    assert business_minutes_between(at(4, 9), at(11, 9), []) == 0


@pytest.mark.parametrize(
    "row", [(SAT, time(16), time(8)), (SAT, time(8), time(8)), (7, time(8), time(9))]
)
def test_a_malformed_window_is_refused(row):
    with pytest.raises(ValueError, match="bad business-hours window"):
        add_business_minutes(at(4, 9), 10, [row])


def test_negative_minutes_are_refused():
    with pytest.raises(ValueError):
        add_business_minutes(at(4, 9), -1, HOURS)
