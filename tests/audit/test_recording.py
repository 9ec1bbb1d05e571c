"""Each instrumented staff action writes one audit entry: who, what, on whom, from where."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cardgateway.models import CardStatus
from gamification.models import Currency
from portal.audit import services as audit
from portal.audit.models import Action, AuditEntry
from tickets import services as desk
from tickets.models import Status

from .conftest import AGENT, IP

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def only_entry(**filters) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(**filters))
    assert len(entries) == 1, entries
    return entries[0]


def assert_entry(entry, *, actor, action, member, target=None):
    assert entry.actor == actor
    assert entry.action == action
    assert entry.target_user == member
    if target is not None:
        assert entry.target == target
    assert entry.ip == IP
    assert entry.user_agent == AGENT[:200]
    assert entry.created_at is not None


def test_record_without_a_request_is_a_system_entry(member):
    entry = audit.record(action=Action.MEMBER_VIEWED, target=member, why="job")
    assert entry.actor is None and entry.ip is None and entry.user_agent == ""
    assert entry.target_user == member and entry.target == member
    assert entry.detail == {"why": "job"}
    assert entry.target_repr == ""  # the member is linked, not copied


def test_an_unknown_action_is_refused(member):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(action="peeked", target=member)
    assert not AuditEntry.objects.exists()


def test_balance_adjustment(staff_client, manager, member):
    client = staff_client(manager)
    response = client.post(
        reverse("gamification:adjust"),
        {
            "member": member.email,
            "currency": Currency.POINTS,
            "amount": 250,
            "reason": "Goodwill",
            "key": uuid.uuid4().hex,
        },
    )
    assert response.status_code == 302
    entry = only_entry(action=Action.BALANCE_ADJUSTED)
    assert_entry(entry, actor=manager, action=Action.BALANCE_ADJUSTED, member=member)
    assert entry.detail["currency"] == Currency.POINTS and entry.detail["amount"] == 250


def test_a_refused_adjustment_writes_nothing(staff_client, manager, member):
    client = staff_client(manager)
    data = {"member": member.email, "currency": Currency.POINTS, "amount": -5, "reason": "x"}
    response = client.post(reverse("gamification:adjust"), data | {"key": uuid.uuid4().hex})
    assert response.status_code == 200  # not enough points: the form again
    assert not AuditEntry.objects.filter(action=Action.BALANCE_ADJUSTED).exists()


def test_blocking_a_card(staff_client, manager, member, card):
    client = staff_client(manager)
    url = reverse("cardgateway:card-detail", args=[card.pk])
    response = client.post(url, {"action": "block", "reason": "Reported stolen"})
    assert response.status_code == 302
    entry = only_entry(action=Action.CARD_STATUS_CHANGED)
    assert_entry(
        entry, actor=manager, action=Action.CARD_STATUS_CHANGED, member=member, target=card
    )
    assert entry.detail == {"status": CardStatus.BLOCKED, "reason": "Reported stolen"}
    assert entry.target_repr == card.masked
    assert card.number not in str(entry.detail) + entry.target_repr


def test_viewing_a_card_page_reveals_the_member(staff_client, manager, member, card):
    client = staff_client(manager)
    assert client.get(reverse("cardgateway:card-detail", args=[card.pk])).status_code == 200
    entry = only_entry(action=Action.MEMBER_VIEWED)
    assert_entry(entry, actor=manager, action=Action.MEMBER_VIEWED, member=member, target=card)
    assert entry.detail == {"page": "card"}


def test_a_cashier_viewing_a_member(staff_client, cashier, member, card):
    client = staff_client(cashier)
    url = reverse("cardgateway:cashier-member", args=[member.pk])
    assert client.get(url).status_code == 200
    entry = only_entry(action=Action.MEMBER_VIEWED)
    assert_entry(entry, actor=cashier, action=Action.MEMBER_VIEWED, member=member, target=member)
    assert entry.detail == {"page": "till"}


def test_a_missing_member_writes_nothing(staff_client, cashier):
    client = staff_client(cashier)
    assert client.get(reverse("cardgateway:cashier-member", args=[999_999])).status_code == 404
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "change"),
    [
        ("tickets:desk-reply", {"body": "We are sorry.", "internal": ""}, "reply"),
        ("tickets:desk-reply", {"body": "Barista was new", "internal": "on"}, "reply"),
        ("tickets:desk-status", {"status": Status.OPEN}, "status"),
        ("tickets:desk-assign", {"to_me": "1"}, "assign"),
    ],
)
def test_answering_or_changing_a_ticket(staff_client, agent, member, ticket, name, data, change):
    client = staff_client(agent)
    response = client.post(reverse(name, args=[ticket.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = only_entry(action=Action.TICKET_CHANGED)
    assert_entry(entry, actor=agent, action=Action.TICKET_CHANGED, member=member, target=ticket)
    assert entry.detail == {"change": change}
    assert entry.target_repr == ticket.tracking_code


def test_a_refused_ticket_change_writes_nothing(staff_client, agent, ticket):
    client = staff_client(agent)
    response = client.post(reverse("tickets:desk-reply", args=[ticket.pk]), {"body": ""})
    assert response.status_code == 400
    assert not AuditEntry.objects.exists()


def test_downloading_a_ticket_file(staff_client, agent, member, ticket):
    file = desk.attach(
        ticket=ticket,
        uploaded_by=agent,
        upload=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
        internal=True,
    )
    client = staff_client(agent)
    response = client.get(reverse("tickets:desk-file", args=[ticket.pk, file.pk]))
    assert response.status_code == 200
    entry = only_entry(action=Action.FILE_DOWNLOADED)
    assert_entry(entry, actor=agent, action=Action.FILE_DOWNLOADED, member=member, target=ticket)
    assert entry.detail == {"file": file.pk, "internal": True}


def test_exporting_the_desk_report(staff_client, manager):
    client = staff_client(manager)
    response = client.get(
        reverse("tickets:reports-xlsx"), {"start": "2026-03-07", "end": "2026-03-13"}
    )
    assert response.status_code == 200
    entry = only_entry(action=Action.REPORT_EXPORTED)
    assert_entry(entry, actor=manager, action=Action.REPORT_EXPORTED, member=None)
    assert entry.detail["report"] == "tickets"
    assert "start=2026-03-07" in entry.detail["query"]


def test_a_bad_report_request_writes_nothing(staff_client, manager):
    client = staff_client(manager)
    response = client.get(reverse("tickets:reports-xlsx"), {"start": "nonsense"})
    assert response.status_code == 400
    assert not AuditEntry.objects.exists()


def test_an_address_that_is_not_an_ip_is_not_stored(client, manager, member, card):
    client.force_login(manager)
    client.get(reverse("cardgateway:card-detail", args=[card.pk]), REMOTE_ADDR="unix:socket")
    assert only_entry(action=Action.MEMBER_VIEWED).ip is None
