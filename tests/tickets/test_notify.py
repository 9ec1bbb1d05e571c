"""What the desk tells customers and staff (tickets/notify.py): always after commit, never
a word of an internal note, guests by direct e-mail / SMS exactly once."""

import json
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.urls import reverse

from portal.accounts import roles
from portal.notifications import sms
from portal.notifications.models import Notification
from tickets import notify, services, tasks
from tickets.models import Status

SECRET = "SECRET-NOTE-7f3a9c-do-not-leak"
User = get_user_model()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks of what happens inside, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def verified(member):
    User.objects.filter(pk=member.pk).update(mobile="+989120000001", mobile_verified=True)
    member.refresh_from_db()
    return member


@pytest.fixture
def member_ticket(verified, category, committed):
    with committed():
        ticket = services.open_ticket(
            kind="support", category=category, subject="Card", description="Lost", member=verified
        )
    mail.outbox.clear()
    sms.outbox.clear()
    return ticket


@pytest.fixture
def guest_ticket(open_guest_ticket, committed):
    with committed():
        ticket = open_guest_ticket(guest_email="sara@example.com")
    mail.outbox.clear()
    sms.outbox.clear()
    return ticket


def everything_sent_to_customers(member=None) -> str:
    """Every e-mail, SMS and customer notification, as one string to search."""
    parts = [f"{m.subject}\n{m.body}" for m in mail.outbox]
    parts += [m["text"] for m in sms.outbox]
    if member is not None:
        parts += [f"{n.title}\n{n.body}" for n in Notification.objects.filter(member=member)]
    return "\n".join(parts)


# --- Filing ---------------------------------------------------------------------------


def test_a_guest_gets_the_code_by_sms_and_email_at_once(open_guest_ticket, committed):
    with committed():
        ticket = open_guest_ticket(guest_email="sara@example.com")
    track = settings.WAGTAILADMIN_BASE_URL + reverse("tickets:track")
    assert [m["to"] for m in sms.outbox] == ["+989121234567"]
    assert ticket.tracking_code in sms.outbox[0]["text"] and track in sms.outbox[0]["text"]
    assert [m.to for m in mail.outbox] == [["sara@example.com"]]
    assert ticket.tracking_code in mail.outbox[0].subject
    assert ticket.tracking_code in mail.outbox[0].body and track in mail.outbox[0].body


def test_a_guest_with_only_an_email_gets_no_sms(open_guest_ticket, committed):
    with committed():
        open_guest_ticket(guest_mobile="", guest_email="sara@example.com")
    assert sms.outbox == [] and len(mail.outbox) == 1


def test_a_member_gets_a_notification_email_and_sms(verified, category, committed):
    with committed():
        ticket = services.open_ticket(
            kind="support", category=category, subject="Card", description="Lost", member=verified
        )
    note = Notification.objects.get(member=verified)
    assert note.kind == "ticket" and ticket.tracking_code in note.title
    assert note.url == reverse("tickets:detail", args=[ticket.tracking_code])
    assert [m.to for m in mail.outbox] == [[verified.email]]
    assert [m["to"] for m in sms.outbox] == ["+989120000001"]


def test_nothing_is_sent_for_a_filing_that_rolls_back(open_guest_ticket, committed):
    with committed() as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            open_guest_ticket(guest_email="sara@example.com")
            raise RuntimeError("the request failed after the ticket was saved")
    assert callbacks == [] and sms.outbox == [] and mail.outbox == []


def test_nothing_is_sent_before_commit(open_guest_ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        open_guest_ticket()
    assert callbacks and sms.outbox == []


# --- Replies and notes ----------------------------------------------------------------


def test_an_internal_note_never_reaches_a_member(member_ticket, verified, agent, committed):
    before = Notification.objects.filter(member=verified).count()
    with committed():
        services.add_reply(ticket=member_ticket, author=agent, body=SECRET, internal=True)
    assert Notification.objects.filter(member=verified).count() == before
    assert mail.outbox == [] and sms.outbox == []
    assert SECRET not in everything_sent_to_customers(verified)


def test_an_internal_note_never_reaches_a_guest(guest_ticket, agent, committed):
    with committed():
        services.add_reply(ticket=guest_ticket, author=agent, body=SECRET, internal=True)
    assert mail.outbox == [] and sms.outbox == []


def test_a_public_reply_reaches_the_member(member_ticket, verified, agent, committed):
    with committed():
        services.add_reply(ticket=member_ticket, author=agent, body=SECRET, internal=True)
        services.add_reply(ticket=member_ticket, author=agent, body="We sent a new card.")
    note = Notification.objects.filter(member=verified).latest("pk")
    assert member_ticket.tracking_code in note.title and note.body == "We sent a new card."
    assert len(mail.outbox) == 1 and "We sent a new card." in mail.outbox[0].body
    assert len(sms.outbox) == 1
    assert SECRET not in everything_sent_to_customers(verified)


def test_a_public_reply_reaches_the_guest_by_email_and_a_short_sms(guest_ticket, agent, committed):
    with committed():
        services.add_reply(ticket=guest_ticket, author=agent, body=SECRET, internal=True)
        services.add_reply(ticket=guest_ticket, author=agent, body="Sorry, a new one is free.")
    track = settings.WAGTAILADMIN_BASE_URL + reverse("tickets:track")
    assert [m.to for m in mail.outbox] == [["sara@example.com"]]
    assert "Sorry, a new one is free." in mail.outbox[0].body
    assert guest_ticket.tracking_code in mail.outbox[0].subject
    assert len(sms.outbox) == 1 and track in sms.outbox[0]["text"]
    assert "Sorry" not in sms.outbox[0]["text"]
    assert SECRET not in everything_sent_to_customers()


def test_a_customer_reply_notifies_the_assignee_only(guest_ticket, agent, committed):
    with committed():
        services.assign(ticket=guest_ticket, assignee=agent, actor=agent)
        services.add_reply(ticket=guest_ticket, author=None, body="Any news?")
    notes = Notification.objects.filter(member=agent)
    assert [n.url for n in notes] == [reverse("tickets:desk-ticket", args=[guest_ticket.pk])]
    assert "Sara" in notes[0].title and guest_ticket.tracking_code in notes[0].title
    assert mail.outbox == [] and sms.outbox == []  # staff get no e-mail; the guest nothing


def test_assignment_notifies_the_new_assignee_not_a_self_assignment(
    guest_ticket, agent, make_user, committed
):
    other = make_user(roles.SUPPORT_AGENT)
    with committed():
        services.assign(ticket=guest_ticket, assignee=agent, actor=agent)
    assert not Notification.objects.filter(member=agent).exists()
    with committed():
        services.assign(ticket=guest_ticket, assignee=other, actor=agent)
    note = Notification.objects.get(member=other)
    assert guest_ticket.tracking_code in note.title
    assert note.url == reverse("tickets:desk-ticket", args=[guest_ticket.pk])


def test_resolved_asks_the_member_to_rate(member_ticket, verified, agent, committed):
    with committed():
        services.change_status(ticket=member_ticket, to=Status.RESOLVED, actor=agent)
    note = Notification.objects.filter(member=verified).latest("pk")
    assert "rate" in note.title and member_ticket.tracking_code in note.title
    assert note.url == reverse("tickets:detail", args=[member_ticket.tracking_code])


def test_resolved_asks_the_guest_to_rate_each_time(guest_ticket, agent, committed):
    with committed():
        services.change_status(ticket=guest_ticket, to=Status.RESOLVED, actor=agent)
        services.add_reply(ticket=guest_ticket, author=None, body="Still broken")
        services.change_status(ticket=guest_ticket, to=Status.RESOLVED, actor=agent)
    assert sum("rate" in m["text"] for m in sms.outbox) == 2


def test_other_status_changes_tell_the_customer_nothing(guest_ticket, agent, committed):
    with committed():
        services.change_status(ticket=guest_ticket, to=Status.WAITING, actor=agent)
        services.change_status(ticket=guest_ticket, to=Status.CLOSED, actor=agent)
    assert sms.outbox == [] and mail.outbox == []


def test_merge_tells_the_duplicates_customer_the_new_code(
    guest_ticket, open_guest_ticket, agent, committed
):
    with committed():
        into = open_guest_ticket(guest_mobile="09127654321")
    sms.outbox.clear()
    with committed():
        services.merge(duplicate=guest_ticket, into=into, actor=agent)
    assert [m["to"] for m in sms.outbox] == ["+989121234567"]
    assert into.tracking_code in sms.outbox[0]["text"]
    assert into.tracking_code in mail.outbox[0].body


# --- Staff lists and the guest task ---------------------------------------------------


def test_managers_are_active_holders_of_manage_club(make_user):
    manager = make_user(roles.CLUB_MANAGER)
    make_user(roles.SUPPORT_AGENT)
    retired = make_user(roles.CLUB_MANAGER)
    User.objects.filter(pk=retired.pk).update(is_active=False)
    assert list(notify.managers()) == [manager]


def test_the_guest_task_sends_each_channel_once(guest_ticket):
    args = (guest_ticket.pk, "reply.99", "Subject", "Body", "Short")
    assert tasks.send_to_guest.delay(*args).get() == ["email", "sms"]
    assert tasks.send_to_guest.delay(*args).get() == []
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1


def test_a_failed_channel_is_released_for_the_retry(guest_ticket):
    args = (guest_ticket.pk, "reply.100", "Subject", "Body", "Short")
    failing = mock.patch("tickets.tasks.send_sms", side_effect=sms.SMSDeliveryError("down"))
    with failing, pytest.raises(sms.SMSDeliveryError):
        tasks.send_to_guest(*args)  # called directly: retry() re-raises the error
    assert len(mail.outbox) == 1 and sms.outbox == []
    assert tasks.send_to_guest(*args) == ["sms"]  # the retry sends only what failed
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1


def test_socket_payloads_keep_notes_from_customers(guest_ticket, agent):
    note = services.add_reply(ticket=guest_ticket, author=agent, body=SECRET, internal=True)
    reply = services.add_reply(ticket=guest_ticket, author=agent, body="Public")
    assert notify.customer_message(note) is None
    assert notify.desk_message(note)["internal"] is True
    public = notify.customer_message(reply)
    assert set(public) == {"type", "id", "author", "from_staff", "body", "created_at"}
    assert public["from_staff"] is True and SECRET not in json.dumps(public)
