"""The customer's pages: filing (member and guest), the tracking page, the ticket's page,
replies, files, and a member's list. Who may see what is checked on every view."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from cardgateway.models import Branch
from tickets import access, codes, services
from tickets.models import Category, Status, Ticket, TicketAttachment, TicketMessage

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 20, 30)).save(out, format="PNG")
    return out.getvalue()


def rows() -> tuple[int, int, int]:
    return Ticket.objects.count(), TicketMessage.objects.count(), TicketAttachment.objects.count()


def detail_url(ticket) -> str:
    return reverse("tickets:detail", args=[ticket.tracking_code])


def guest_data(cat, **overrides):
    data = {
        "kind": "complaint",
        "category": cat.pk,
        "branch": "",
        "subject": "Rude cashier",
        "description": "The cashier at the north branch was rude.",
        "guest_name": "Sara",
        "guest_mobile": "0912 123 4567",
        "guest_email": "",
    }
    data.update(overrides)
    return data


def member_data(cat, **overrides):
    data = guest_data(cat, **overrides)
    for name in ("guest_name", "guest_mobile", "guest_email"):
        data.pop(name, None)
    return data


def errors_of(response) -> dict:
    return response.context["form"].errors


# --- Filing ----------------------------------------------------------------------------


def test_a_guest_files_a_ticket_and_sees_the_code_at_once(client, category):
    response = client.post(reverse("tickets:new"), guest_data(category))
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(ticket)
    assert ticket.member is None and ticket.guest_name == "Sara"
    assert ticket.guest_mobile == "+989121234567" and ticket.kind == "complaint"
    assert ticket.status == Status.NEW and codes.is_valid(ticket.tracking_code)

    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert f'<p class="ticket-code" dir="ltr" translate="no">{ticket.tracking_code}</p>' in body
    assert "Write it down" in body
    assert "Rude cashier" in body


def test_a_guest_files_with_an_email_and_a_picture_and_a_branch(client, category):
    branch = Branch.objects.create(code="north", name="North", city="Tehran")
    upload = SimpleUploadedFile("shot.png", png(), content_type="image/png")
    response = client.post(
        reverse("tickets:new"),
        guest_data(
            category, guest_mobile="", guest_email="Sara@Example.com", branch=branch.pk, file=upload
        ),
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.guest_email == "sara@example.com" and ticket.branch == branch
    attachment = TicketAttachment.objects.get()
    assert attachment.ticket == ticket and attachment.uploaded_by is None
    assert not attachment.is_internal and attachment.message is None
    page = client.get(response["Location"]).content.decode()
    assert reverse("tickets:file", args=[ticket.tracking_code, attachment.pk]) in page


def test_a_member_files_without_contact_fields(member_client, member, category):
    form = member_client.get(reverse("tickets:new")).context["form"]
    assert not {"guest_name", "guest_mobile", "guest_email"} & set(form.fields)
    response = member_client.post(reverse("tickets:new"), member_data(category, kind="suggestion"))
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(ticket)
    assert ticket.member == member and ticket.guest_name == "" and ticket.kind == "suggestion"
    assert ticket.tracking_code in member_client.get(response["Location"]).content.decode()


def test_the_form_lists_only_active_categories(client):
    Category.objects.filter(slug="other").update(is_active=False)
    choices = client.get(reverse("tickets:new")).context["form"].fields["category"].queryset
    assert "other" not in {c.slug for c in choices}
    assert "product" in {c.slug for c in choices}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject": ""}, "subject"),
        ({"subject": "   "}, "subject"),
        ({"description": ""}, "description"),
        ({"kind": "praise"}, "kind"),
        ({"category": "999999"}, "category"),
        ({"branch": "999999"}, "branch"),
        ({"guest_name": ""}, "guest_name"),
        ({"guest_mobile": "", "guest_email": ""}, "guest_mobile"),
        ({"guest_mobile": "12345"}, "guest_mobile"),
        ({"guest_mobile": "", "guest_email": "not-an-address"}, "guest_email"),
        ({"subject": "x" * 201}, "subject"),
    ],
)
def test_bad_input_when_filing_gives_a_clear_error_and_saves_nothing(
    client, category, overrides, field
):
    response = client.post(reverse("tickets:new"), guest_data(category, **overrides))
    assert response.status_code == 200
    assert errors_of(response)[field]
    assert 'role="alert"' in response.content.decode()
    assert rows() == (0, 0, 0)
    assert not client.session.get(access.SESSION_KEY)


def test_an_inactive_category_is_refused(client, category):
    Category.objects.filter(pk=category.pk).update(is_active=False)
    response = client.post(reverse("tickets:new"), guest_data(category))
    assert response.status_code == 200 and errors_of(response)["category"]
    assert rows() == (0, 0, 0)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00" + b"\x00" * 100, "holiday.png"),
        (b"<html><script>alert(1)</script></html>", "page.pdf"),
    ],
)
def test_a_refused_file_files_no_ticket(client, member_client, category, content, name):
    for each, data in ((client, guest_data(category)), (member_client, member_data(category))):
        data["file"] = SimpleUploadedFile(name, content, content_type="image/png")
        response = each.post(reverse("tickets:new"), data)
        assert response.status_code == 200
        assert "Only JPEG, PNG or WebP pictures" in str(errors_of(response)["file"])
        assert rows() == (0, 0, 0)


def test_filing_is_rate_limited_per_client(client, category, settings):
    settings.TICKET_NEW_RATE = "2/h"
    # Mistakes do not count against the allowance.
    client.post(reverse("tickets:new"), guest_data(category, subject=""))
    for _ in range(2):
        assert client.post(reverse("tickets:new"), guest_data(category)).status_code == 302
    response = client.post(reverse("tickets:new"), guest_data(category))
    assert response.status_code == 429
    assert "Too many tickets were filed from your connection" in response.content.decode()
    assert Ticket.objects.count() == 2
    # Another client is not affected.
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert other.post(reverse("tickets:new"), guest_data(category)).status_code == 302


# --- Tracking --------------------------------------------------------------------------


def track(client, code, contact):
    return client.post(reverse("tickets:track"), {"code": code, "contact": contact})


@pytest.mark.parametrize(
    "typed_code",
    [
        lambda code: code,
        lambda code: code.lower(),
        lambda code: code.replace("-", ""),
        lambda code: " ".join(code.replace("-", "").lower()),
    ],
)
@pytest.mark.parametrize("contact", ["09121234567", "+98 912 123 4567", "۰۹۱۲۱۲۳۴۵۶۷"])
def test_tracking_finds_the_ticket_however_the_code_is_typed(ticket, typed_code, contact):
    client = Client()
    response = track(client, typed_code(ticket.tracking_code), contact)
    assert response.status_code == 302 and response["Location"] == detail_url(ticket)
    assert client.get(response["Location"]).status_code == 200


def test_tracking_by_email_ignores_case(open_guest_ticket, client):
    ticket = open_guest_ticket(guest_mobile="", guest_email="sara@example.com")
    response = track(client, ticket.tracking_code, "  SARA@Example.COM ")
    assert response.status_code == 302


def test_tracking_a_members_ticket_with_the_members_contact(member, category):
    member.mobile = "+989351112233"
    member.save()
    ticket = services.open_ticket(
        kind="support", category=category, subject="Points", description="Missing", member=member
    )
    assert track(Client(), ticket.tracking_code, "09351112233").status_code == 302
    assert track(Client(), ticket.tracking_code, "MEMBER@example.com").status_code == 302
    assert track(Client(), ticket.tracking_code, "09121234567").status_code == 200


def test_a_typo_in_the_code_is_caught_by_the_check_character(ticket, client):
    code = ticket.tracking_code
    # Swap two different neighbouring characters: still well-formed, wrong check character.
    i = next(
        i for i in range(len(code) - 1) if "-" not in code[i : i + 2] and code[i] != code[i + 1]
    )
    typo = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
    response = track(client, typo, "09121234567")
    assert response.status_code == 200
    assert "This code has a typo" in str(errors_of(response)["code"])
    assert not client.session.get(access.SESSION_KEY)


@pytest.mark.parametrize("bad", ["ABC", "K7Q2-9MXD-4T-XX", "O0O0-I1I1-SS", ""])
def test_a_malformed_code_says_so(client, bad):
    response = track(client, bad, "09121234567")
    assert response.status_code == 200 and errors_of(response)["code"]
    assert "This code has a typo" not in response.content.decode()


@pytest.mark.parametrize("contact", ["not a contact", "12", "a@"])
def test_a_contact_that_is_neither_mobile_nor_email_says_so(ticket, client, contact):
    response = track(client, ticket.tracking_code, contact)
    assert response.status_code == 200 and errors_of(response)["contact"]


def _unknown_code(known: str) -> str:
    while True:
        code = codes.new_code()
        if code != known:
            return code


@pytest.mark.parametrize("contact", ["09121234567", "09129999999", "sara@example.com"])
def test_a_wrong_contact_is_indistinguishable_from_an_unknown_code(ticket, contact):
    if contact == "09121234567":  # the right contact: compare unknown code vs wrong contact
        wrong = track(Client(), _unknown_code(ticket.tracking_code), contact)
        other = track(Client(), _unknown_code(ticket.tracking_code), contact)
    else:
        wrong = track(Client(), ticket.tracking_code, contact)
        other = track(Client(), _unknown_code(ticket.tracking_code), contact)
    assert wrong.status_code == other.status_code == 200
    assert CSRF.sub(b"", wrong.content) == CSRF.sub(b"", other.content)
    assert b"We found no ticket with this code" in wrong.content
    assert ticket.tracking_code.encode() not in wrong.content


def test_the_tracking_page_is_rate_limited_per_client(ticket, settings):
    settings.TICKET_TRACK_RATE = "10/m"
    client = Client()
    for _ in range(10):
        assert track(client, ticket.tracking_code, "09129999999").status_code == 200
    response = track(client, ticket.tracking_code, "09121234567")  # the right pair, too late
    assert response.status_code == 429
    assert "Too many attempts from your connection" in response.content.decode()
    assert not client.session.get(access.SESSION_KEY)
    assert client.get(detail_url(ticket)).status_code == 404
    # GET still shows the page; another client is not affected.
    assert client.get(reverse("tickets:track")).status_code == 200
    assert (
        track(Client(REMOTE_ADDR="10.9.8.7"), ticket.tracking_code, "09121234567").status_code
        == 302
    )


# --- Who sees a ticket -----------------------------------------------------------------


def test_nobody_else_opens_a_ticket_by_url(client, make_user, member_client, category, ticket):
    other = make_user()
    theirs = services.open_ticket(
        kind="support", category=category, subject="Mine", description="Private", member=other
    )
    attachment = services.attach(
        ticket=theirs, uploaded_by=other, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    for target in (theirs, ticket):
        code = target.tracking_code
        file_pk = attachment.pk if target == theirs else 1
        for each in (member_client, client):
            assert each.get(reverse("tickets:detail", args=[code])).status_code == 404
            assert each.get(reverse("tickets:file", args=[code, file_pk])).status_code == 404
            assert (
                each.post(reverse("tickets:reply", args=[code]), {"body": "hi"}).status_code == 404
            )
            assert each.post(reverse("tickets:rate", args=[code]), {"score": 5}).status_code == 404
    assert TicketMessage.objects.count() == 0
    for bad in ("NOT-A-CODE", "ACDE-FGHJ-KM", _unknown_code(ticket.tracking_code)):
        assert member_client.get(reverse("tickets:detail", args=[bad])).status_code == 404


def test_a_session_that_proved_one_ticket_sees_no_other(open_guest_ticket, client):
    first, second = open_guest_ticket(), open_guest_ticket()
    assert track(client, first.tracking_code, "09121234567").status_code == 302
    assert client.get(detail_url(first)).status_code == 200
    assert client.get(detail_url(second)).status_code == 404
    assert (
        client.post(
            reverse("tickets:reply", args=[second.tracking_code]), {"body": "x"}
        ).status_code
        == 404
    )


def test_a_member_sees_their_own_ticket_without_tracking(member_client, member, category):
    ticket = services.open_ticket(
        kind="support", category=category, subject="Mine", description="x", member=member
    )
    assert member_client.get(detail_url(ticket)).status_code == 200
    lower = reverse("tickets:detail", args=[ticket.tracking_code.lower().replace("-", "")])
    assert member_client.get(lower).status_code == 200


def test_internal_notes_and_files_never_reach_the_customer(ticket, agent):
    client = Client()
    access_ticket(client, ticket)
    services.add_reply(ticket=ticket, author=agent, body="We are looking into it.")
    note = services.add_reply(
        ticket=ticket, author=agent, body="SECRET: customer is a known troll", internal=True
    )
    internal_file = services.attach(
        ticket=ticket,
        uploaded_by=agent,
        upload=SimpleUploadedFile("cctv-notes.pdf", PDF),
        message=note,
    )
    flagged_file = services.attach(
        ticket=ticket,
        uploaded_by=agent,
        upload=SimpleUploadedFile("staff-only.pdf", PDF),
        internal=True,
    )
    public_file = services.attach(
        ticket=ticket, uploaded_by=agent, upload=SimpleUploadedFile("invoice.pdf", PDF)
    )
    body = client.get(detail_url(ticket)).content.decode()
    assert "We are looking into it." in body
    assert "SECRET" not in body and "troll" not in body
    assert "cctv-notes" not in body and "staff-only" not in body
    assert "invoice.pdf" in body
    assert agent.email not in body and "Support team" in body
    for hidden in (internal_file, flagged_file):
        url = reverse("tickets:file", args=[ticket.tracking_code, hidden.pk])
        assert client.get(url).status_code == 404
    url = reverse("tickets:file", args=[ticket.tracking_code, public_file.pk])
    assert client.get(url).status_code == 200


def access_ticket(client, ticket):
    session = client.session
    access.grant(session, ticket)
    session.save()


# --- Files -----------------------------------------------------------------------------


def test_downloads_are_safe(ticket):
    client = Client()
    access_ticket(client, ticket)
    pdf = services.attach(
        ticket=ticket, uploaded_by=None, upload=SimpleUploadedFile("bill.pdf", PDF)
    )
    picture = services.attach(
        ticket=ticket, uploaded_by=None, upload=SimpleUploadedFile("شکایت.png", png())
    )
    response = client.get(reverse("tickets:file", args=[ticket.tracking_code, pdf.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="bill.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]

    response = client.get(reverse("tickets:file", args=[ticket.tracking_code, picture.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline; filename*=utf-8''")
    assert response["X-Content-Type-Options"] == "nosniff"
    # A file of one ticket is not reachable through another ticket's address.
    other = services.open_ticket(
        kind="support",
        category=ticket.category,
        subject="x",
        description="y",
        guest_name="A",
        guest_mobile="09121234567",
    )
    access_ticket(client, other)
    assert (
        client.get(reverse("tickets:file", args=[other.tracking_code, pdf.pk])).status_code == 404
    )


# --- Replies ---------------------------------------------------------------------------


def test_the_guest_replies_with_a_file(ticket, agent):
    client = Client()
    access_ticket(client, ticket)
    services.change_status(ticket=ticket, to=Status.WAITING, actor=agent)
    response = client.post(
        reverse("tickets:reply", args=[ticket.tracking_code]),
        {"body": "Here is the receipt.", "file": SimpleUploadedFile("r.pdf", PDF)},
    )
    assert response.status_code == 302 and response["Location"] == detail_url(ticket)
    message = TicketMessage.objects.get()
    assert message.author is None and message.body == "Here is the receipt."
    assert TicketAttachment.objects.get().message == message
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    body = client.get(detail_url(ticket)).content.decode()
    assert "Here is the receipt." in body and "r.pdf" in body and ">You<" in body


def test_a_member_replies_as_themselves(member_client, member, category):
    ticket = services.open_ticket(
        kind="support", category=category, subject="x", description="y", member=member
    )
    member_client.post(reverse("tickets:reply", args=[ticket.tracking_code]), {"body": "Hello"})
    assert TicketMessage.objects.get().author == member


def test_a_file_alone_is_a_reply_too(ticket):
    client = Client()
    access_ticket(client, ticket)
    response = client.post(
        reverse("tickets:reply", args=[ticket.tracking_code]),
        {"body": "", "file": SimpleUploadedFile("p.png", png())},
    )
    assert response.status_code == 302
    assert rows() == (1, 0, 1)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"body": "  "}, None),
        ({"body": "x" * 10_001}, "body"),
        ({"body": "Look", "file": ("evil.png", b"MZ\x90\x00" + b"\x00" * 64)}, "file"),
        ({"body": "", "file": ("page.pdf", b"%PDF-1.4 <script>alert(1)</script> %%EOF")}, "file"),
    ],
)
def test_a_bad_reply_shows_errors_and_saves_nothing(ticket, data, field):
    client = Client()
    access_ticket(client, ticket)
    if "file" in data:
        name, content = data["file"]
        data = {**data, "file": SimpleUploadedFile(name, content)}
    response = client.post(reverse("tickets:reply", args=[ticket.tracking_code]), data)
    assert response.status_code == 200
    form = response.context["reply_form"]
    assert form.errors[field or "__all__"]
    assert 'role="alert"' in response.content.decode()
    assert rows() == (1, 0, 0)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_a_closed_ticket_takes_no_reply(ticket, agent):
    client = Client()
    access_ticket(client, ticket)
    services.change_status(ticket=ticket, to=Status.CLOSED, actor=agent)
    page = client.get(detail_url(ticket))
    assert page.context["reply_form"] is None
    response = client.post(
        reverse("tickets:reply", args=[ticket.tracking_code]), {"body": "Still there?"}, follow=True
    )
    assert "This ticket is closed" in response.content.decode()
    assert rows() == (1, 0, 0)


def test_the_page_has_the_live_hooks(ticket):
    client = Client()
    access_ticket(client, ticket)
    body = client.get(detail_url(ticket)).content.decode()
    assert (
        f'id="ticket-live" class="card" data-live-url="/ws/tickets/{ticket.tracking_code}/"' in body
    )
    for hook in (
        'id="ticket-messages"',
        'id="ticket-status"',
        'id="ticket-live-note" class="meta" aria-live="polite"',
    ):
        assert hook in body
    assert "tickets/live.js" in body
    assert "<script>" not in body and "style=" not in body


def test_a_merged_duplicate_points_to_the_ticket_it_was_merged_into(open_guest_ticket, agent):
    duplicate, kept = open_guest_ticket(), open_guest_ticket(subject="Cold coffee again")
    stranger = open_guest_ticket(guest_mobile="09350000000")
    services.merge(duplicate=duplicate, into=kept, actor=agent)
    client = Client()
    assert track(client, duplicate.tracking_code, "09121234567").status_code == 302
    body = client.get(detail_url(duplicate)).content.decode()
    assert "merged into another one" in body and detail_url(kept) in body
    assert client.get(detail_url(kept)).status_code == 200
    # Someone else's ticket merged into: the note, but no link and no access.
    other = open_guest_ticket(guest_mobile="09350000000")
    services.merge(duplicate=other, into=kept, actor=agent)
    fresh = Client()
    assert track(fresh, other.tracking_code, "09350000000").status_code == 302
    body = fresh.get(detail_url(other)).content.decode()
    assert "merged into another one" in body and detail_url(kept) not in body
    assert fresh.get(detail_url(kept)).status_code == 404
    assert fresh.get(detail_url(stranger)).status_code == 404


def test_persian_pages_render_right_to_left(ticket, client):
    access_ticket(client, ticket)
    client.cookies["club_language"] = "fa"
    for url in (reverse("tickets:new"), reverse("tickets:track"), detail_url(ticket)):
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="fa").content.decode()
        assert 'dir="rtl"' in body
    assert f'dir="ltr" translate="no">{ticket.tracking_code}<' in body


# --- A member's tickets ----------------------------------------------------------------


def test_my_tickets_needs_a_login(client):
    response = client.get(reverse("tickets:mine"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_my_tickets_lists_only_mine_newest_first(member_client, member, make_user, category):
    first = services.open_ticket(
        kind="support", category=category, subject="First", description="x", member=member
    )
    second = services.open_ticket(
        kind="support", category=category, subject="Second", description="x", member=member
    )
    services.open_ticket(
        kind="support", category=category, subject="Theirs", description="x", member=make_user()
    )
    response = member_client.get(reverse("tickets:mine"))
    assert list(response.context["page"]) == [second, first]
    assert "Theirs" not in response.content.decode()


def test_my_tickets_keeps_a_constant_query_count(member_client, member, category):
    counts = []
    for size in (1, 50):
        Ticket.objects.filter(member=member).delete()
        categories = list(Category.objects.all())
        for n in range(size):
            services.open_ticket(
                kind="support",
                category=categories[n % len(categories)],
                subject=f"Ticket {n}",
                description="x",
                member=member,
            )
        with CaptureQueriesContext(connection) as queries:
            response = member_client.get(reverse("tickets:mine"))
        assert response.status_code == 200
        assert len(response.context["page"]) == min(size, 20)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
