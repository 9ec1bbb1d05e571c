"""The club manager's audit screen: who may open it, its filters, its pages and its
XLSX export (itself recorded)."""

import io
import zipfile
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.accounts import roles
from portal.audit import services as audit
from portal.audit.models import Action, AuditEntry

from .conftest import IP

pytestmark = pytest.mark.django_db

LIST = "audit:list"
EXPORT = "audit:export"


def rows(response) -> list[str]:
    body = response.content.decode()
    return [chunk.split("</tr>", 1)[0] for chunk in body.split("<tbody>", 1)[-1].split("<tr>")[1:]]


def xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        names = [n for n in book.namelist() if n.startswith("xl/") and n.endswith(".xml")]
        return "".join(book.read(name).decode() for name in names)


# --- Who may open it ------------------------------------------------------------------------


@pytest.mark.parametrize("name", [LIST, EXPORT])
@pytest.mark.parametrize(
    "role", [roles.MEMBER, roles.MODERATOR, roles.SUPPORT_AGENT, roles.CASHIER]
)
def test_other_roles_are_refused(client, make_user, name, role):
    client.force_login(make_user(role))
    assert client.get(reverse(name)).status_code == 403
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("name", [LIST, EXPORT])
def test_anonymous_users_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_club_manager_opens_it_from_the_staff_home(client, manager):
    client.force_login(manager)
    assert reverse(LIST) in client.get(reverse("shell:staff-home")).content.decode()
    assert client.get(reverse(LIST)).status_code == 200


# --- Filters and pages --------------------------------------------------------------------


@pytest.fixture
def trail(make_user, manager, time_machine):
    """Entries by two staff users on two members over three days."""
    cashier = make_user(roles.CASHIER, email="till.one@example.com")
    anna = make_user(email="anna@example.com", mobile="+989121110001")
    bob = make_user(email="bob@example.com", mobile="+989351110002")
    day = datetime(2026, 5, 10, 12, 0, tzinfo=timezone.get_current_timezone())
    time_machine.move_to(day, tick=False)
    audit.record(actor=cashier, action=Action.MEMBER_VIEWED, target=anna, n=1)
    time_machine.move_to(day + timedelta(days=1), tick=False)
    audit.record(actor=manager, action=Action.BALANCE_ADJUSTED, target=anna, n=2)
    audit.record(actor=cashier, action=Action.MEMBER_VIEWED, target=bob, n=3)
    time_machine.move_to(day + timedelta(days=2), tick=False)
    audit.record(actor=manager, action=Action.REPORT_EXPORTED, n=4)
    time_machine.move_to(day + timedelta(days=3), tick=False)
    return {"cashier": cashier, "anna": anna, "bob": bob}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["n: 4", "n: 3", "n: 2", "n: 1"]),
        ({"actor": "TILL.ONE"}, ["n: 3", "n: 1"]),
        ({"action": Action.BALANCE_ADJUSTED}, ["n: 2"]),
        ({"member": "anna@"}, ["n: 2", "n: 1"]),
        ({"member": "0935111"}, ["n: 3"]),  # mobile as typed, stored in E.164
        ({"member": "۰۹۳۵۱۱۱"}, ["n: 3"]),  # Persian digits
        ({"start": "2026-05-11", "end": "2026-05-11"}, ["n: 3", "n: 2"]),
        ({"start": "2026-05-11"}, ["n: 4", "n: 3", "n: 2"]),
        ({"end": "2026-05-10"}, ["n: 1"]),
        ({"actor": "till", "member": "bob", "action": Action.MEMBER_VIEWED}, ["n: 3"]),
        ({"actor": "nobody"}, []),
    ],
)
def test_filters(client, manager, trail, query, expected):
    client.force_login(manager)
    response = client.get(reverse(LIST), query)
    assert response.status_code == 200
    found = [
        next(n for n in ("n: 1", "n: 2", "n: 3", "n: 4") if n in row) for row in rows(response)
    ]
    assert found == expected
    if not expected:
        assert "No entry matches these filters." in response.content.decode()


def test_a_bad_filter_is_a_400_with_the_error(client, manager, trail):
    client.force_login(manager)
    response = client.get(reverse(LIST), {"start": "2026-05-12", "end": "2026-05-11"})
    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()
    before = AuditEntry.objects.count()
    assert client.get(reverse(EXPORT), {"start": "tomorrow"}).status_code == 400
    assert AuditEntry.objects.count() == before  # no file, no export recorded


def test_the_list_shows_who_what_whom_and_where(client, manager, member):
    client.force_login(manager)
    audit.record(actor=manager, action=Action.CARD_STATUS_CHANGED, target=member, status="lost")
    response = client.get(reverse(LIST))
    body = response.content.decode()
    (row,) = rows(response)
    assert manager.email in row and member.email in row
    assert "Card blocked, unblocked or expired" in row and "status: lost" in row
    assert 'class="stack-table"' in body


def test_fifty_a_page_newest_first_filters_kept(client, manager, member):
    for i in range(53):
        audit.record(actor=manager, action=Action.MEMBER_VIEWED, target=member, n=f"#{i:03}")
    client.force_login(manager)
    first = client.get(reverse(LIST), {"action": Action.MEMBER_VIEWED})
    assert len(rows(first)) == 50
    assert "#052" in rows(first)[0] and "#003" in rows(first)[-1]
    assert "action=member_viewed&amp;page=2" in first.content.decode()
    second = client.get(reverse(LIST), {"action": Action.MEMBER_VIEWED, "page": 2})
    assert len(rows(second)) == 3 and "#000" in rows(second)[-1]


def test_the_list_keeps_its_query_count(client, make_user, manager):
    """1 entry or 50 (each by another staff user, on another member): same queries."""
    client.force_login(manager)
    counts = []
    for size in (1, 50):
        while AuditEntry.objects.count() < size:
            staff = make_user(roles.SUPPORT_AGENT)
            audit.record(actor=staff, action=Action.TICKET_CHANGED, target=make_user())
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(LIST))
        assert len(rows(response)) == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- Export -------------------------------------------------------------------------------


def test_the_export_holds_the_filtered_rows_and_is_recorded(client, manager, trail):
    client.force_login(manager)
    client.defaults.update(REMOTE_ADDR=IP)
    response = client.get(reverse(EXPORT), {"actor": "till.one", "start": "2026-05-10"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    text = xlsx_text(response.content)
    assert "till.one@example.com" in text
    assert "anna@example.com" in text and "bob@example.com" in text
    assert "+989351110002" in text
    assert "&quot;n&quot;: 1" in text or '"n": 1' in text
    assert "Balance adjusted" not in text  # the manager's entries are filtered out
    assert "Staff user" in text and "IP address" in text
    entry = AuditEntry.objects.get(action=Action.REPORT_EXPORTED, ip=IP)
    assert entry.actor == manager
    assert entry.detail == {
        "report": "audit",
        "filters": {"actor": "till.one", "start": "2026-05-10"},
    }


def test_the_export_writes_text_never_formulas(client, manager, member):
    audit.record(actor=manager, action=Action.CARD_STATUS_CHANGED, target=member, reason="=1+1")
    client.force_login(manager)
    text = xlsx_text(client.get(reverse(EXPORT)).content)
    assert "<f>" not in text
    assert "=1+1" in text


def test_the_list_links_the_export_with_its_filters(client, manager):
    client.force_login(manager)
    body = client.get(reverse(LIST), {"actor": "x", "action": ""}).content.decode()
    assert reverse(EXPORT) + "?actor=x&amp;action=" in body
