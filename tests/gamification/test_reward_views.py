import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gamification import ledger, rewards
from gamification.models import EntryKind, LedgerEntry, Reward, Voucher
from portal.accounts import roles
from tests.gamification.conftest import give_points

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("gamification:rewards")
VOUCHER_CHECK = reverse("gamification:voucher-check")


def make_reward(**fields) -> Reward:
    fields.setdefault("name", "Free coffee")
    fields.setdefault("points_cost", 100)
    fields.setdefault("stock", 5)
    fields.setdefault("valid_from", timezone.now() - timedelta(days=1))
    return Reward.objects.create(**fields)


def redeem_url(reward) -> str:
    return reverse("gamification:reward-redeem", args=[reward.pk])


def form_key(body: str, reward) -> str:
    """The hidden idempotency key the catalogue rendered into the reward's form."""
    form = re.search(
        rf'action="{re.escape(redeem_url(reward))}".*?</form>', body, flags=re.DOTALL
    ).group(0)
    return re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def state(member, reward) -> tuple:
    reward.refresh_from_db()
    return (ledger.balances(member).points, reward.stock, Voucher.objects.count())


@pytest.fixture
def rich_member(member):
    give_points(member, 1_000)
    return member


@pytest.fixture
def rich_client(client, rich_member):
    client.force_login(rich_member)
    return client


# --- Catalogue ---------------------------------------------------------------------------


def test_catalogue_sends_anonymous_visitors_to_log_in(client):
    response = client.get(CATALOGUE)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_catalogue_shows_rewards_cost_stock_balance_and_vouchers(rich_client, rich_member):
    coffee = make_reward(name="Free coffee", points_cost=1_250, stock=7)
    make_reward(name="Hidden", is_active=False)
    make_reward(name="Later", valid_from=timezone.now() + timedelta(days=3))
    give_points(rich_member, 500)
    voucher = rewards.redeem_reward(member=rich_member, reward=coffee, idempotency_key="k")

    body = rich_client.get(CATALOGUE).content.decode()

    assert "Free coffee" in body
    assert "1,250 points" in body
    assert "<dd>6</dd>" in body  # stock left after one redemption
    assert "You have 250 points to spend." in body
    assert voucher.code in body
    assert "Valid until" in body
    assert "Hidden" not in body and "Later" not in body


def test_catalogue_shows_used_and_expired_vouchers_as_such(rich_client, rich_member, make_user):
    reward = make_reward(
        per_member_limit=3, voucher_days=1, valid_from=timezone.now() - timedelta(days=5)
    )
    used = rewards.redeem_reward(member=rich_member, reward=reward, idempotency_key="a")
    rewards.consume_voucher(code=used.code, staff_user=make_user(roles.CASHIER))
    rewards.redeem_reward(
        member=rich_member,
        reward=reward,
        idempotency_key="b",
        at=timezone.now() - timedelta(days=2),
    )
    body = rich_client.get(CATALOGUE).content.decode()
    assert "Used on" in body
    assert "Expired on" in body


def test_each_reward_form_carries_its_own_fresh_idempotency_key(rich_client):
    first, second = make_reward(), make_reward(name="Cinema")
    body = rich_client.get(CATALOGUE).content.decode()
    again = rich_client.get(CATALOGUE).content.decode()
    keys = {form_key(body, first), form_key(body, second), form_key(again, first)}
    assert len(keys) == 3
    assert all(uuid.UUID(key) for key in keys)


def test_catalogue_disables_what_the_member_cannot_redeem(client, member):
    make_reward(name="Gone", stock=0)
    make_reward(name="Dear", points_cost=10_000)
    client.force_login(member)
    body = client.get(CATALOGUE).content.decode()
    assert "Out of stock." in body
    assert "You do not have enough points yet." in body
    assert body.count(" disabled>") == 2


def fill(member, count: int) -> None:
    """`count` rewards, and one voucher of each for the member."""
    give_points(member, 100 * count)
    for i in range(count):
        reward = make_reward(name=f"Reward {i}", points_cost=100)
        rewards.redeem_reward(member=member, reward=reward, idempotency_key=str(uuid.uuid4()))


def test_catalogue_query_count_does_not_grow_with_rewards_or_vouchers(
    client, make_user, django_assert_num_queries
):
    one, twenty = make_user(), make_user()
    fill(one, 1)
    client.force_login(one)
    client.get(CATALOGUE)  # warm caches (content types, sessions) before measuring
    with CaptureQueriesContext(connection) as with_one:
        assert client.get(CATALOGUE).status_code == 200
    queries_with_one = len(with_one)  # read now: the next request resets the query log

    fill(twenty, 20)
    client.force_login(twenty)
    client.get(CATALOGUE)
    with django_assert_num_queries(queries_with_one):
        response = client.get(CATALOGUE)
    assert response.content.decode().count('name="idempotency_key"') == 21


# --- Redeem ------------------------------------------------------------------------------


def test_redeem_issues_a_voucher_and_shows_its_code(rich_client, rich_member):
    reward = make_reward(points_cost=300)
    key = form_key(rich_client.get(CATALOGUE).content.decode(), reward)
    response = rich_client.post(redeem_url(reward), {"idempotency_key": key})
    assert response.status_code == 302
    assert response["Location"] == CATALOGUE
    voucher = Voucher.objects.get()
    assert voucher.member == rich_member
    assert any(voucher.code in message for message in flash(response))
    assert ledger.balances(rich_member).points == 700


def test_submitting_the_same_form_twice_redeems_once(rich_client, rich_member):
    reward = make_reward(points_cost=300, per_member_limit=5)
    key = str(uuid.uuid4())
    first = rich_client.post(redeem_url(reward), {"idempotency_key": key})
    second = rich_client.post(redeem_url(reward), {"idempotency_key": key})
    voucher = Voucher.objects.get()
    assert any(voucher.code in m for m in flash(first))
    assert any(voucher.code in m for m in flash(second))
    assert ledger.balances(rich_member).points == 700


def test_a_refused_redeem_shows_why_and_changes_nothing(rich_client, rich_member):
    reward = make_reward(stock=0)
    before = state(rich_member, reward)
    response = rich_client.post(redeem_url(reward), {"idempotency_key": str(uuid.uuid4())})
    assert response.status_code == 302
    assert response["Location"] == CATALOGUE
    assert flash(response) == [str(rewards.OutOfStock())]
    assert state(rich_member, reward) == before


def test_a_refused_redeem_for_too_few_points_changes_nothing(client, member):
    give_points(member, 99)
    reward = make_reward(points_cost=100)
    client.force_login(member)
    before = state(member, reward)
    response = client.post(redeem_url(reward), {"idempotency_key": str(uuid.uuid4())})
    assert flash(response) == [str(rewards.InsufficientPoints())]
    assert state(member, reward) == before


@pytest.mark.parametrize("data", [{}, {"idempotency_key": "not-a-uuid"}])
def test_redeem_without_a_valid_form_key_changes_nothing(rich_client, rich_member, data):
    reward = make_reward()
    before = state(rich_member, reward)
    response = rich_client.post(redeem_url(reward), data)
    assert response.status_code == 302
    assert flash(response) == ["This form has expired. Please try again."]
    assert state(rich_member, reward) == before


def test_redeem_of_an_unknown_reward_is_404(rich_client):
    response = rich_client.post(
        reverse("gamification:reward-redeem", args=[999_999]),
        {"idempotency_key": str(uuid.uuid4())},
    )
    assert response.status_code == 404


def test_redeem_is_post_only(rich_client, rich_member):
    reward = make_reward()
    before = state(rich_member, reward)
    assert rich_client.get(redeem_url(reward)).status_code == 405
    assert state(rich_member, reward) == before


def test_redeem_sends_anonymous_visitors_to_log_in_and_changes_nothing(client):
    reward = make_reward()
    response = client.post(redeem_url(reward), {"idempotency_key": str(uuid.uuid4())})
    assert response.status_code == 302
    assert "login" in response["Location"]
    reward.refresh_from_db()
    assert (reward.stock, Voucher.objects.count()) == (5, 0)


def test_redeem_without_a_csrf_token_is_refused_and_changes_nothing(rich_member):
    reward = make_reward()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(rich_member)
    before = state(rich_member, reward)
    response = browser.post(redeem_url(reward), {"idempotency_key": str(uuid.uuid4())})
    assert response.status_code == 403
    assert state(rich_member, reward) == before


def test_redeem_with_the_pages_csrf_token_works(rich_member):
    reward = make_reward()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(rich_member)
    body = browser.get(CATALOGUE).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    response = browser.post(
        redeem_url(reward),
        {"idempotency_key": form_key(body, reward), "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert Voucher.objects.count() == 1


# --- Staff: voucher check ----------------------------------------------------------------


@pytest.fixture
def voucher(rich_member):
    return rewards.redeem_reward(
        member=rich_member, reward=make_reward(name="Cinema ticket"), idempotency_key="v"
    )


@pytest.fixture
def till(client, make_user):
    client.force_login(make_user(roles.CASHIER, first_name="Tara", last_name="Till"))
    return client


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (roles.CASHIER, 200),
        (roles.CLUB_MANAGER, 200),
        (roles.MEMBER, 403),
        (roles.MODERATOR, 403),
        (roles.SUPPORT_AGENT, 403),
    ],
)
def test_voucher_check_is_open_to_till_and_club_staff_only(client, make_user, role, status):
    client.force_login(make_user(role))
    assert client.get(VOUCHER_CHECK).status_code == status


@pytest.mark.parametrize("role", [roles.MEMBER, roles.MODERATOR, roles.SUPPORT_AGENT])
def test_other_roles_cannot_use_a_voucher_by_posting(client, make_user, voucher, role):
    client.force_login(make_user(role))
    response = client.post(VOUCHER_CHECK, {"code": voucher.code, "action": "use"})
    assert response.status_code == 403
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.ISSUED


def test_voucher_check_sends_anonymous_visitors_to_log_in(client, voucher):
    response = client.post(VOUCHER_CHECK, {"code": voucher.code, "action": "use"})
    assert response.status_code == 302
    assert "login" in response["Location"]
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.ISSUED


def test_the_code_field_is_focused_and_both_buttons_are_there(till):
    body = till.get(VOUCHER_CHECK).content.decode()
    assert re.search(r'<input[^>]*name="code"[^>]*autofocus', body)
    assert 'value="check"' in body and 'value="use"' in body


def test_check_shows_the_voucher_and_does_not_use_it(till, voucher, rich_member):
    response = till.post(VOUCHER_CHECK, {"code": voucher.code.lower(), "action": "check"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Valid voucher." in body
    assert "Cinema ticket" in body
    assert rich_member.get_full_name() in body
    assert voucher.code in body
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.ISSUED


def test_use_it_consumes_the_voucher_once(till, voucher):
    response = till.post(VOUCHER_CHECK, {"code": voucher.code, "action": "use"})
    assert "Voucher used. Hand over the reward." in response.content.decode()
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.CONSUMED
    assert voucher.consumed_by.get_full_name() == "Tara Till"
    used_at = voucher.consumed_at

    again = till.post(VOUCHER_CHECK, {"code": voucher.code, "action": "use"})
    body = again.content.decode()
    assert str(rewards.VoucherUsed()) in body
    assert "Tara Till" in body  # who used it, for the customer's question
    voucher.refresh_from_db()
    assert voucher.consumed_at == used_at


def test_use_it_with_persian_digits_and_no_dash_works(till, voucher):
    typed = voucher.code.replace("-", "").translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    till.post(VOUCHER_CHECK, {"code": typed, "action": "use"})
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.CONSUMED


def test_an_unknown_code_is_refused_clearly(till, voucher):
    body = till.post(VOUCHER_CHECK, {"code": "AAAAA-AAAAA", "action": "use"}).content.decode()
    assert str(rewards.UnknownVoucher()) in body
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.ISSUED


def test_an_expired_voucher_is_refused_clearly(till, voucher, make_user):
    with time_machine.travel(voucher.expires_at + timedelta(minutes=1)):
        till.force_login(make_user(roles.CASHIER))  # the first session has expired by now
        body = till.post(VOUCHER_CHECK, {"code": voucher.code, "action": "use"}).content.decode()
    assert str(rewards.VoucherExpired()) in body
    assert "Cinema ticket" in body
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.ISSUED


def test_an_empty_code_shows_a_form_error(till):
    response = till.post(VOUCHER_CHECK, {"code": "", "action": "check"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_voucher_check_enforces_csrf(make_user, voucher):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user(roles.CASHIER))
    response = browser.post(VOUCHER_CHECK, {"code": voucher.code, "action": "use"})
    assert response.status_code == 403
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.ISSUED


def test_redeeming_and_using_leave_the_books_balanced(till, voucher):
    till.post(VOUCHER_CHECK, {"code": voucher.code, "action": "use"})
    assert ledger.audit() == []
    assert LedgerEntry.objects.filter(kind=EntryKind.REWARD).count() == 1
