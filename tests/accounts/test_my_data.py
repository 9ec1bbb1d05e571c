"""Download my data: every kind of data the club holds about the member is in the ZIP,
and nothing of any other member (searched for by e-mail, mobile, name, card number,
tracking code and text), nor the desk's internal notes."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from cardgateway import services as gateway
from cardgateway.models import Branch
from portal.accounts.models import ConsentChange, User
from portal.accounts.services import set_consents
from portal.notifications.services import notify
from tickets import services as desk
from tickets.models import Category

pytestmark = pytest.mark.django_db


def _life(member, *, name: str, mobile: str, branch, agent):
    """A member with a card, a purchase (ledger entries), a consent, a ticket with a public
    answer and an internal note, and a notification."""
    User.objects.filter(pk=member.pk).update(mobile=mobile, mobile_verified=True)
    member.refresh_from_db()
    profile = member.profile
    profile.first_name = name
    set_consents(profile=profile, email=True, source="/club/profile/")
    profile.save()
    card = gateway.issue_card(member=member, branch=branch)
    gateway.post_purchase(
        txn_id=f"T-{member.pk}", card_number=card.number, amount=1_000_000, branch=branch
    )
    category = Category.objects.get_or_create(slug="product", defaults={"name": "Product"})[0]
    ticket = desk.open_ticket(
        kind="complaint",
        category=category,
        member=member,
        subject=f"{name}'s kettle",
        description=f"{name} writes about a kettle.",
    )
    desk.add_reply(ticket=ticket, author=agent, body=f"Answer for {name}")
    desk.add_reply(ticket=ticket, author=agent, body=f"SECRET note on {name}", internal=True)
    notify(member=member, kind="info", title=f"Hello {name}")
    return card, ticket


def _download(client) -> tuple[dict, str]:
    response = client.post(reverse("accounts:my-data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        data = json.loads(archive.read("data.json"))
        html = archive.read("index.html").decode()
    return data, html


def test_the_zip_holds_each_kind_of_data_and_nothing_of_others(client, make_user):
    from portal.accounts import roles

    branch = Branch.objects.create(code="b1", name="Central", city="Tehran")
    agent = make_user(roles.SUPPORT_AGENT, email="agent@example.com")
    sara = make_user(email="sara@example.com")
    reza = make_user(email="reza@example.com")
    card, ticket = _life(sara, name="Sara", mobile="+989121110001", branch=branch, agent=agent)
    other_card, other_ticket = _life(
        reza, name="Reza", mobile="+989121110002", branch=branch, agent=agent
    )

    client.force_login(sara)
    data, html = _download(client)
    assert data["account"]["email"] == "sara@example.com"
    assert data["profile"]["first_name"] == "Sara"
    assert [c["channel"] for c in data["consent_changes"]] == ["email"]
    assert [c["number"] for c in data["cards"]] == [card.number]
    assert [p["amount"] for p in data["purchases"]] == [1_000_000]
    assert data["ledger"] and all(row["amount"] for row in data["ledger"])
    assert {b["currency"] for b in data["balances"]} >= {"points", "credit"}
    assert [t["tracking_code"] for t in data["tickets"]] == [ticket.tracking_code]
    assert [(m["from"], m["body"]) for m in data["ticket_messages"]] == [
        ("staff", "Answer for Sara")
    ]
    assert any(n["title"] == "Hello Sara" for n in data["notifications"])
    assert ticket.tracking_code in html and card.number in html

    everything = json.dumps(data, ensure_ascii=False) + html
    for foreign in (
        "reza@example.com",
        "+989121110002",
        "Reza",
        other_card.number,
        other_ticket.tracking_code,
        "agent@example.com",
        "SECRET note",
    ):
        assert foreign not in everything, foreign
    assert ConsentChange.objects.filter(member=reza).exists()  # it exists, just not here


def test_only_a_logged_in_member_downloads_and_only_by_post(client, member):
    url = reverse("accounts:my-data")
    assert "login" in client.post(url)["Location"]
    client.force_login(member)
    page = client.get(url)
    assert page.status_code == 200 and "application/zip" not in page["Content-Type"]


def test_a_persian_members_summary_reads_right_to_left(client, member):
    from django.conf import settings

    client.force_login(member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    _data, html = _download(client)
    assert '<html lang="fa" dir="rtl">' in html
