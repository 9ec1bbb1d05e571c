"""A ticket's page on the desk: what it shows (internal notes marked, files, history,
merges, the rating, SLA clocks), canned replies, every action with good and bad input (bad
input: a clear error, 400, nothing saved), the staff download, and a constant query count
with 50 messages."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.accounts import roles
from tickets import services
from tickets.models import (
    CannedReply,
    DeskSettings,
    EventKind,
    SatisfactionRating,
    Status,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketMessage,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
INTERNAL_MARK = "Internal note — not shown to the customer"


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def page_url(ticket) -> str:
    return reverse("tickets:desk-ticket", args=[ticket.pk])


def action_url(name: str, ticket) -> str:
    return reverse(f"tickets:desk-{name}", args=[ticket.pk])


def rows() -> tuple[int, int, int]:
    return (
        TicketMessage.objects.count(),
        TicketEvent.objects.count(),
        TicketAttachment.objects.count(),
    )


def add_file(ticket, *, message=None, internal=False, name="receipt.pdf", data=PDF):
    file = TicketAttachment(
        ticket=ticket,
        message=message,
        is_internal=internal,
        name=name,
        content_type="application/pdf",
        size=len(data),
    )
    file.file.save(name, ContentFile(data), save=True)
    return file


def pdf_upload(name="invoice.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


# --- What the page shows ------------------------------------------------------------------


def test_the_page_shows_the_ticket_the_conversation_and_the_history(agent_client, ticket, agent):
    public = services.add_reply(ticket=ticket, author=agent, body="We are sorry about that.")
    note = services.add_reply(
        ticket=ticket, author=agent, body="Barista was new today.", internal=True
    )
    services.add_reply(ticket=ticket, author=None, body="Thanks, waiting.")
    public_file = add_file(ticket, message=public, name="menu.pdf")
    internal_file = add_file(ticket, message=note, internal=True, name="shift-plan.pdf")
    services.assign(ticket=ticket, assignee=agent, actor=agent)
    response = agent_client.get(page_url(ticket))
    assert response.status_code == 200
    page = response.content.decode()
    assert ticket.tracking_code in page and "Cold coffee" in page
    assert "The coffee was cold." in page
    assert "+989121234567" in page and 'dir="ltr">+989121234567' in page
    # All messages, in order, the note marked as internal (once: one note).
    positions = [page.index(text) for text in ("We are sorry", "Barista was new", "Thanks, w")]
    assert positions == sorted(positions)
    # Once on the note (the live script's label is an attribute of the thread's section).
    assert page.count(f"<strong>{INTERNAL_MARK}</strong>") == 1
    note_block = page[page.index(f'id="message-{note.pk}"') :]
    assert note_block.index(INTERNAL_MARK) < note_block.index("Barista was new")
    assert 'class="ticket-message is-internal"' in page
    # Both files, linked through the desk's download.
    for file in (public_file, internal_file):
        assert reverse("tickets:desk-file", args=[ticket.pk, file.pk]) in page
    # The history in words, with who did it.
    assert "public reply" in page and "internal note" in page and "assigned" in page
    assert "the customer" in page and agent.get_full_name() in page
    assert "new → open" in page


def test_the_page_has_the_live_hooks(agent_client, ticket):
    page = agent_client.get(page_url(ticket)).content.decode()
    assert 'id="ticket-live"' in page
    assert f'data-live-url="/ws/desk/" data-ticket="{ticket.pk}"' in page
    for hook in ('id="ticket-messages"', 'id="ticket-status"', 'id="ticket-live-note"'):
        assert hook in page
    assert "tickets/live.js" in page


def test_the_page_shows_merges_both_ways_and_the_rating(agent_client, open_guest_ticket, agent):
    duplicate = open_guest_ticket(subject="Cold coffee again")
    target = open_guest_ticket()
    services.merge(duplicate=duplicate, into=target, actor=agent)
    services.assign(ticket=target, assignee=agent, actor=agent)
    services.change_status(ticket=target, to=Status.RESOLVED, actor=agent)
    services.rate(ticket=target, score=4, comment="Quick and kind.")
    page = agent_client.get(page_url(target)).content.decode()
    assert reverse("tickets:desk-ticket", args=[duplicate.pk]) in page
    assert "Duplicates merged into this ticket" in page
    assert "4 out of 5" in page and "Quick and kind." in page
    page = agent_client.get(page_url(duplicate)).content.decode()
    assert "Merged into" in page
    assert reverse("tickets:desk-ticket", args=[target.pk]) in page


def test_the_page_shows_the_sla_clocks(agent_client, ticket, time_machine):
    now = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    time_machine.move_to(now, tick=False)
    Ticket.objects.filter(pk=ticket.pk).update(
        sla_first_response_due=now - timedelta(minutes=40),
        sla_resolution_due=now + timedelta(hours=3, minutes=15),
        first_response_breached_at=now - timedelta(minutes=30),
    )
    page = agent_client.get(page_url(ticket)).content.decode()
    assert "overdue by 40 min" in page
    assert "3 h 15 min left" in page
    assert "Breached" in page and "flagged" in page


# --- Canned replies -----------------------------------------------------------------------


def test_a_canned_reply_fills_in_its_placeholders(agent_client, ticket):
    canned = CannedReply.objects.create(
        title="Sorry", body="Dear {customer_name}, your ticket {tracking_code} is in hand."
    )
    response = agent_client.get(page_url(ticket), {"canned": canned.pk})
    assert response.status_code == 200
    expected = f"Dear Sara, your ticket {ticket.tracking_code} is in hand."
    assert response.context["reply_form"].initial["body"] == expected
    assert expected in response.content.decode()
    assert f'<option value="{canned.pk}">Sorry</option>' in response.content.decode()


@pytest.mark.parametrize("value", ["999999", "not-a-number", ""])
def test_an_unknown_canned_reply_is_ignored_with_a_message(agent_client, ticket, value):
    response = agent_client.get(page_url(ticket), {"canned": value})
    assert response.status_code == 200
    assert "That canned reply was not found" in response.content.decode()
    assert not response.context["reply_form"].initial


# --- Reply --------------------------------------------------------------------------------


def test_a_public_reply_is_sent(agent_client, ticket, agent):
    response = agent_client.post(action_url("reply", ticket), {"body": "We will call you."})
    assert response.status_code == 302 and response["Location"] == page_url(ticket)
    message = ticket.messages.get()
    assert (message.body, message.is_internal, message.author) == (
        "We will call you.",
        False,
        agent,
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.first_response_at is not None
    followed = agent_client.get(response["Location"]).content.decode()
    assert "Reply sent to the customer." in followed


def test_an_internal_note_with_a_file(agent_client, ticket):
    response = agent_client.post(
        action_url("reply", ticket),
        {"body": "Checked the camera.", "internal": "on", "file": pdf_upload()},
    )
    assert response.status_code == 302
    note = ticket.messages.get()
    assert note.is_internal
    file = note.attachments.get()
    assert file.is_internal and file.name == "invoice.pdf"
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.first_response_at is None
    page = agent_client.get(page_url(ticket)).content.decode()
    assert INTERNAL_MARK in page and "invoice.pdf" in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"body": ""}, "Please write a message."),
        ({"body": "   "}, "Please write a message."),
        ({"body": "x" * 10_001}, "at most 10000 characters"),
        (
            {"body": "With a bad file", "file": ("notes.txt", b"plain text, not a picture")},
            "Only JPEG, PNG or WebP pictures and PDF documents can be attached.",
        ),
    ],
)
def test_a_bad_reply_is_refused_and_nothing_is_saved(agent_client, ticket, data, error):
    if "file" in data:
        name, content = data["file"]
        data = {**data, "file": SimpleUploadedFile(name, content, content_type="text/plain")}
    before = rows()
    response = agent_client.post(action_url("reply", ticket), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert rows() == before
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.first_response_at is None


# --- Status -------------------------------------------------------------------------------


def test_the_status_select_offers_only_allowed_transitions(agent_client, ticket):
    form = agent_client.get(page_url(ticket)).context["status_form"]
    offered = {value for value, _label in form.fields["status"].choices}
    assert offered == set(services.TRANSITIONS[Status.NEW])
    assert Status.REOPENED not in offered


def test_a_status_change(agent_client, ticket):
    response = agent_client.post(action_url("status", ticket), {"status": "waiting"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING
    assert ticket.events.last().kind == EventKind.STATUS


@pytest.mark.parametrize("value", ["reopened", "nonsense", ""])
def test_a_status_not_allowed_is_refused_and_nothing_is_saved(agent_client, ticket, value):
    before = rows()
    response = agent_client.post(action_url("status", ticket), {"status": value})
    assert response.status_code == 400
    assert response.context["status_form"].errors["status"]
    assert rows() == before
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_a_merged_ticket_refuses_a_status_change(agent_client, open_guest_ticket, agent):
    duplicate, target = open_guest_ticket(), open_guest_ticket()
    services.merge(duplicate=duplicate, into=target, actor=agent)
    before = rows()
    response = agent_client.post(action_url("status", duplicate), {"status": "reopened"})
    assert response.status_code == 400
    assert "merged into another one" in response.content.decode()
    assert rows() == before


# --- Assignment ---------------------------------------------------------------------------


def test_assign_to_me_to_another_agent_and_to_nobody(agent_client, ticket, agent, make_user):
    manager = make_user(roles.CLUB_MANAGER)
    assert agent_client.post(action_url("assign", ticket), {"to_me": "1"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    response = agent_client.post(action_url("assign", ticket), {"assignee": manager.pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == manager
    assert agent_client.post(action_url("assign", ticket), {"assignee": ""}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert ticket.events.filter(kind=EventKind.ASSIGNED).count() == 3


def test_the_agent_select_lists_only_active_agents_and_managers(
    agent_client, ticket, agent, make_user, member
):
    manager = make_user(roles.CLUB_MANAGER)
    gone = make_user(roles.SUPPORT_AGENT)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    cashier = make_user(roles.CASHIER)
    form = agent_client.get(page_url(ticket)).context["assign_form"]
    offered = set(form.fields["assignee"].queryset)
    assert offered == {agent, manager}
    assert not offered & {gone, cashier, member}


@pytest.mark.parametrize("who", ["member", "cashier", "nonsense", "999999"])
def test_assigning_to_someone_not_an_agent_is_refused(agent_client, ticket, member, make_user, who):
    value = {
        "member": lambda: member.pk,
        "cashier": lambda: make_user(roles.CASHIER).pk,
        "nonsense": lambda: "nonsense",
        "999999": lambda: 999999,
    }[who]()
    before = rows()
    response = agent_client.post(action_url("assign", ticket), {"assignee": value})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert rows() == before
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_the_services_refusal_is_shown_as_the_forms_error(agent_client, ticket, agent, monkeypatch):
    """An agent who lost the role between the page and the POST: the service's
    NotAnAgent becomes the form's error."""

    def refuse(**kwargs):
        raise services.NotAnAgent

    monkeypatch.setattr(services, "assign", refuse)
    before = rows()
    response = agent_client.post(action_url("assign", ticket), {"assignee": agent.pk})
    assert response.status_code == 400
    assert "Tickets can only be assigned to support agents." in response.content.decode()
    assert rows() == before


# --- Priority -----------------------------------------------------------------------------


def test_a_priority_change(agent_client, ticket):
    response = agent_client.post(action_url("priority", ticket), {"priority": "urgent"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.priority == "urgent"
    assert ticket.events.last().kind == EventKind.PRIORITY


@pytest.mark.parametrize("value", ["extreme", ""])
def test_a_bad_priority_is_refused(agent_client, ticket, value):
    before = rows()
    response = agent_client.post(action_url("priority", ticket), {"priority": value})
    assert response.status_code == 400
    assert response.context["priority_form"].errors["priority"]
    assert rows() == before
    ticket.refresh_from_db()
    assert ticket.priority == "normal"


# --- Merge --------------------------------------------------------------------------------


def test_merging_by_a_code_typed_any_way(agent_client, open_guest_ticket):
    duplicate, target = open_guest_ticket(), open_guest_ticket()
    typed = target.tracking_code.lower().replace("-", " ")
    response = agent_client.post(action_url("merge", duplicate), {"code": typed})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == target and duplicate.status == Status.CLOSED


def a_typo_of(code: str) -> str:
    replacement = "A" if code[0] != "A" else "C"
    return replacement + code[1:]


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("typo", "This is not a valid tracking code"),
        ("unknown", "No ticket has this tracking code."),
        ("itself", "A ticket cannot be merged into itself."),
        ("closed", "A ticket cannot be merged into a closed one."),
        ("empty", "This field is required."),
    ],
)
def test_a_bad_merge_is_refused_and_nothing_is_saved(
    agent_client, open_guest_ticket, agent, case, error
):
    from tickets import codes

    duplicate, target = open_guest_ticket(), open_guest_ticket()
    services.change_status(ticket=target, to=Status.CLOSED, actor=agent)
    code = {
        "typo": a_typo_of(target.tracking_code),
        "unknown": codes.new_code(),
        "itself": duplicate.tracking_code,
        "closed": target.tracking_code,
        "empty": "",
    }[case]
    before = rows()
    response = agent_client.post(action_url("merge", duplicate), {"code": code})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert rows() == before
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None and duplicate.status == Status.NEW


# --- Files --------------------------------------------------------------------------------


def test_staff_download_any_file_of_the_ticket(agent_client, ticket):
    file = add_file(ticket, internal=True, name="shift plan.pdf")
    response = agent_client.get(reverse("tickets:desk-file", args=[ticket.pk, file.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Content-Disposition"] == 'attachment; filename="shift plan.pdf"'


def test_a_file_of_another_ticket_is_404(agent_client, ticket, open_guest_ticket):
    other = open_guest_ticket()
    file = add_file(other)
    response = agent_client.get(reverse("tickets:desk-file", args=[ticket.pk, file.pk]))
    assert response.status_code == 404
    ok = agent_client.get(reverse("tickets:desk-file", args=[other.pk, file.pk]))
    assert ok.status_code == 200


# --- Query count --------------------------------------------------------------------------


def test_the_page_keeps_a_constant_query_count(agent_client, agent, member, category):
    CannedReply.objects.create(title="Hello", body="Hello {customer_name}")
    DeskSettings.load()  # its first load creates the row
    counts = []
    for size in (1, 50):
        ticket = services.open_ticket(
            kind="complaint",
            category=category,
            subject="Points missing",
            description="My points did not arrive.",
            member=member,
        )
        duplicate = services.open_ticket(
            kind="complaint", category=category, subject="Dup", description="x", member=member
        )
        services.merge(duplicate=duplicate, into=ticket, actor=agent)
        services.assign(ticket=ticket, assignee=agent, actor=agent)
        for n in range(size):
            author = member if n % 3 == 0 else agent
            internal = n % 3 == 2
            message = services.add_reply(
                ticket=ticket, author=author, body=f"Message {n}", internal=internal
            )
            if n % 5 == 0:
                add_file(ticket, message=message, internal=internal, name=f"f{n}.pdf")
        add_file(ticket, name="loose.pdf")
        SatisfactionRating.objects.create(ticket=ticket, score=5, agent=agent)
        assert ticket.messages.count() == size
        with CaptureQueriesContext(connection) as queries:
            response = agent_client.get(page_url(ticket))
        assert response.status_code == 200
        assert response.content.decode().count('class="ticket-message') == size
        counts.append(len(queries))
    assert ticket.events.count() >= 50
    assert counts[0] == counts[1], counts


def test_the_page_in_persian(agent_client, ticket, agent):
    from django.conf import settings

    services.add_reply(ticket=ticket, author=agent, body="یادداشت", internal=True)
    agent_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    response = agent_client.get(page_url(ticket))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fa" dir="rtl">' in page
    assert f'dir="ltr" class="desk-code">{ticket.tracking_code}</bdi>' in page
    assert 'dir="ltr">+989121234567' in page


def test_a_reply_on_a_merged_duplicate_goes_to_the_ticket_it_was_merged_into(
    agent_client, open_guest_ticket, agent
):
    duplicate, target = open_guest_ticket(), open_guest_ticket()
    services.merge(duplicate=duplicate, into=target, actor=agent)
    response = agent_client.post(action_url("reply", duplicate), {"body": "Answered here."})
    assert response.status_code == 302
    assert response["Location"] == page_url(target)
    assert target.messages.get().body == "Answered here."
    assert not duplicate.messages.exists()
