"""The cashier screen (/till/): who may use it, what each form refuses (and that a refusal
changes nothing), and what a posting shows."""

import re
import uuid
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cardgateway import services
from cardgateway.models import (
    Card,
    CardStatus,
    CashierStation,
    GatewaySettings,
    LimitHit,
    Transaction,
    TxnKind,
)
from gamification import ledger
from gamification.models import Account, ClubSettings, LedgerEntry
from portal.accounts import roles

pytestmark = pytest.mark.django_db

User = get_user_model()
HOME = reverse("cardgateway:cashier-home")
REGISTER = reverse("cardgateway:cashier-register")
REVERSE = reverse("cardgateway:cashier-reverse")
RETURN = reverse("cardgateway:cashier-return")
REFUSED_ROLES = [roles.MEMBER, roles.MODERATOR, roles.SUPPORT_AGENT, roles.CLUB_MANAGER]


# --- helpers ------------------------------------------------------------------------------


def books() -> tuple:
    """Everything a posting could change: entries, balances, postings, cards, members."""
    return (
        LedgerEntry.objects.count(),
        sorted(Account.objects.values_list("member_id", "currency", "balance")),
        Transaction.objects.count(),
        sorted(Card.objects.values_list("pk", "status")),
        User.objects.count(),
    )


def token() -> str:
    return uuid.uuid4().hex


def member_url(member) -> str:
    return reverse("cardgateway:cashier-member", args=[member.pk])


def purchase_url(member) -> str:
    return reverse("cardgateway:cashier-purchase", args=[member.pk])


def replace_url(member) -> str:
    return reverse("cardgateway:cashier-replace", args=[member.pk])


def issue_url(member) -> str:
    return reverse("cardgateway:cashier-issue", args=[member.pk])


def receipt_url(txn) -> str:
    return reverse("cardgateway:cashier-receipt", args=[txn.receipt])


def errors(response) -> str:
    """The text of every form error on the page."""
    body = response.content.decode()
    found = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', body, flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", chunk) for chunk in found)


def register_data(**overrides) -> dict:
    data = {
        "first_name": "Sara",
        "last_name": "Karimi",
        "mobile": "0912 345 6789",
        "birth_date": "1991-08-03",
        "address": "12 Vali-Asr Ave",
        "city": "Tehran",
        "email": "",
        "sms_consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture
def cashier(make_user, branch, terminal):
    user = make_user(roles.CASHIER, email="cashier@example.com")
    CashierStation.objects.create(cashier=user, branch=branch, terminal=terminal)
    return user


@pytest.fixture
def till(client, cashier):
    client.force_login(cashier)
    return client


@pytest.fixture
def purchase(card, terminal, branch):
    """A purchase a reader made at terminal T17."""
    return services.post_purchase(
        txn_id="T17-000123", card_number=card.number, amount=200_000, terminal=terminal
    ).txn


def view_urls(member, card, purchase) -> dict:
    return {
        "home": ("get", HOME),
        "register": ("get", REGISTER),
        "member": ("get", member_url(member)),
        "reverse": ("get", REVERSE),
        "return": ("get", RETURN),
        "receipt": ("get", receipt_url(purchase)),
        "card": ("get", reverse("cardgateway:cashier-card", args=[card.pk])),
        "purchase": ("post", purchase_url(member)),
        "issue": ("post", issue_url(member)),
        "replace": ("post", replace_url(member)),
        "register-post": ("post", REGISTER),
        "reverse-post": ("post", REVERSE),
        "return-post": ("post", RETURN),
    }


VIEWS = {
    "home": "get",
    "register": "get",
    "member": "get",
    "reverse": "get",
    "return": "get",
    "receipt": "get",
    "card": "get",
    "purchase": "post",
    "issue": "post",
    "replace": "post",
    "register-post": "post",
    "reverse-post": "post",
    "return-post": "post",
}
GET_VIEWS = [name for name, method in VIEWS.items() if method == "get"]
POST_VIEWS = [name for name, method in VIEWS.items() if method == "post"]


def post_everything(member, card, purchase) -> dict:
    """Valid data for every POST view: a refused user must change nothing with it."""
    return {
        "purchase": {"amount": "100000", "token": token()},
        "issue": {},
        "replace": {"card": card.pk, "reason": "lost"},
        "register-post": register_data(mobile="09351112233"),
        "reverse-post": {"receipt": purchase.receipt, "token": token()},
        "return-post": {"receipt": purchase.receipt, "amount": "1000", "token": token()},
    }


# --- who may use it -----------------------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
def test_anonymous_users_are_sent_to_log_in(client, member, card, purchase, view):
    method, url = view_urls(member, card, purchase)[view]
    before = books()
    data = post_everything(member, card, purchase).get(view, {})
    response = client.get(url) if method == "get" else client.post(url, data)
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert books() == before


@pytest.mark.parametrize("role", REFUSED_ROLES)
@pytest.mark.parametrize("view", VIEWS)
def test_other_roles_are_refused_and_change_nothing(
    client, make_user, member, card, purchase, branch, role, view
):
    user = make_user(role)
    # Even with a station (a misconfiguration), the role decides.
    CashierStation.objects.create(cashier=user, branch=branch)
    client.force_login(user)
    method, url = view_urls(member, card, purchase)[view]
    before = books()
    data = post_everything(member, card, purchase).get(view, {})
    response = client.get(url) if method == "get" else client.post(url, data)
    assert response.status_code == 403
    assert books() == before


@pytest.mark.parametrize("view", GET_VIEWS)
def test_a_cashier_with_a_station_opens_every_page(till, member, card, purchase, view):
    method, url = view_urls(member, card, purchase)[view]
    response = till.get(url)
    assert response.status_code == 200
    assert "Central" in response.content.decode()  # the station bar


def test_a_post_without_the_csrf_token_is_refused(cashier, member, card):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cashier)
    before = books()
    response = client.post(purchase_url(member), {"amount": "1000", "token": token()})
    assert response.status_code == 403
    assert books() == before


def test_the_staff_home_links_the_cashier_screen(till):
    assert HOME in till.get(reverse("shell:staff-home")).content.decode()


def test_the_cashier_home_links_the_voucher_check(till):
    assert reverse("gamification:voucher-check") in till.get(HOME).content.decode()


# --- the station --------------------------------------------------------------------------


@pytest.fixture
def stationless(client, make_user):
    client.force_login(make_user(roles.CASHIER, email="new-cashier@example.com"))
    return client


@pytest.mark.parametrize("view", GET_VIEWS)
def test_a_cashier_without_a_station_is_told_to_ask_the_manager(
    stationless, member, card, purchase, view
):
    response = stationless.get(view_urls(member, card, purchase)[view][1])
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "cardgateway/cashier_no_station.html"
    assert "Ask the club manager to assign you to a branch" in response.content.decode()


@pytest.mark.parametrize("view", POST_VIEWS)
def test_a_cashier_without_a_station_posts_nothing(stationless, member, card, purchase, view):
    url = view_urls(member, card, purchase)[view][1]
    before = books()
    response = stationless.post(url, post_everything(member, card, purchase)[view])
    assert response.status_code == 403
    assert "Ask the club manager" in response.content.decode()
    assert books() == before


def test_a_closed_branch_stops_the_till(till, branch, member, card):
    branch.is_active = False
    branch.save()
    before = books()
    response = till.post(purchase_url(member), {"amount": "1000", "token": token()})
    assert response.status_code == 403
    assert "is closed" in response.content.decode()
    assert books() == before


def test_a_switched_off_terminal_stops_the_till(till, terminal, member, card):
    services.set_terminal_enabled(terminal=terminal, enabled=False)
    before = books()
    response = till.post(purchase_url(member), {"amount": "1000", "token": token()})
    assert response.status_code == 403
    assert "switched off" in response.content.decode()
    assert books() == before


def test_a_station_without_a_terminal_posts_at_the_till(till, cashier, member, card, branch):
    CashierStation.objects.filter(cashier=cashier).update(terminal=None)
    form_token = token()
    till.post(purchase_url(member), {"amount": "100000", "token": form_token})
    txn = Transaction.objects.get()
    assert (txn.terminal, txn.branch, txn.cashier, txn.txn_id) == (
        None,
        branch,
        cashier,
        f"till-{form_token}",
    )


# --- find a member ------------------------------------------------------------------------


def test_a_scanned_card_number_opens_the_member(till, member, card):
    response = till.get(HOME, {"q": f" {card.number[:4]} {card.number[4:8]}-{card.number[8:]}\n"})
    assert response.status_code == 302
    assert response["Location"] == f"{member_url(member)}?card={card.pk}"


def test_a_card_number_in_persian_digits_opens_the_member(till, member, card):
    persian = card.number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    response = till.get(HOME, {"q": persian})
    assert response["Location"] == f"{member_url(member)}?card={card.pk}"


def test_a_mobile_number_opens_the_member(till, make_user):
    someone = make_user(roles.MEMBER, mobile="+989121234567")
    response = till.get(HOME, {"q": "۰۹۱۲ ۱۲۳ ۴۵۶۷"})
    assert response["Location"] == member_url(someone)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "This field is required."),
        ("6037990000000001", "This is not a valid club card number."),
        ("hello", "Enter a 16-digit card number or a mobile number"),
        ("09129999999", "No member has this mobile number."),
    ],
)
def test_find_shows_why_nothing_was_found(till, card, query, message):
    response = till.get(HOME, {"q": query})
    assert response.status_code == 200
    assert message in errors(response)


def test_an_unknown_card_number_is_said_so(till, card):
    other = services.cards.random_card_number()
    while other == card.number:  # pragma: no cover - one in a billion
        other = services.cards.random_card_number()
    response = till.get(HOME, {"q": other})
    assert "No card has this number." in errors(response)


# --- the member page ----------------------------------------------------------------------


def test_the_member_page_shows_name_tier_balances_and_masked_card(till, member, card, give_credit):
    give_credit(member, 84_000)
    body = till.get(member_url(member)).content.decode()
    assert member.get_full_name() in body
    assert "Bronze" in body
    assert "84,000 IRR" in body
    assert card.masked in body
    assert card.number not in body
    assert purchase_url(member) in body


def test_a_scanned_lost_card_is_refused_on_the_member_page(till, member, card, cashier):
    new_card = services.replace_card(card=card, actor=cashier)
    response = till.get(f"{member_url(member)}?card={card.pk}")
    body = response.content.decode()
    assert "is lost. It cannot be used." in body
    assert response.context["purchase_form"] is None
    # Without the scanned card, the member's new card can be used.
    assert till.get(member_url(member)).context["card"] == new_card
    assert till.get(member_url(member)).context["purchase_form"] is not None


def test_a_member_with_a_blocked_card_cannot_be_served(till, member, card):
    services.set_card_status(card=card, status=CardStatus.BLOCKED)
    response = till.get(member_url(member))
    assert response.context["purchase_form"] is None
    assert not response.context["can_replace"]
    assert not response.context["can_issue"]
    assert "blocked" in response.content.decode()


def test_the_member_page_lists_recent_purchases_with_reverse_and_return(till, member, purchase):
    body = till.get(member_url(member)).content.decode()
    assert purchase.receipt in body
    assert f"{REVERSE}?receipt={purchase.receipt}" in body
    assert f"{RETURN}?receipt={purchase.receipt}" in body


def member_page_queries(client, member) -> int:
    client.get(member_url(member))  # warm caches (content types, settings rows)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(member_url(member)).status_code == 200
    return len(queries)


def test_the_member_page_makes_as_many_queries_for_50_purchases_as_for_1(
    till, member, card, terminal
):
    settings = GatewaySettings.load()
    settings.purchases_per_hour = 1000
    settings.save()

    def buy(n):
        posted = services.post_purchase(
            txn_id=f"T17-{n}", card_number=card.number, amount=100_000, terminal=terminal
        )
        if n % 3 == 0:
            services.return_purchase(
                txn_id=f"T17-{n}-r", original_txn_id=f"T17-{n}", amount=1000, terminal=terminal
            )
        return posted

    buy(0)
    one = member_page_queries(till, member)
    for n in range(1, 50):
        buy(n)
    assert member_page_queries(till, member) == one


def test_the_home_page_makes_as_many_queries_for_50_postings_as_for_1(
    till, cashier, member, card, terminal
):
    settings = GatewaySettings.load()
    settings.purchases_per_hour = 1000
    settings.save()

    def buy(n):
        services.post_purchase(
            txn_id=f"till-{n}",
            card_number=card.number,
            amount=100_000,
            terminal=terminal,
            cashier=cashier,
        )

    def count() -> int:
        till.get(HOME)
        with CaptureQueriesContext(connection) as queries:
            till.get(HOME)
        return len(queries)

    buy(0)
    one = count()
    for n in range(1, 50):
        buy(n)
    assert count() == one


# --- credit a purchase --------------------------------------------------------------------


def test_a_purchase_with_credit_spent_posts_and_shows_the_result(
    till, cashier, member, card, terminal, branch, give_credit
):
    give_credit(member, 100_000)
    form_token = token()
    response = till.post(
        purchase_url(member), {"amount": "200,000", "redeem": "۶۰٬۰۰۰", "token": form_token}
    )
    txn = Transaction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == receipt_url(txn)
    assert (txn.kind, txn.amount, txn.redeemed, txn.card, txn.txn_id) == (
        TxnKind.PURCHASE,
        200_000,
        60_000,
        card,
        f"till-{form_token}",
    )
    assert (txn.terminal, txn.branch, txn.cashier) == (terminal, branch, cashier)
    # Bronze: 2 % cashback and 50 points per million on the 140,000 rials paid in money.
    assert (txn.cashback, txn.points) == (2_800, 7)
    balances = ledger.balances(member)
    assert (balances.credit, balances.points) == (42_800, 7)

    shown = till.get(response["Location"])
    body = shown.content.decode()
    assert "Purchase credited" in body
    assert "140,000 IRR" in body  # to pay
    assert "2,800 IRR" in body  # cashback
    assert "42,800 IRR" in body  # new credit
    assert "Bronze" in body
    assert txn.receipt in body
    assert "Nothing was posted again" not in body


def test_a_double_submit_posts_once_and_shows_the_same_result(till, member, card):
    data = {"amount": "150000", "token": token()}
    first = till.post(purchase_url(member), data)
    second = till.post(purchase_url(member), data)
    txn = Transaction.objects.get()
    assert first["Location"] == receipt_url(txn)
    assert second["Location"] == f"{receipt_url(txn)}?replay=1"
    assert LedgerEntry.objects.count() == 2  # cashback and points, once
    assert "Nothing was posted again" in till.get(second["Location"]).content.decode()


def test_the_same_form_sent_again_with_another_amount_is_refused(till, member, card):
    form_token = token()
    till.post(purchase_url(member), {"amount": "150000", "token": form_token})
    before = books()
    response = till.post(purchase_url(member), {"amount": "990000", "token": form_token})
    assert response.status_code == 200
    assert "already sent with other values" in response.content.decode()
    assert response.context["purchase_form"]["token"].value() != form_token
    assert books() == before


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": ""}, "amount", "This field is required."),
        ({"amount": "0"}, "amount", "greater than or equal to 1"),
        ({"amount": "-5000"}, "amount", "greater than or equal to 1"),
        ({"amount": "12abc"}, "amount", "Enter a whole number."),
        ({"amount": "1" + "0" * 14}, "amount", "less than or equal to"),
        ({"amount": "1000", "redeem": "-1"}, "redeem", "greater than or equal to 0"),
        ({"amount": "1000", "redeem": "2000"}, "redeem", "cannot be more than the bill"),
    ],
)
def test_a_purchase_with_bad_input_shows_the_error_and_changes_nothing(
    till, member, card, data, field, message
):
    before = books()
    response = till.post(purchase_url(member), {"token": token(), **data})
    assert response.status_code == 200
    assert message in " ".join(response.context["purchase_form"].errors[field])
    assert books() == before


def test_a_purchase_without_a_token_is_refused(till, member, card):
    before = books()
    response = till.post(purchase_url(member), {"amount": "1000", "token": "forged"})
    assert "This form has expired" in response.content.decode()
    assert books() == before


def test_spending_more_credit_than_the_balance_is_refused(till, member, card, give_credit):
    give_credit(member, 60_000)
    before = books()
    response = till.post(
        purchase_url(member), {"amount": "200000", "redeem": "70000", "token": token()}
    )
    assert "does not have that much credit: the balance is 60,000 IRR" in errors(response)
    assert books() == before


def test_spending_credit_below_the_threshold_is_refused(till, member, card, give_credit):
    club = ClubSettings.load()
    club.min_redeemable_credit = 50_000
    club.save()
    give_credit(member, 30_000)
    before = books()
    response = till.post(
        purchase_url(member), {"amount": "200000", "redeem": "10000", "token": token()}
    )
    assert "once the balance reaches 50,000 IRR. It is 30,000 IRR now." in errors(response)
    assert books() == before


def test_a_purchase_above_the_limit_is_refused_and_logged(till, member, card):
    settings = GatewaySettings.load()
    settings.max_purchase_amount = 100_000
    settings.save()
    before = books()
    response = till.post(purchase_url(member), {"amount": "200000", "token": token()})
    assert "A limit of the tills refused this purchase" in response.content.decode()
    assert books() == before
    assert LimitHit.objects.count() == 1


def test_a_purchase_for_a_member_without_a_usable_card_is_refused(till, member, card):
    services.set_card_status(card=card, status=CardStatus.BLOCKED)
    before = books()
    response = till.post(purchase_url(member), {"amount": "1000", "token": token()})
    assert "The member has no usable card." in response.content.decode()
    assert books() == before


# --- reverse and return -------------------------------------------------------------------


def test_a_reader_purchase_is_reversed_by_its_receipt(till, cashier, member, purchase, branch):
    before = ledger.balances(member)
    assert before.credit > 0
    form_token = token()
    response = till.post(REVERSE, {"receipt": purchase.receipt.lower(), "token": form_token})
    reversal = Transaction.objects.get(kind=TxnKind.REVERSAL)
    assert response["Location"] == receipt_url(reversal)
    assert (reversal.original, reversal.terminal, reversal.txn_id) == (
        purchase,
        purchase.terminal,
        f"till-{form_token}",
    )
    assert (reversal.branch, reversal.cashier, reversal.amount) == (branch, cashier, -200_000)
    after = ledger.balances(member)
    assert (after.credit, after.points) == (0, 0)
    body = till.get(response["Location"]).content.decode()
    assert "Purchase reversed" in body
    assert purchase.receipt in body


def test_the_reverse_page_shows_the_purchase_of_a_receipt(till, purchase):
    response = till.get(REVERSE, {"receipt": purchase.receipt})
    assert response.context["purchase"] == purchase
    assert "200,000 IRR" in response.content.decode()


def test_a_double_submit_of_a_reversal_reverses_once(till, purchase):
    data = {"receipt": purchase.receipt, "token": token()}
    first = till.post(REVERSE, data)
    second = till.post(REVERSE, data)
    assert Transaction.objects.filter(kind=TxnKind.REVERSAL).count() == 1
    assert second["Location"] == f"{first['Location']}?replay=1"


def test_a_second_reversal_is_refused(till, purchase):
    till.post(REVERSE, {"receipt": purchase.receipt, "token": token()})
    before = books()
    response = till.post(REVERSE, {"receipt": purchase.receipt, "token": token()})
    assert "This purchase was already reversed." in errors(response)
    assert books() == before


@pytest.mark.parametrize(
    ("receipt", "message"),
    [
        ("", "This field is required."),
        ("R-0000000000000000", "No purchase has this receipt number."),
    ],
)
def test_a_reversal_with_a_bad_receipt_changes_nothing(till, purchase, receipt, message):
    before = books()
    response = till.post(REVERSE, {"receipt": receipt, "token": token()})
    assert response.status_code == 200
    assert message in errors(response)
    assert books() == before


def test_the_receipt_of_a_return_cannot_be_reversed(till, purchase, terminal):
    posted = services.return_purchase(
        txn_id="T17-r1", original_txn_id=purchase.txn_id, amount=1000, terminal=terminal
    )
    before = books()
    response = till.post(REVERSE, {"receipt": posted.txn.receipt, "token": token()})
    assert "not a purchase" in errors(response)
    assert books() == before


def test_a_till_purchase_is_returned_in_part(till, cashier, member, card, branch):
    till.post(purchase_url(member), {"amount": "200000", "token": token()})
    purchase = Transaction.objects.get()
    response = till.post(RETURN, {"receipt": purchase.receipt, "amount": "50000", "token": token()})
    returned = Transaction.objects.get(kind=TxnKind.RETURN)
    assert response["Location"] == receipt_url(returned)
    assert (returned.original, returned.amount, returned.terminal, returned.branch) == (
        purchase,
        -50_000,
        purchase.terminal,
        branch,
    )
    assert returned.cashback == -(purchase.cashback // 4)
    body = till.get(response["Location"]).content.decode()
    assert "Return posted" in body
    assert "50,000 IRR" in body


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("", "This field is required."),
        ("0", "greater than or equal to 1"),
        ("abc", "Enter a whole number."),
        ("250000", "at most 200,000 IRR can still be returned"),
    ],
)
def test_a_return_with_a_bad_amount_changes_nothing(till, purchase, amount, message):
    before = books()
    response = till.post(RETURN, {"receipt": purchase.receipt, "amount": amount, "token": token()})
    assert response.status_code == 200
    assert message in errors(response)
    assert books() == before


def test_a_return_after_a_reversal_is_refused(till, purchase):
    till.post(REVERSE, {"receipt": purchase.receipt, "token": token()})
    before = books()
    response = till.post(RETURN, {"receipt": purchase.receipt, "amount": "1000", "token": token()})
    assert "already reversed" in errors(response)
    assert books() == before


# --- cards --------------------------------------------------------------------------------


def test_a_lost_card_is_replaced_and_the_new_number_shown(till, cashier, member, card, branch):
    response = till.post(replace_url(member), {"card": card.pk, "reason": "lost"})
    card.refresh_from_db()
    new_card = Card.objects.get(member=member, status=CardStatus.ACTIVE)
    assert card.status == CardStatus.LOST
    assert (new_card.replaces, new_card.issued_at_branch) == (card, branch)
    assert new_card.events.get().actor == cashier
    card_url = reverse("cardgateway:cashier-card", args=[new_card.pk])
    assert response["Location"] == f"{card_url}?new=1"
    body = till.get(response["Location"]).content.decode()
    assert "New card issued" in body
    assert new_card.number[:4] in body and new_card.number[-4:] in body
    assert "".join(till.get(card_url).context["number_groups"]) == new_card.number


def test_a_damaged_card_is_replaced_as_replaced(till, member, card):
    till.post(replace_url(member), {"card": card.pk, "reason": "damaged"})
    card.refresh_from_db()
    assert card.status == CardStatus.REPLACED


def test_a_double_submit_of_a_replacement_replaces_once(till, member, card):
    first = till.post(replace_url(member), {"card": card.pk, "reason": "lost"})
    second = till.post(replace_url(member), {"card": card.pk, "reason": "lost"})
    assert Card.objects.filter(member=member).count() == 2
    new_card = Card.objects.get(member=member, status=CardStatus.ACTIVE)
    assert second["Location"] == reverse("cardgateway:cashier-card", args=[new_card.pk])
    assert first["Location"].startswith(second["Location"])


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"reason": "lost"}, "__all__"),
        ({"card": "x", "reason": "lost"}, "__all__"),
        ({"card": "999999", "reason": "lost"}, "__all__"),
        ({"card": "CARD", "reason": "stolen-by-aliens"}, "reason"),
        ({"card": "CARD"}, "reason"),
    ],
)
def test_a_replacement_with_bad_input_changes_nothing(till, member, card, data, field):
    data = {key: card.pk if value == "CARD" else value for key, value in data.items()}
    before = books()
    response = till.post(replace_url(member), data)
    assert response.status_code == 200
    assert field in response.context["replace_form"].errors
    assert books() == before


def test_another_members_card_cannot_be_replaced_from_this_page(till, make_user, member, card):
    other = make_user(roles.MEMBER)
    services.issue_card(member=other)
    before = books()
    response = till.post(replace_url(other), {"card": card.pk, "reason": "lost"})
    assert "does not belong to the member" in errors(response)
    assert books() == before


def test_a_blocked_card_cannot_be_replaced_at_the_till(till, member, card):
    services.set_card_status(card=card, status=CardStatus.BLOCKED)
    before = books()
    response = till.post(replace_url(member), {"card": card.pk, "reason": "lost"})
    assert "Only the club manager" in errors(response)
    assert books() == before


def test_a_member_without_a_card_is_issued_one(till, cashier, make_user, branch):
    online = make_user(roles.MEMBER)
    assert till.get(member_url(online)).context["can_issue"]
    response = till.post(issue_url(online))
    card = Card.objects.get(member=online)
    assert (card.status, card.issued_at_branch) == (CardStatus.ACTIVE, branch)
    assert response["Location"] == reverse("cardgateway:cashier-card", args=[card.pk]) + "?new=1"


def test_a_member_with_a_card_is_not_issued_another(till, member, card):
    services.set_card_status(card=card, status=CardStatus.BLOCKED)
    before = books()
    till.post(issue_url(member))
    assert books() == before


# --- register a member and issue a card ---------------------------------------------------


def test_a_new_member_is_registered_with_a_card_in_one_form(till, cashier, branch):
    response = till.post(REGISTER, register_data())
    member = User.objects.get(mobile="+989123456789")
    card = Card.objects.get(member=member)
    assert response["Location"] == reverse("cardgateway:cashier-card", args=[card.pk]) + "?new=1"
    assert member.email == "m989123456789@members.invalid"
    assert not member.has_usable_password()
    assert not member.mobile_verified
    profile = member.profile
    assert (profile.first_name, profile.last_name, profile.birth_date) == (
        "Sara",
        "Karimi",
        date(1991, 8, 3),
    )
    assert (profile.address, profile.city, profile.home_branch) == (
        "12 Vali-Asr Ave",
        "Tehran",
        branch,
    )
    assert profile.sms_consent and profile.sms_consent_at is not None
    assert not profile.email_consent
    assert (card.status, card.issued_at_branch, card.events.get().actor) == (
        CardStatus.ACTIVE,
        branch,
        cashier,
    )
    assert "Card issued" in till.get(response["Location"]).content.decode()


def test_registration_creates_nobody_when_the_card_cannot_be_issued(till, monkeypatch):
    def refuse(**kwargs):
        raise services.Refused("card_exists", "The member already has an active card.")

    monkeypatch.setattr(services, "issue_card", refuse)
    before = books()
    response = till.post(REGISTER, register_data())
    assert response.status_code == 200
    assert "already has an active card" in response.content.decode()
    assert books() == before


def test_a_persian_calendar_birth_date_is_understood(till):
    till.post(REGISTER, register_data(birth_date="۱۳۷۰/۰۵/۱۲"))
    assert User.objects.get(mobile="+989123456789").profile.birth_date == date(1991, 8, 3)


def test_a_new_member_may_give_an_email_address(till):
    till.post(REGISTER, register_data(email="Sara@Example.com", email_consent="on"))
    member = User.objects.get(mobile="+989123456789")
    assert member.email == "sara@example.com"
    assert member.profile.email_consent


def test_a_mobile_number_of_a_member_is_refused_with_a_link_to_them(till, make_user):
    existing = make_user(roles.MEMBER, mobile="+989123456789")
    before = books()
    response = till.post(REGISTER, register_data())
    assert "belongs to a member already" in errors(response)
    assert member_url(existing) in response.content.decode()
    assert books() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"last_name": ""}, "last_name", "This field is required."),
        ({"mobile": ""}, "mobile", "This field is required."),
        ({"mobile": "12345"}, "mobile", "Enter a valid mobile number"),
        ({"mobile": "02188776655"}, "mobile", "Enter a valid mobile number"),  # a landline
        ({"birth_date": "2090-01-01"}, "birth_date", "cannot be in the future"),
        ({"birth_date": "1403/01/01"}, "birth_date", "at least 13 years old"),
        ({"birth_date": "1850-01-01"}, "birth_date", "check the year of birth"),
        ({"birth_date": "1991-02-30"}, "birth_date", "Enter the date as year/month/day"),
        ({"birth_date": "3 August 1991"}, "birth_date", "Enter the date as year/month/day"),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"email_consent": "on"}, "email", "Give an e-mail address"),
        ({"first_name": "x" * 81}, "first_name", "at most 80 characters"),
    ],
)
def test_registration_with_bad_input_shows_the_error_and_creates_nobody(
    till, overrides, field, message
):
    before = books()
    response = till.post(REGISTER, register_data(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert books() == before


def test_an_email_address_of_another_member_is_refused(till, member):
    before = books()
    response = till.post(REGISTER, register_data(email="MEMBER@example.com"))
    assert "belongs to another member" in errors(response)
    assert books() == before


def test_the_service_refuses_a_taken_mobile_and_creates_nobody(member, branch):
    member.mobile = "+989123456789"
    member.save()
    before = books()
    with pytest.raises(services.Refused) as refused:
        services.register_member_with_card(
            first_name="A", last_name="B", mobile="+989123456789", branch=branch
        )
    assert refused.value.code == "mobile_taken"
    assert books() == before


def test_a_placeholder_address_left_by_a_former_holder_of_the_number_is_not_reused(branch):
    first = services.register_member_with_card(
        first_name="A", last_name="B", mobile="+989123456789", branch=branch
    ).member
    first.mobile = "+989121111111"
    first.save()
    second = services.register_member_with_card(
        first_name="C", last_name="D", mobile="+989123456789", branch=branch
    ).member
    assert second.email != first.email
    assert second.email.startswith("m989123456789.") and second.email.endswith("@members.invalid")


# --- languages ----------------------------------------------------------------------------


def test_the_member_page_reads_right_to_left_in_persian(till, member, card, give_credit):
    give_credit(member, 84_000)
    till.cookies["club_language"] = "fa"
    body = till.get(member_url(member)).content.decode()
    assert 'dir="rtl"' in body
    assert "۸۴٬۰۰۰" in body
