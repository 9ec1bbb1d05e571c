"""Desk holidays: SLA clocks do not run on them, neither for the dues of a new ticket nor
in the reports' business hours."""

from datetime import date, datetime, time
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from tickets import reports, services
from tickets.models import BusinessHours, Holiday, SLATarget

TEHRAN = ZoneInfo("Asia/Tehran")


@pytest.fixture
def week(db):
    for weekday in (5, 6, 0, 1, 2, 3):  # Saturday to Thursday, 9:00-17:00
        BusinessHours.objects.create(weekday=weekday, opens=time(9), closes=time(17))
    SLATarget.objects.create(priority="normal", first_response_minutes=60, resolution_minutes=480)


def _filed_at(moment, open_guest_ticket):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return open_guest_ticket()


def test_a_holiday_pushes_the_dues_to_the_next_working_day(week, open_guest_ticket):
    # Wednesday 2026-11-25 16:30: half an hour left that day.
    wednesday = datetime(2026, 11, 25, 16, 30, tzinfo=TEHRAN)
    plain = _filed_at(wednesday, open_guest_ticket)
    assert plain.sla_first_response_due == datetime(2026, 11, 26, 9, 30, tzinfo=TEHRAN)

    Holiday.objects.create(date=date(2026, 11, 26), name="Holiday")  # the Thursday
    held = _filed_at(wednesday, open_guest_ticket)
    # Thursday closed, Friday the weekend: Saturday 9:30.
    assert held.sla_first_response_due == datetime(2026, 11, 28, 9, 30, tzinfo=TEHRAN)
    # Resolution: 8 h = 0.5 h on Wednesday + 7.5 h on Saturday.
    assert held.sla_resolution_due == datetime(2026, 11, 28, 16, 30, tzinfo=TEHRAN)


def test_the_calendar_counts_business_minutes_around_a_holiday(week):
    Holiday.objects.create(date=date(2026, 11, 26), name="Holiday")
    calendar = services.desk_calendar()
    start = datetime(2026, 11, 25, 16, 0, tzinfo=TEHRAN)
    stop = datetime(2026, 11, 28, 10, 0, tzinfo=TEHRAN)
    assert calendar.minutes_between(start, stop) == 120  # 1 h Wednesday + 1 h Saturday
    assert calendar.due(start, 120) == stop


def test_the_reports_business_hours_skip_the_holiday(week, open_guest_ticket, agent):
    Holiday.objects.create(date=date(2026, 11, 26), name="Holiday")
    ticket = _filed_at(datetime(2026, 11, 25, 16, 0, tzinfo=TEHRAN), open_guest_ticket)
    with mock.patch(
        "django.utils.timezone.now", return_value=datetime(2026, 11, 28, 10, 0, tzinfo=TEHRAN)
    ):
        services.add_reply(ticket=ticket, author=agent, body="Hello")
    period = reports.Period(start=date(2026, 11, 25), end=date(2026, 11, 28))
    overall = reports.response_times(period)[-1]["first_response"]
    assert overall["business_median"] == pytest.approx(2.0)  # hours
    assert overall["calendar_median"] == pytest.approx(66.0)
