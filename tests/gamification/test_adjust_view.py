"""Staff tools of the ledger: the club manager's adjustment screen, the read-only ledger in
Django admin, and the club's settings, rules and catalogue as Wagtail snippets."""

import uuid

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from gamification import ledger
from gamification.models import (
    Account,
    ClubSettings,
    Currency,
    EarningRule,
    EntryKind,
    LedgerEntry,
)
from portal.accounts import roles

pytestmark = pytest.mark.django_db

URL = "/club/staff/adjust/"
REFUSED_ROLES = [roles.MEMBER, roles.MODERATOR, roles.SUPPORT_AGENT, roles.CASHIER]


@pytest.fixture
def manager(make_user):
    return make_user(roles.CLUB_MANAGER, email="manager@example.com")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def ledger_state() -> tuple:
    return (
        list(Account.objects.order_by("pk").values_list("pk", "balance")),
        list(LedgerEntry.objects.order_by("pk").values_list("pk", "amount")),
    )


def form_data(**overrides) -> dict:
    data = {
        "member": "member@example.com",
        "currency": Currency.CREDIT,
        "amount": "15000",
        "reason": "Refund of a faulty item",
        "key": uuid.uuid4().hex,
    }
    data.update(overrides)
    return data


def test_the_adjust_url_is_named():
    assert reverse("gamification:adjust") == URL


# --- who may open it ----------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_anonymous_post_changes_nothing(client, member):
    response = client.post(URL, form_data())
    assert response.status_code == 302
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_other_roles_are_refused(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_a_refused_post_changes_nothing(client, make_user, member, role):
    client.force_login(make_user(role))
    assert client.post(URL, form_data()).status_code == 403
    assert not LedgerEntry.objects.exists()


def test_a_club_manager_sees_the_form_with_a_fresh_key(manager_client):
    first = manager_client.get(URL)
    second = manager_client.get(URL)
    assert first.status_code == 200
    assert "gamification/adjust.html" in [t.name for t in first.templates]
    keys = {r.context["form"]["key"].value() for r in (first, second)}
    assert len(keys) == 2
    assert all(uuid.UUID(key) for key in keys)


def test_a_post_without_the_csrf_token_is_refused(manager, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    assert client.post(URL, form_data()).status_code == 403
    assert not LedgerEntry.objects.exists()


# --- what it does -------------------------------------------------------------------------


def test_an_adjustment_by_email_posts_and_shows_the_new_balance(manager_client, manager, member):
    response = manager_client.post(URL, form_data(member="Member@Example.com "))
    assert response.status_code == 302
    assert response["Location"] == URL
    entry = LedgerEntry.objects.get()
    assert (entry.account.member, entry.amount, entry.kind, entry.actor, entry.description) == (
        member,
        15_000,
        EntryKind.ADJUSTMENT,
        manager,
        "Refund of a faulty item",
    )
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "member@example.com" in message and "New balance: 15,000 IRR" in message


def test_an_adjustment_finds_the_member_by_mobile(manager_client, make_user):
    target = make_user(email="m2@example.com", mobile="+989121234567")
    response = manager_client.post(
        URL, form_data(member="0912 123 4567", currency=Currency.POINTS, amount="40")
    )
    assert response.status_code == 302
    assert ledger.balances(target).points == 40


def test_a_double_submit_posts_once(manager_client, member):
    data = form_data()
    manager_client.post(URL, data)
    manager_client.post(URL, data)
    assert LedgerEntry.objects.count() == 1
    assert ledger.balances(member).credit == 15_000


def test_a_negative_amount_takes_away(manager_client, member):
    ledger.post(
        member=member,
        currency=Currency.POINTS,
        amount=100,
        kind=EntryKind.PURCHASE_POINTS,
        idempotency_key="p",
    )
    manager_client.post(URL, form_data(currency=Currency.POINTS, amount="-30"))
    assert ledger.balances(member).points == 70


# --- refusals: the form again, with the reason, and nothing changed -----------------------


def assert_refused(response, field: str | None, text: str) -> None:
    assert response.status_code == 200
    form = response.context["form"]
    errors = form.errors.get(field or "__all__", [])
    assert any(text in error for error in errors), form.errors
    assert text in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"member": "nobody@example.com"}, "member", "No member has this e-mail or mobile."),
        ({"member": "09999"}, "member", "No member has this e-mail or mobile."),
        ({"amount": "0"}, "amount", "Enter an amount other than zero."),
        ({"amount": "ten"}, "amount", "Enter a whole number."),
        ({"amount": "2.5"}, "amount", "Enter a whole number."),
        ({"amount": str(10**13)}, "amount", "less than or equal to"),
        ({"reason": ""}, "reason", "This field is required."),
        ({"reason": "    "}, "reason", "This field is required."),
        ({"currency": "rials"}, "currency", "Select a valid choice."),
        ({"key": "not-a-key"}, None, "This form has expired."),
        ({"key": ""}, None, "This form has expired."),
        ({"key": "f" * 65}, None, "This form has expired."),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(manager_client, member, overrides, field, text):
    before = ledger_state()
    response = manager_client.post(URL, form_data(**overrides))
    assert_refused(response, field, text)
    assert ledger_state() == before


def test_an_overdraw_is_refused_and_changes_nothing(manager_client, member):
    ledger.post(
        member=member,
        currency=Currency.CREDIT,
        amount=1_000,
        kind=EntryKind.CASHBACK,
        idempotency_key="c",
    )
    before = ledger_state()
    response = manager_client.post(URL, form_data(amount="-1001"))
    assert_refused(response, "amount", "below zero (balance: 1000)")
    assert ledger_state() == before


def test_an_expired_key_is_replaced_by_a_fresh_one(manager_client, member):
    response = manager_client.post(URL, form_data(key="forged"))
    assert uuid.UUID(response.context["form"]["key"].value())


def test_a_refused_form_keeps_its_key_so_the_corrected_submit_posts_once(manager_client, member):
    data = form_data(amount="0")
    response = manager_client.post(URL, data)
    assert response.context["form"]["key"].value() == data["key"]
    manager_client.post(URL, {**data, "amount": "5"})
    manager_client.post(URL, {**data, "amount": "5"})
    assert ledger.balances(member).credit == 5


def test_a_reused_key_with_other_values_is_refused_and_renewed(manager_client, member):
    data = form_data()
    manager_client.post(URL, data)
    before = ledger_state()
    response = manager_client.post(URL, {**data, "amount": "20000"})
    assert_refused(response, None, "already sent with other values")
    assert response.context["form"]["key"].value() != data["key"]
    assert ledger_state() == before


def test_an_empty_post_shows_the_form_and_changes_nothing(manager_client, member):
    response = manager_client.post(URL, {})
    assert response.status_code == 200
    assert not LedgerEntry.objects.exists()


# --- Django admin: the ledger is read-only, even for superusers ---------------------------


@pytest.fixture
def root_client(client, django_user_model):
    root = django_user_model.objects.create_superuser("root@example.com", "pw-root-123456")
    client.force_login(root)
    return client


@pytest.fixture
def entry(member):
    return ledger.post(
        member=member,
        currency=Currency.CREDIT,
        amount=2_500,
        kind=EntryKind.CASHBACK,
        idempotency_key="till:T1:42",
    )


def test_admin_lists_and_searches_ledger_entries(root_client, entry):
    by_key = root_client.get(reverse("admin:gamification_ledgerentry_changelist"), {"q": "T1:42"})
    by_email = root_client.get(
        reverse("admin:gamification_ledgerentry_changelist"), {"q": "member@example.com"}
    )
    nothing = root_client.get(
        reverse("admin:gamification_ledgerentry_changelist"), {"q": "nobody@example.com"}
    )
    assert list(by_key.context["cl"].result_list) == [entry]
    assert list(by_email.context["cl"].result_list) == [entry]
    assert list(nothing.context["cl"].result_list) == []


def test_admin_filters_ledger_entries_by_kind_and_currency(root_client, entry):
    url = reverse("admin:gamification_ledgerentry_changelist")
    assert (
        root_client.get(url, {"kind": "cashback", "account__currency": "credit"})
        .context["cl"]
        .result_count
        == 1
    )
    assert root_client.get(url, {"kind": "redeem"}).context["cl"].result_count == 0


@pytest.mark.parametrize("model", ["ledgerentry", "account"])
def test_admin_cannot_add_ledger_rows(root_client, model):
    assert root_client.get(reverse(f"admin:gamification_{model}_add")).status_code == 403


def test_admin_shows_an_entry_without_a_way_to_change_it(root_client, entry):
    url = reverse("admin:gamification_ledgerentry_change", args=[entry.pk])
    response = root_client.get(url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert root_client.post(url, {"amount": "999999"}).status_code == 403
    entry.refresh_from_db()
    assert entry.amount == 2_500


def test_admin_cannot_delete_an_entry_or_an_account(root_client, entry):
    for model, pk in [("ledgerentry", entry.pk), ("account", entry.account_id)]:
        url = reverse(f"admin:gamification_{model}_delete", args=[pk])
        assert root_client.post(url, {"post": "yes"}).status_code == 403
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_admin_offers_no_bulk_delete_of_entries(root_client, entry):
    response = root_client.get(reverse("admin:gamification_ledgerentry_changelist"))
    assert "delete_selected" not in response.content.decode()


def test_admin_cannot_change_a_balance(root_client, entry):
    url = reverse("admin:gamification_account_change", args=[entry.account_id])
    assert root_client.post(url, {"balance": "10000000"}).status_code == 403
    assert ledger.balances(entry.account.member).credit == 2_500


# --- Wagtail: the club manager edits the club's numbers, rules and catalogue --------------

SNIPPET_MODELS = ["clubsettings", "earningrule", "tier", "badge", "challenge", "reward"]


def snippet_url(model: str, view: str, *args) -> str:
    return reverse(f"wagtailsnippets_gamification_{model}:{view}", args=args)


@pytest.mark.parametrize("model", SNIPPET_MODELS)
def test_a_club_manager_opens_every_club_snippet_listing(manager_client, model):
    assert manager_client.get(snippet_url(model, "list")).status_code == 200


@pytest.mark.parametrize("model", SNIPPET_MODELS)
@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_other_roles_cannot_open_club_snippets(client, make_user, model, role):
    client.force_login(make_user(role))
    response = client.get(snippet_url(model, "list"))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "login" in response["Location"] or response["Location"] == reverse(
            "wagtailadmin_home"
        )


def test_the_club_menu_groups_the_snippets(manager_client):
    body = manager_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Club" in body
    assert snippet_url("earningrule", "list") in body


def test_a_club_manager_changes_an_earning_rule(manager_client):
    rule = EarningRule.objects.get(action="topic_posted")
    response = manager_client.post(
        snippet_url("earningrule", "edit", rule.pk),
        {
            "action": "topic_posted",
            "points": "15",
            "daily_cap": "60",
            "min_account_age_days": "0",
            "revoke_on_removal": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.points, rule.daily_cap) == (15, 60)


def test_a_club_manager_cannot_delete_an_earning_rule(manager_client):
    rule = EarningRule.objects.get(action="topic_posted")
    manager_client.post(snippet_url("earningrule", "delete", rule.pk))
    assert EarningRule.objects.filter(pk=rule.pk).exists()


def test_club_settings_listing_shows_the_single_row(manager_client):
    ClubSettings.objects.all().delete()
    response = manager_client.get(snippet_url("clubsettings", "list"))
    assert response.status_code == 200
    assert list(ClubSettings.objects.values_list("pk", flat=True)) == [1]


def test_club_settings_are_edited_never_added_or_deleted(root_client):
    ClubSettings.load()
    assert root_client.get(snippet_url("clubsettings", "add")).status_code in (302, 403)
    root_client.post(snippet_url("clubsettings", "delete", 1))
    assert ClubSettings.objects.filter(pk=1).exists()


def test_a_club_manager_changes_the_conversion_rate(manager_client):
    ClubSettings.load()
    response = manager_client.post(
        snippet_url("clubsettings", "edit", 1),
        {
            "rials_per_point": "150",
            "min_points_to_convert": "400",
            "min_redeemable_credit": "50000",
            "tier_window_days": "365",
            "referral_share_days": "365",
        },
    )
    assert response.status_code == 302
    assert ClubSettings.load().rials_per_point == 150
