"""The member's digital club card: the card page, its barcode and QR code, the printable
card, the panel's card block and reporting a card lost."""

import re

import pytest
import segno
from barcode.charsets import code128
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cardgateway import services
from cardgateway.models import Card, CardEvent, CardStatus
from gamification import ledger, tiers
from gamification.models import Currency, EntryKind
from portal.accounts import roles

pytestmark = pytest.mark.django_db

ALL_ROLES = [roles.MEMBER, *roles.STAFF_ROLES]
MEMBER_PAGES = [
    "cardgateway:my-card",
    "cardgateway:my-card-print",
    "cardgateway:my-card-report-lost",
]


def grouped(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, 16, 4))


def decode_code128_svg(svg: str, module_mm: float = 0.33) -> str:
    """Read python-barcode's SVG back: bars (rects in mm) to modules, modules to Code 128
    symbols of code set C, symbols to digits; checks the start code, checksum and stop."""
    bars = [
        (float(x), float(width))
        for x, width in re.findall(r'<rect x="([\d.]+)mm" y="[\d.]+mm" width="([\d.]+)mm"', svg)
    ]
    start = bars[0][0]
    end = bars[-1][0] + bars[-1][1]
    modules = ["0"] * round((end - start) / module_mm)
    for x, width in bars:
        first = round((x - start) / module_mm)
        for i in range(first, first + round(width / module_mm)):
            modules[i] = "1"
    line = "".join(modules)
    assert line.endswith(code128.STOP + "11")
    symbols = line[: -len(code128.STOP) - 2]
    values = [code128.CODES.index(symbols[i : i + 11]) for i in range(0, len(symbols), 11)]
    start_code, *data, checksum = values
    assert start_code == code128.START_CODES["C"]
    assert checksum == (start_code + sum(i * v for i, v in enumerate(data, 1))) % 103
    return "".join(f"{value:02d}" for value in data)


def qr_matrix_from_svg(svg: str) -> list[list[int]]:
    """segno's SVG path (runs of dark modules, relative moves) back to a module matrix."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    path = re.search(r'class="qrline"[^>]* d="([^"]+)"', svg).group(1)
    matrix = [[0] * size for _ in range(size)]
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            for i in range(int(a)):
                matrix[int(y)][int(x) + i] = 1
            x += float(a)
    return matrix


@pytest.fixture
def cashier(make_user):
    return make_user(roles.CASHIER)


# --- Who may open what ------------------------------------------------------------------


def test_the_card_pages_are_named():
    assert reverse("cardgateway:my-card") == "/till/my-card/"
    assert reverse("cardgateway:my-card-print") == "/till/my-card/print/"
    assert reverse("cardgateway:my-card-barcode", args=[7]) == "/till/my-card/7/barcode.svg"
    assert reverse("cardgateway:my-card-qr", args=[7]) == "/till/my-card/7/qr.svg"


@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_anonymous_users_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["cardgateway:my-card-barcode", "cardgateway:my-card-qr"])
def test_anonymous_users_get_no_card_image(client, card, name):
    response = client.get(reverse(name, args=[card.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_opens_its_own_card_page(client, make_user, role):
    user = make_user(role)
    card = services.issue_card(member=user)
    client.force_login(user)
    body = client.get(reverse("cardgateway:my-card")).content.decode()
    assert grouped(card.number) in body


@pytest.mark.parametrize("name", ["cardgateway:my-card-barcode", "cardgateway:my-card-qr"])
def test_another_member_gets_404_for_a_card_image(client, make_user, card, name):
    client.force_login(make_user(roles.MEMBER))
    assert client.get(reverse(name, args=[card.pk])).status_code == 404


@pytest.mark.parametrize("name", ["cardgateway:my-card-barcode", "cardgateway:my-card-qr"])
def test_a_club_manager_gets_404_for_a_members_card_image(client, make_user, card, name):
    client.force_login(make_user(roles.CLUB_MANAGER))
    assert client.get(reverse(name, args=[card.pk])).status_code == 404


@pytest.mark.parametrize("name", ["cardgateway:my-card-barcode", "cardgateway:my-card-qr"])
def test_a_card_that_no_longer_works_has_no_image(member_client, card, name):
    services.set_card_status(card=card, status=CardStatus.BLOCKED, reason="test")
    assert member_client.get(reverse(name, args=[card.pk])).status_code == 404


# --- The card page ----------------------------------------------------------------------


def test_the_card_page_shows_number_in_fours_name_tier_and_status(member_client, member, card):
    ledger.post(
        member=member,
        currency=Currency.POINTS,
        amount=10,
        kind=EntryKind.ADJUSTMENT,
        idempotency_key="tier",
    )
    tier = tiers.evaluate(member=member) or tiers.current_tier(member)
    body = member_client.get(reverse("cardgateway:my-card")).content.decode()
    assert grouped(card.number) in body
    assert member.get_full_name() in body
    assert tier.name in body
    assert "active" in body
    assert reverse("cardgateway:my-card-barcode", args=[card.pk]) in body
    assert reverse("cardgateway:my-card-qr", args=[card.pk]) in body


def test_the_card_images_have_alt_text_with_the_number(member_client, card):
    body = member_client.get(reverse("cardgateway:my-card")).content.decode()
    assert f'alt="Code 128 barcode of card number {card.number}"' in body
    assert f'alt="QR code of card number {card.number}"' in body


def test_the_card_page_has_no_inline_script_style_or_svg(member_client, card):
    body = member_client.get(reverse("cardgateway:my-card")).content.decode()
    assert re.search(r"<script(?![^>]*\ssrc=)", body) is None
    assert " style=" not in body and "<style" not in body
    assert "<svg" not in body


def test_a_member_without_a_card_is_told_to_ask_at_a_till(member_client):
    response = member_client.get(reverse("cardgateway:my-card"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "You have no active club card" in body and "till of any branch" in body
    assert "barcode.svg" not in body


def test_older_cards_are_listed_with_their_status_below_the_active_one(member_client, card):
    new = services.replace_card(card=card, lost=True)
    body = member_client.get(reverse("cardgateway:my-card")).content.decode()
    assert grouped(new.number) in body
    assert card.masked in body and grouped(card.number) not in body
    assert body.index(grouped(new.number)) < body.index(card.masked)
    assert "lost" in body
    assert reverse("cardgateway:my-card-barcode", args=[card.pk]) not in body


def test_the_card_page_keeps_its_query_count(client, make_user):
    counts = []
    for size in (1, 50):
        member = make_user(email=f"m{size}@example.com")
        card = services.issue_card(member=member)
        for _ in range(size - 1):
            card = services.replace_card(card=card, lost=True)
        client.force_login(member)
        client.get(reverse("cardgateway:my-card"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("cardgateway:my-card"))
        assert response.status_code == 200
        assert len(response.context["older_cards"]) == size - 1
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- Barcode and QR code ----------------------------------------------------------------


def test_the_barcode_is_an_svg_code_128_of_the_card_number(member_client, card):
    response = member_client.get(reverse("cardgateway:my-card-barcode", args=[card.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "viewBox=" in svg
    assert decode_code128_svg(svg) == card.number


def test_the_qr_code_is_an_svg_of_the_card_number(member_client, card):
    response = member_client.get(reverse("cardgateway:my-card-qr", args=[card.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    expected = segno.make(card.number, error="m", micro=False)
    assert not expected.is_micro
    border = 4
    size = len(expected.matrix) + 2 * border
    wanted = [[0] * size for _ in range(size)]
    for y, row in enumerate(expected.matrix):
        for x, dark in enumerate(row):
            wanted[y + border][x + border] = int(bool(dark))
    assert qr_matrix_from_svg(svg) == wanted


def test_two_cards_have_different_codes(client, make_user, member_client, card):
    other = services.issue_card(member=make_user())
    client.force_login(other.member)
    for name in ("cardgateway:my-card-barcode", "cardgateway:my-card-qr"):
        mine = member_client.get(reverse(name, args=[card.pk])).content
        theirs = client.get(reverse(name, args=[other.pk])).content
        assert mine != theirs


def test_card_images_are_not_cached_and_may_run_nothing(member_client, card):
    response = member_client.get(reverse("cardgateway:my-card-qr", args=[card.pk]))
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert b"<script" not in response.content


# --- Printing ---------------------------------------------------------------------------


def test_the_printable_card_shows_the_number_and_both_codes(member_client, member, card):
    body = member_client.get(reverse("cardgateway:my-card-print")).content.decode()
    assert 'class="club-card-print"' in body
    assert grouped(card.number) in body and member.get_full_name() in body
    assert reverse("cardgateway:my-card-barcode", args=[card.pk]) in body
    assert reverse("cardgateway:my-card-qr", args=[card.pk]) in body


def test_the_printable_card_without_a_card_goes_back_to_the_card_page(member_client):
    response = member_client.get(reverse("cardgateway:my-card-print"))
    assert response.status_code == 302 and response["Location"] == reverse("cardgateway:my-card")


def test_the_stylesheet_prints_only_the_card():
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/club.css"), encoding="utf-8").read()
    print_rules = css[css.index("@media print") :]
    assert ".site-header" in print_rules and ".club-card-print" in print_rules


# --- The member panel -------------------------------------------------------------------


def test_the_panel_shows_the_masked_card_with_a_link_to_it(member_client, card):
    body = member_client.get(reverse("accounts:panel")).content.decode()
    assert "Your club card" in body
    assert card.masked in body and card.number not in body
    assert reverse("cardgateway:my-card") in body


def test_the_panel_tells_a_member_without_a_card_where_to_get_one(member_client):
    body = member_client.get(reverse("accounts:panel")).content.decode()
    assert "You have no club card yet" in body


def test_the_panel_costs_the_same_queries_with_or_without_a_card(client, make_user):
    counts = []
    for has_card in (False, True):
        member = make_user()
        if has_card:
            services.issue_card(member=member)
        client.force_login(member)
        client.get(reverse("accounts:panel"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("accounts:panel")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- Reporting a card lost --------------------------------------------------------------


def balances_of(member):
    return ledger.balances(member)


def test_reporting_asks_for_confirmation_first(member_client, card):
    response = member_client.get(reverse("cardgateway:my-card-report-lost"))
    assert response.status_code == 200
    assert card.masked in response.content.decode()
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_reporting_a_card_lost_blocks_it_and_shows_the_new_card(
    member_client, member, card, give_credit
):
    give_credit(member, 84_000)
    ledger.post(
        member=member, currency=Currency.POINTS, amount=1520, kind=EntryKind.ADJUSTMENT,
        idempotency_key="points",
    )  # fmt: skip
    before = balances_of(member)
    response = member_client.post(
        reverse("cardgateway:my-card-report-lost"), {"card": card.pk}, follow=True
    )
    card.refresh_from_db()
    new = Card.objects.get(member=member, status=CardStatus.ACTIVE)
    assert card.status == CardStatus.LOST
    assert new.replaces == card
    assert balances_of(member) == before
    body = response.content.decode()
    assert grouped(new.number) in body
    assert f"Card {card.masked} is blocked" in body
    event = CardEvent.objects.filter(card=card, to_status=CardStatus.LOST).get()
    assert event.actor == member


def test_reporting_twice_replaces_the_card_once(member_client, member, card):
    url = reverse("cardgateway:my-card-report-lost")
    member_client.post(url, {"card": card.pk})
    member_client.post(url, {"card": card.pk})
    assert Card.objects.filter(member=member).count() == 2
    assert Card.objects.filter(member=member, status=CardStatus.ACTIVE).count() == 1


@pytest.mark.parametrize("data", [{}, {"card": "x"}, {"card": "999999"}])
def test_a_bad_report_changes_nothing(member_client, member, card, data):
    response = member_client.post(reverse("cardgateway:my-card-report-lost"), data)
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    assert Card.objects.filter(member=member).count() == 1


def test_a_member_cannot_report_someone_elses_card(member_client, member, make_user):
    other = services.issue_card(member=make_user())
    services.issue_card(member=member)
    member_client.post(reverse("cardgateway:my-card-report-lost"), {"card": other.pk})
    other.refresh_from_db()
    assert other.status == CardStatus.ACTIVE
    assert Card.objects.count() == 2


def test_a_report_without_the_csrf_token_is_refused(member, card):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(reverse("cardgateway:my-card-report-lost"), {"card": card.pk})
    assert response.status_code == 403
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_an_anonymous_report_changes_nothing(client, card):
    response = client.post(reverse("cardgateway:my-card-report-lost"), {"card": card.pk})
    assert response.status_code == 302 and "login" in response["Location"]
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_a_member_without_an_active_card_has_nothing_to_report(member_client, member, card):
    services.set_card_status(card=card, status=CardStatus.BLOCKED, reason="test")
    response = member_client.post(reverse("cardgateway:my-card-report-lost"), {"card": card.pk})
    assert response.status_code == 302
    assert Card.objects.filter(member=member).count() == 1
