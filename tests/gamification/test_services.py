"""gamification.services: points-to-credit conversion and a club manager's adjustments."""

import pytest
from django.core.exceptions import PermissionDenied

from gamification import ledger, services
from gamification.models import (
    Account,
    ClubSettings,
    Currency,
    DailyTotal,
    EntryKind,
    LedgerEntry,
)
from portal.accounts import roles

pytestmark = pytest.mark.django_db

POINTS, CREDIT = Currency.POINTS, Currency.CREDIT


def give(member, currency, amount: int, key: str = "grant") -> None:
    ledger.post(
        member=member,
        currency=currency,
        amount=amount,
        kind=EntryKind.PURCHASE_POINTS if currency == POINTS else EntryKind.CASHBACK,
        idempotency_key=key,
    )


def ledger_state() -> tuple:
    return (
        list(Account.objects.order_by("pk").values_list("pk", "balance", "lifetime_earned")),
        list(LedgerEntry.objects.order_by("pk").values_list("pk", "amount")),
        list(DailyTotal.objects.order_by("pk").values_list("pk", "earned")),
    )


@pytest.fixture
def manager(make_user):
    return make_user(roles.CLUB_MANAGER, email="manager@example.com")


def adjust(member, staff_user, currency=POINTS, amount=100, reason="goodwill", key="adj"):
    return services.adjust_balance(
        member=member,
        currency=currency,
        amount=amount,
        reason=reason,
        staff_user=staff_user,
        idempotency_key=key,
    )


# --- convert_points -----------------------------------------------------------------------


def test_converting_points_moves_them_to_credit_at_the_club_rate(member):
    ClubSettings.objects.update_or_create(pk=1, defaults={"rials_per_point": 120})
    give(member, POINTS, 1_000)
    out, into = services.convert_points(member=member, points=600, idempotency_key="k")
    assert (out.kind, out.amount, out.account.currency) == (EntryKind.CONVERSION_OUT, -600, POINTS)
    assert (into.kind, into.amount, into.account.currency) == (
        EntryKind.CONVERSION_IN,
        72_000,
        CREDIT,
    )
    assert "120" in into.description
    assert ledger.balances(member) == ledger.Balances(points=400, credit=72_000)


def test_conversion_entries_are_keyed_from_the_callers_key(member):
    give(member, POINTS, 1_000)
    out, into = services.convert_points(member=member, points=500, idempotency_key="k")
    assert (out.idempotency_key, into.idempotency_key) == ("k:out", "k:in")
    assert into.corrects is None and into.subject is None


def test_a_replayed_conversion_returns_the_first_pair_and_changes_nothing(member):
    give(member, POINTS, 1_000)
    first = services.convert_points(member=member, points=600, idempotency_key="k")
    before = ledger_state()
    again = services.convert_points(member=member, points=600, idempotency_key="k")
    assert [e.pk for e in again] == [e.pk for e in first]
    assert ledger_state() == before


def test_a_replayed_conversion_keeps_the_first_rate(member):
    give(member, POINTS, 1_000)
    services.convert_points(member=member, points=500, idempotency_key="k")
    ClubSettings.objects.filter(pk=1).update(rials_per_point=1)
    _out, into = services.convert_points(member=member, points=500, idempotency_key="k")
    assert into.amount == 50_000


def test_the_same_conversion_key_for_other_points_is_a_conflict(member):
    give(member, POINTS, 2_000)
    services.convert_points(member=member, points=600, idempotency_key="k")
    before = ledger_state()
    with pytest.raises(ledger.IdempotencyConflict):
        services.convert_points(member=member, points=700, idempotency_key="k")
    assert ledger_state() == before


def test_the_same_conversion_key_for_another_member_is_a_conflict(member, make_user):
    other = make_user()
    give(member, POINTS, 1_000, key="g1")
    give(other, POINTS, 1_000, key="g2")
    services.convert_points(member=member, points=600, idempotency_key="k")
    with pytest.raises(ledger.IdempotencyConflict):
        services.convert_points(member=other, points=600, idempotency_key="k")
    assert ledger.balances(other) == ledger.Balances(points=1_000, credit=0)


def test_converting_fewer_than_the_minimum_is_refused_and_changes_nothing(member):
    give(member, POINTS, 1_000)
    before = ledger_state()
    with pytest.raises(services.ConversionRefused, match="At least 500 points"):
        services.convert_points(member=member, points=499, idempotency_key="k")
    assert ledger_state() == before


def test_converting_more_than_the_balance_is_refused_and_changes_nothing(member):
    give(member, POINTS, 700)
    before = ledger_state()
    with pytest.raises(ledger.InsufficientBalance, match="700 points"):
        services.convert_points(member=member, points=701, idempotency_key="k")
    assert ledger_state() == before


def test_converting_at_a_zero_rate_is_refused(member):
    ClubSettings.objects.update_or_create(pk=1, defaults={"rials_per_point": 0})
    give(member, POINTS, 1_000)
    with pytest.raises(services.ConversionRefused):
        services.convert_points(member=member, points=600, idempotency_key="k")
    assert ledger.balances(member).points == 1_000


@pytest.mark.parametrize("points", [0, -600, 600.0, True])
def test_converting_a_non_positive_or_non_integer_amount_is_refused(member, points):
    give(member, POINTS, 1_000)
    with pytest.raises(ValueError):
        services.convert_points(member=member, points=points, idempotency_key="k")
    assert ledger.balances(member).points == 1_000


def test_converting_leaves_the_earned_totals_alone(member):
    give(member, POINTS, 1_000)
    services.convert_points(member=member, points=600, idempotency_key="k")
    assert Account.objects.get(member=member, currency=POINTS).lifetime_earned == 1_000
    assert DailyTotal.objects.get(member=member).earned == 1_000


# --- adjust_balance -----------------------------------------------------------------------


def test_a_manager_adjustment_posts_one_entry_with_reason_and_actor(member, manager):
    entry = adjust(member, manager, CREDIT, 25_000, reason="  till error on 3 May  ")
    assert (entry.kind, entry.amount, entry.actor, entry.description) == (
        EntryKind.ADJUSTMENT,
        25_000,
        manager,
        "till error on 3 May",
    )
    assert ledger.balances(member).credit == 25_000


def test_a_manager_can_take_points_away(member, manager):
    give(member, POINTS, 300)
    adjust(member, manager, POINTS, -120)
    assert ledger.balances(member).points == 180


def test_a_points_adjustment_counts_as_earned(member, manager):
    adjust(member, manager, POINTS, 70)
    assert Account.objects.get(member=member, currency=POINTS).lifetime_earned == 70


@pytest.mark.parametrize("currency", [POINTS, CREDIT])
def test_an_adjustment_never_takes_a_balance_below_zero(member, manager, currency):
    give(member, currency, 50)
    before = ledger_state()
    with pytest.raises(ledger.InsufficientBalance, match="below zero"):
        adjust(member, manager, currency, -51)
    assert ledger_state() == before


def test_an_adjustment_cannot_take_more_from_a_negative_credit_balance(member, manager):
    ledger.post(
        member=member,
        currency=CREDIT,
        amount=-100,
        kind=EntryKind.PURCHASE_REVERSAL,
        idempotency_key="rev",
        allow_negative=True,
    )
    with pytest.raises(ledger.InsufficientBalance):
        adjust(member, manager, CREDIT, -1)
    adjust(member, manager, CREDIT, 100, key="adj2")
    assert ledger.balances(member).credit == 0


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 256])
def test_an_adjustment_needs_a_short_non_blank_reason(member, manager, reason):
    with pytest.raises(ValueError):
        adjust(member, manager, reason=reason)
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    "role", [roles.MEMBER, roles.MODERATOR, roles.SUPPORT_AGENT, roles.CASHIER]
)
def test_only_a_club_manager_may_adjust(member, make_user, role):
    with pytest.raises(PermissionDenied):
        adjust(member, make_user(role))
    assert not LedgerEntry.objects.exists()


def test_a_superuser_may_adjust(member, django_user_model):
    root = django_user_model.objects.create_superuser("root@example.com", "pw-root-123456")
    assert adjust(member, root).actor == root


def test_an_inactive_manager_may_not_adjust(member, manager):
    manager.is_active = False
    manager.save()
    with pytest.raises(PermissionDenied):
        adjust(member, manager)


@pytest.mark.parametrize(("currency", "amount"), [("rials", 10), (POINTS, 0), (POINTS, 1.5)])
def test_an_adjustment_refuses_unknown_currency_and_bad_amounts(member, manager, currency, amount):
    with pytest.raises(ValueError):
        adjust(member, manager, currency, amount)
    assert not LedgerEntry.objects.exists()


def test_a_replayed_adjustment_posts_once(member, manager):
    first = adjust(member, manager, CREDIT, 5_000)
    assert adjust(member, manager, CREDIT, 5_000).pk == first.pk
    assert ledger.balances(member).credit == 5_000


def test_the_same_adjustment_key_with_another_amount_is_a_conflict(member, manager):
    adjust(member, manager, CREDIT, 5_000)
    with pytest.raises(ledger.IdempotencyConflict):
        adjust(member, manager, CREDIT, 6_000)
    assert ledger.balances(member).credit == 5_000
