"""A guest has no profile to keep a language in: the ticket remembers the language of the
page it was filed on, and the guest's e-mails and SMS use it whoever causes them."""

import pytest
from django.core import mail
from django.utils import translation

from portal.notifications import sms
from tickets import services

pytestmark = pytest.mark.django_db


def test_a_ticket_filed_on_a_persian_page_keeps_persian(
    open_guest_ticket, django_capture_on_commit_callbacks
):
    with translation.override("fa"), django_capture_on_commit_callbacks(execute=True):
        ticket = open_guest_ticket(guest_email="sara@example.com")
    assert ticket.language == "fa"
    with translation.override("fa"):
        expected = translation.gettext("Your ticket %(code)s was received")
    assert expected != "Your ticket %(code)s was received"  # the catalogue has it
    assert mail.outbox[-1].subject == expected % {"code": ticket.tracking_code}
    assert ticket.tracking_code in sms.outbox[-1]["text"]


def test_an_english_agents_reply_reaches_a_persian_guest_in_persian(
    open_guest_ticket, agent, django_capture_on_commit_callbacks
):
    with translation.override("fa"):
        ticket = open_guest_ticket(guest_email="sara@example.com")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.add_reply(ticket=ticket, author=agent, body="We are on it.")
    with translation.override("fa"):
        expected = translation.gettext("New reply on your ticket %(code)s")
    assert expected != "New reply on your ticket %(code)s"
    assert mail.outbox[-1].subject == expected % {"code": ticket.tracking_code}


def test_an_unknown_language_is_not_stored(open_guest_ticket):
    with translation.override("de"):
        assert open_guest_ticket().language == ""
