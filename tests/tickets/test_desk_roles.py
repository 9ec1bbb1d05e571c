"""Who may use the staff desk: support agents and club managers (accounts.answer_tickets).
Members, moderators and cashiers get 403 on every desk view, GET or POST, and a refused
POST changes nothing; anonymous visitors are sent to log in."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from portal.accounts import roles
from tickets.models import Ticket, TicketAttachment

pytestmark = pytest.mark.django_db

ALLOWED_ROLES = [roles.SUPPORT_AGENT, roles.CLUB_MANAGER]
REFUSED_ROLES = [roles.MEMBER, roles.MODERATOR, roles.CASHIER]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def attachment(ticket):
    file = TicketAttachment(
        ticket=ticket, name="receipt.pdf", content_type="application/pdf", size=len(PDF)
    )
    file.file.save("receipt.pdf", ContentFile(PDF), save=True)
    return file


@pytest.fixture
def other_ticket(open_guest_ticket):
    return open_guest_ticket(subject="Same cold coffee", guest_name="Sara")


def get_urls(ticket, attachment):
    return [
        reverse("tickets:desk-queue"),
        reverse("tickets:desk-ticket", args=[ticket.pk]),
        reverse("tickets:desk-file", args=[ticket.pk, attachment.pk]),
    ]


def post_actions(ticket, other_ticket):
    """(url, valid data) of every action on the ticket's page."""
    return [
        (reverse("tickets:desk-reply", args=[ticket.pk]), {"body": "We are on it."}),
        (reverse("tickets:desk-status", args=[ticket.pk]), {"status": "waiting"}),
        (reverse("tickets:desk-assign", args=[ticket.pk]), {"to_me": "1"}),
        (reverse("tickets:desk-priority", args=[ticket.pk]), {"priority": "urgent"}),
        (reverse("tickets:desk-merge", args=[ticket.pk]), {"code": other_ticket.tracking_code}),
    ]


def state(*tickets):
    """Everything a desk action could change, for before/after comparisons."""
    rows = []
    for ticket in tickets:
        stored = Ticket.objects.get(pk=ticket.pk)
        rows.append(
            (
                stored.status,
                stored.priority,
                stored.assignee_id,
                stored.merged_into_id,
                stored.first_response_at,
                stored.messages.count(),
                stored.events.count(),
                stored.attachments.count(),
            )
        )
    return rows


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_other_roles_get_403_on_every_desk_page(client, make_user, role, ticket, attachment):
    client.force_login(make_user(role))
    for url in get_urls(ticket, attachment):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_other_roles_get_403_on_every_action_and_nothing_changes(
    client, make_user, role, ticket, other_ticket
):
    client.force_login(make_user(role))
    before = state(ticket, other_ticket)
    for url, data in post_actions(ticket, other_ticket):
        assert client.post(url, data).status_code == 403, url
    assert state(ticket, other_ticket) == before


def test_anonymous_visitors_are_sent_to_log_in(client, ticket, attachment, other_ticket):
    before = state(ticket, other_ticket)
    urls = get_urls(ticket, attachment)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    for url, data in post_actions(ticket, other_ticket):
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    assert state(ticket, other_ticket) == before


@pytest.mark.parametrize("role", ALLOWED_ROLES)
def test_agents_and_managers_open_every_desk_page(client, make_user, role, ticket, attachment):
    client.force_login(make_user(role))
    for url in get_urls(ticket, attachment):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ALLOWED_ROLES)
def test_agents_and_managers_use_every_action(client, make_user, role, ticket, other_ticket):
    user = make_user(role)
    client.force_login(user)
    page = reverse("tickets:desk-ticket", args=[ticket.pk])
    for url, data in post_actions(ticket, other_ticket):
        response = client.post(url, data)
        assert response.status_code == 302, (url, response.content[:2000])
        assert response["Location"] == page
    ticket.refresh_from_db()
    assert ticket.assignee == user
    assert ticket.priority == "urgent"
    assert ticket.merged_into == other_ticket
    assert ticket.status == "closed"
    assert ticket.messages.get().body == "We are on it."


def test_actions_answer_only_post(client, agent, ticket, other_ticket):
    client.force_login(agent)
    for url, _data in post_actions(ticket, other_ticket):
        assert client.get(url).status_code == 405, url
