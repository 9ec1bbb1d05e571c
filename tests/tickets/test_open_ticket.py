from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tickets import codes, services
from tickets.models import (
    BusinessHours,
    CannedReply,
    Category,
    EventKind,
    SLATarget,
    Status,
    Ticket,
    validate_placeholders,
)

TEHRAN = ZoneInfo("Asia/Tehran")
FILED = {"kind": "complaint", "subject": "Cold coffee", "description": "It was cold."}


def test_a_guest_ticket_stores_the_mobile_in_e164_and_gets_a_valid_code(open_guest_ticket):
    ticket = open_guest_ticket(guest_mobile="۰۹۱۲ ۱۲۳ ۴۵۶۷")
    assert ticket.guest_mobile == "+989121234567"
    assert ticket.status == Status.NEW
    assert codes.canonical(ticket.tracking_code) == ticket.tracking_code


def test_a_guest_may_leave_an_email_instead_of_a_mobile(open_guest_ticket):
    ticket = open_guest_ticket(guest_mobile="", guest_email=" Sara@Example.COM ")
    assert ticket.guest_email == "sara@example.com"


def test_a_member_ticket_needs_no_guest_contact_and_records_who_opened_it(category, member):
    ticket = services.open_ticket(category=category, member=member, **FILED)
    event = ticket.events.get()
    assert (event.kind, event.actor, event.to_status) == (EventKind.OPENED, member, Status.NEW)


def test_a_ticket_without_member_or_contact_is_refused_and_nothing_saved(category):
    with pytest.raises(ValidationError) as caught:
        services.open_ticket(category=category, **FILED)
    assert set(caught.value.message_dict) == {"guest_name", "guest_mobile"}
    assert not Ticket.objects.exists()


def test_a_guest_without_a_name_is_refused(open_guest_ticket):
    with pytest.raises(ValidationError) as caught:
        open_guest_ticket(guest_name=" ")
    assert set(caught.value.message_dict) == {"guest_name"}
    assert not Ticket.objects.exists()


def test_a_bad_mobile_or_email_is_refused(open_guest_ticket):
    with pytest.raises(ValidationError) as caught:
        open_guest_ticket(guest_mobile="12345", guest_email="not-an-address")
    assert set(caught.value.message_dict) == {"guest_mobile", "guest_email"}
    assert not Ticket.objects.exists()


def test_an_inactive_category_an_unknown_kind_and_empty_text_are_refused(open_guest_ticket):
    closed = Category.objects.create(name="Old", slug="old", is_active=False)
    with pytest.raises(ValidationError) as caught:
        open_guest_ticket(category=closed, kind="rant", subject=" ", description="")
    assert set(caught.value.message_dict) == {"category", "kind", "subject", "description"}
    assert not Ticket.objects.exists()


def test_the_database_refuses_a_ticket_without_member_or_contact(category):
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.create(category=category, tracking_code="X", guest_name="Sara", **FILED)


def test_the_database_refuses_a_second_ticket_with_the_same_code(ticket):
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.create(
            category=ticket.category,
            tracking_code=ticket.tracking_code,
            guest_name="Ali",
            guest_email="ali@example.com",
            **FILED,
        )


def test_a_colliding_code_is_drawn_again(open_guest_ticket, monkeypatch):
    first = open_guest_ticket()
    fresh = codes.new_code()
    drawn = iter([first.tracking_code, fresh])
    monkeypatch.setattr(codes, "new_code", lambda: next(drawn))
    second = open_guest_ticket()
    assert second.tracking_code == fresh
    assert Ticket.objects.count() == 2
    assert second.events.count() == 1


def test_sla_dues_count_business_hours_from_the_filing_time(open_guest_ticket, time_machine):
    for weekday in (5, 6, 0, 1, 2):
        BusinessHours.objects.create(weekday=weekday, opens=time(8), closes=time(16))
    BusinessHours.objects.create(weekday=3, opens=time(8), closes=time(12))
    SLATarget.objects.create(priority="normal", first_response_minutes=60, resolution_minutes=480)
    time_machine.move_to(datetime(2025, 1, 9, 11, 30, tzinfo=TEHRAN), tick=False)  # Thursday

    ticket = open_guest_ticket()

    assert ticket.sla_first_response_due == datetime(2025, 1, 11, 8, 30, tzinfo=TEHRAN)
    assert ticket.sla_resolution_due == datetime(2025, 1, 11, 15, 30, tzinfo=TEHRAN)


def test_a_category_target_wins_over_the_general_one(open_guest_ticket, category, time_machine):
    SLATarget.objects.create(priority="normal", first_response_minutes=60, resolution_minutes=480)
    SLATarget.objects.create(
        priority="normal", category=category, first_response_minutes=10, resolution_minutes=20
    )
    now = datetime(2025, 1, 4, 9, tzinfo=TEHRAN)
    time_machine.move_to(now, tick=False)
    ticket = open_guest_ticket()  # no business hours set: calendar time
    assert (ticket.sla_first_response_due - now).total_seconds() == 600
    assert (ticket.sla_resolution_due - now).total_seconds() == 1200


def test_without_a_target_a_ticket_has_no_dues(ticket):
    assert ticket.sla_first_response_due is None
    assert ticket.sla_resolution_due is None


def test_a_canned_reply_fills_in_the_customer_and_the_code(ticket):
    reply = CannedReply(title="Thanks", body="Dear {customer_name}, about {tracking_code}: {x")
    assert reply.render(ticket) == f"Dear Sara, about {ticket.tracking_code}: {{x"


def test_a_canned_reply_with_an_unknown_placeholder_is_refused():
    with pytest.raises(ValidationError, match="{name}"):
        validate_placeholders("Dear {name}")
    validate_placeholders("Dear {customer_name}, {tracking_code}")


def test_sla_targets_are_unique_per_priority_and_category(category):
    SLATarget.objects.create(priority="high", first_response_minutes=5, resolution_minutes=60)
    with pytest.raises(IntegrityError), transaction.atomic():
        SLATarget.objects.create(priority="high", first_response_minutes=9, resolution_minutes=60)
    SLATarget.objects.create(
        priority="high", category=category, first_response_minutes=5, resolution_minutes=60
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SLATarget.objects.create(
            priority="high", category=category, first_response_minutes=5, resolution_minutes=60
        )


def test_business_hours_must_close_after_they_open(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        BusinessHours.objects.create(weekday=5, opens=time(16), closes=time(8))
