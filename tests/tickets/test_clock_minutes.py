"""Each SLA clock's minutes are stored on the ticket when it stops (the reports aggregate
them): the first public reply stops the first-response clock, resolving stops the
resolution clock, and reopening restarts it."""

from datetime import datetime, time
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from tickets import services
from tickets.models import BusinessHours

TEHRAN = ZoneInfo("Asia/Tehran")
pytestmark = pytest.mark.django_db


def _at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_the_clocks_store_calendar_and_business_minutes(open_guest_ticket, agent):
    for weekday in (5, 6, 0, 1, 2, 3):
        BusinessHours.objects.create(weekday=weekday, opens=time(9), closes=time(17))
    with _at(datetime(2026, 11, 25, 16, 0, tzinfo=TEHRAN)):  # Wednesday
        ticket = open_guest_ticket()
    with _at(datetime(2026, 11, 25, 16, 30, tzinfo=TEHRAN)):
        services.add_reply(ticket=ticket, author=agent, body="Internal", internal=True)
    ticket.refresh_from_db()
    assert ticket.first_response_minutes is None  # a note is no response
    with _at(datetime(2026, 11, 26, 10, 0, tzinfo=TEHRAN)):  # Thursday
        services.add_reply(ticket=ticket, author=agent, body="Hello")
    ticket.refresh_from_db()
    assert ticket.first_response_minutes == 18 * 60
    assert ticket.first_response_business_minutes == 2 * 60  # 16-17, then 9-10
    with _at(datetime(2026, 11, 28, 9, 0, tzinfo=TEHRAN)):  # Saturday (Friday closed)
        services.change_status(ticket=ticket, to="resolved", actor=agent)
    ticket.refresh_from_db()
    assert ticket.resolution_business_minutes == 60 + 8 * 60
    assert ticket.resolution_minutes == (2 * 24 + 17) * 60

    with _at(datetime(2026, 11, 28, 10, 0, tzinfo=TEHRAN)):
        services.add_reply(ticket=ticket, author=None, body="Still broken")
    ticket.refresh_from_db()
    assert ticket.status == "reopened"
    assert ticket.resolution_minutes is ticket.resolution_business_minutes is None
    assert ticket.first_response_minutes == 18 * 60  # the first response stays
