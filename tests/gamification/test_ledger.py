"""The ledger: append-only entries, balances moved under a lock, idempotent keys, and the
audit (ledger.audit() and `manage.py audit_ledger`)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cardgateway.models import Branch
from gamification import activity, ledger, services
from gamification.models import Account, Action, Currency, DailyTotal, EntryKind, LedgerEntry
from portal.accounts import roles

pytestmark = pytest.mark.django_db

POINTS, CREDIT = Currency.POINTS, Currency.CREDIT


def post(member, currency, amount, kind, key, **kwargs) -> LedgerEntry:
    return ledger.post(
        member=member, currency=currency, amount=amount, kind=kind, idempotency_key=key, **kwargs
    )


def account(member, currency) -> Account:
    return Account.objects.get(member=member, currency=currency)


def daily_total(member) -> int:
    row = DailyTotal.objects.filter(member=member, day=timezone.localdate()).first()
    return row.earned if row else 0


def ledger_state() -> tuple:
    return (
        list(Account.objects.order_by("pk").values_list("pk", "balance", "lifetime_earned")),
        list(LedgerEntry.objects.order_by("pk").values_list("pk", "amount", "balance_after")),
        list(DailyTotal.objects.order_by("pk").values_list("pk", "earned")),
    )


# --- post ---------------------------------------------------------------------------------


def test_post_moves_the_balance_and_records_the_balance_after(member):
    first = post(member, CREDIT, 10_000, EntryKind.CASHBACK, "c1")
    second = post(member, CREDIT, -4_000, EntryKind.REDEEM, "r1")
    assert (first.balance_after, second.balance_after) == (10_000, 6_000)
    assert ledger.balances(member) == ledger.Balances(points=0, credit=6_000)


def test_a_replayed_key_returns_the_first_entry_and_changes_nothing(member):
    first = post(member, POINTS, 40, EntryKind.PURCHASE_POINTS, "p1")
    before = ledger_state()
    again = post(member, POINTS, 40, EntryKind.PURCHASE_POINTS, "p1")
    assert again.pk == first.pk
    assert ledger_state() == before


def test_a_replayed_spend_returns_the_first_entry_even_when_the_balance_is_gone(member):
    post(member, CREDIT, 5_000, EntryKind.CASHBACK, "c1")
    spend = post(member, CREDIT, -5_000, EntryKind.REDEEM, "r1")
    assert post(member, CREDIT, -5_000, EntryKind.REDEEM, "r1").pk == spend.pk
    assert ledger.balances(member).credit == 0


@pytest.mark.parametrize(
    ("currency", "amount", "kind"),
    [
        (POINTS, 41, EntryKind.PURCHASE_POINTS),  # another amount
        (POINTS, 40, EntryKind.ADJUSTMENT),  # another kind
        (CREDIT, 40, EntryKind.PURCHASE_POINTS),  # another account
    ],
)
def test_the_same_key_for_another_posting_is_a_conflict(member, currency, amount, kind):
    post(member, POINTS, 40, EntryKind.PURCHASE_POINTS, "p1")
    before = ledger_state()
    with pytest.raises(ledger.IdempotencyConflict):
        post(member, currency, amount, kind, "p1")
    assert ledger_state() == before


def test_the_same_key_for_another_member_is_a_conflict(member, make_user):
    post(member, POINTS, 40, EntryKind.PURCHASE_POINTS, "p1")
    with pytest.raises(ledger.IdempotencyConflict):
        post(make_user(), POINTS, 40, EntryKind.PURCHASE_POINTS, "p1")


@pytest.mark.parametrize("amount", [0, 1.5, True, "10"])
def test_post_refuses_an_amount_that_is_not_a_nonzero_integer(member, amount):
    with pytest.raises(ValueError):
        post(member, POINTS, amount, EntryKind.ADJUSTMENT, "x")
    assert not LedgerEntry.objects.exists()


def test_points_never_go_below_zero(member):
    post(member, POINTS, 30, EntryKind.PURCHASE_POINTS, "p1")
    with pytest.raises(ledger.InsufficientBalance):
        post(member, POINTS, -31, EntryKind.REWARD, "spend")
    with pytest.raises(ledger.InsufficientBalance):
        post(member, POINTS, -31, EntryKind.PURCHASE_REVERSAL, "rev", allow_negative=True)
    assert ledger.balances(member).points == 30
    assert LedgerEntry.objects.count() == 1


def test_credit_goes_below_zero_only_with_allow_negative(member):
    post(member, CREDIT, 1_000, EntryKind.CASHBACK, "c1")
    with pytest.raises(ledger.InsufficientBalance):
        post(member, CREDIT, -1_500, EntryKind.REDEEM, "r1")
    reversal = post(member, CREDIT, -1_500, EntryKind.PURCHASE_REVERSAL, "v1", allow_negative=True)
    assert reversal.balance_after == -500


def test_a_negative_credit_balance_cannot_be_spent_further(member):
    post(member, CREDIT, -200, EntryKind.PURCHASE_REVERSAL, "v1", allow_negative=True)
    post(member, CREDIT, 150, EntryKind.CASHBACK, "c1")
    with pytest.raises(ledger.InsufficientBalance):
        post(member, CREDIT, -1, EntryKind.REDEEM, "r1")
    assert ledger.balances(member).credit == -50


def test_an_entry_cannot_be_updated(member):
    entry = post(member, POINTS, 10, EntryKind.PURCHASE_POINTS, "p1")
    entry.amount = 1_000
    with pytest.raises(ValueError):
        entry.save()
    entry.refresh_from_db()
    assert entry.amount == 10


def test_an_entry_cannot_be_deleted(member):
    entry = post(member, POINTS, 10, EntryKind.PURCHASE_POINTS, "p1")
    with pytest.raises(ValueError):
        entry.delete()
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_post_keeps_who_what_and_where(member, make_user):
    cashier = make_user(roles.CASHIER)
    branch = Branch.objects.create(code="b1", name="B1", city="Tehran")
    entry = post(
        member,
        CREDIT,
        700,
        EntryKind.CASHBACK,
        "c1",
        subject=branch,
        actor=cashier,
        actor_label="terminal:T1",
        branch=branch,
        description="x" * 300,
    )
    entry.refresh_from_db()
    assert (entry.subject, entry.actor, entry.actor_label, entry.branch) == (
        branch,
        cashier,
        "terminal:T1",
        branch,
    )
    assert len(entry.description) == 255


# --- reverse ------------------------------------------------------------------------------


def test_reverse_takes_back_the_whole_entry_and_points_at_it(member):
    cashback = post(member, CREDIT, 3_000, EntryKind.CASHBACK, "c1")
    reversal = ledger.reverse(
        entry=cashback, idempotency_key="v1", kind=EntryKind.PURCHASE_REVERSAL
    )
    assert (reversal.amount, reversal.corrects, reversal.balance_after) == (-3_000, cashback, 0)


def test_reverse_takes_back_part_of_the_entry(member):
    cashback = post(member, CREDIT, 3_000, EntryKind.CASHBACK, "c1")
    ledger.reverse(entry=cashback, amount=1_000, idempotency_key="v1", kind="purchase_reversal")
    assert ledger.balances(member).credit == 2_000


@pytest.mark.parametrize("amount", [3_001, -1_000, 0])
def test_reverse_never_takes_more_than_the_original_or_the_wrong_way(member, amount):
    cashback = post(member, CREDIT, 3_000, EntryKind.CASHBACK, "c1")
    with pytest.raises(ValueError):
        ledger.reverse(
            entry=cashback, amount=amount, idempotency_key="v1", kind="purchase_reversal"
        )
    assert ledger.balances(member).credit == 3_000


def test_partial_reversals_together_never_take_more_than_the_original(member):
    cashback = post(member, CREDIT, 3_000, EntryKind.CASHBACK, "c1")
    ledger.reverse(entry=cashback, amount=2_000, idempotency_key="v1", kind="purchase_reversal")
    with pytest.raises(ValueError):
        ledger.reverse(entry=cashback, amount=1_001, idempotency_key="v2", kind="purchase_reversal")
    ledger.reverse(entry=cashback, amount=1_000, idempotency_key="v3", kind="purchase_reversal")
    assert ledger.balances(member).credit == 0


def test_a_replayed_reversal_returns_the_first_one(member):
    cashback = post(member, CREDIT, 3_000, EntryKind.CASHBACK, "c1")
    first = ledger.reverse(entry=cashback, idempotency_key="v1", kind="purchase_reversal")
    again = ledger.reverse(entry=cashback, idempotency_key="v1", kind="purchase_reversal")
    assert again.pk == first.pk
    assert ledger.balances(member).credit == 0


def test_reversing_spent_cashback_takes_credit_below_zero(member):
    cashback = post(member, CREDIT, 3_000, EntryKind.CASHBACK, "c1")
    post(member, CREDIT, -2_500, EntryKind.REDEEM, "r1")
    ledger.reverse(entry=cashback, idempotency_key="v1", kind="purchase_reversal")
    assert ledger.balances(member).credit == -2_500


# --- earned totals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", [EntryKind.AWARD, EntryKind.PURCHASE_POINTS, EntryKind.CHALLENGE, EntryKind.ADJUSTMENT]
)
def test_earning_kinds_move_the_daily_total_and_the_lifetime_total(member, kind):
    post(member, POINTS, 25, kind, "e1")
    assert daily_total(member) == 25
    assert account(member, POINTS).lifetime_earned == 25


@pytest.mark.parametrize("kind", [EntryKind.REWARD, EntryKind.CONVERSION_OUT, EntryKind.EXPIRY])
def test_spending_points_leaves_the_earned_totals_alone(member, kind):
    post(member, POINTS, 100, EntryKind.PURCHASE_POINTS, "e1")
    post(member, POINTS, -60, kind, "s1")
    assert daily_total(member) == 100
    assert account(member, POINTS).lifetime_earned == 100


def test_credit_never_moves_the_earned_totals(member):
    post(member, CREDIT, 5_000, EntryKind.CASHBACK, "c1")
    assert daily_total(member) == 0
    assert account(member, CREDIT).lifetime_earned == 0


def test_a_points_reversal_takes_back_from_the_earned_totals(member):
    earned = post(member, POINTS, 80, EntryKind.PURCHASE_POINTS, "e1")
    ledger.reverse(entry=earned, amount=30, idempotency_key="v1", kind="purchase_reversal")
    assert daily_total(member) == 50
    assert account(member, POINTS).lifetime_earned == 50


def test_a_back_dated_posting_counts_on_its_own_day(member):
    then = timezone.now() - timedelta(days=3)
    post(member, POINTS, 25, EntryKind.AWARD, "e1", at=then)
    assert DailyTotal.objects.get(member=member).day == timezone.localdate(then)
    assert daily_total(member) == 0


# --- audit --------------------------------------------------------------------------------


def test_the_audit_is_clean_after_mixed_operations(member, make_user):
    manager = make_user(roles.CLUB_MANAGER)
    subject = Branch.objects.create(code="s1", name="S1", city="X")
    post(member, POINTS, 900, EntryKind.PURCHASE_POINTS, "p1")
    cashback = post(member, CREDIT, 4_000, EntryKind.CASHBACK, "c1")
    activity.record(member=member, action=Action.ARTICLE_PUBLISHED, subject=subject)
    services.convert_points(member=member, points=600, idempotency_key="conv")
    post(member, CREDIT, -60_000, EntryKind.REDEEM, "r1")
    ledger.reverse(entry=cashback, idempotency_key="v1", kind="purchase_reversal")
    activity.revoke(subject=subject)
    services.adjust_balance(
        member=member,
        currency=POINTS,
        amount=-100,
        reason="duplicate purchase",
        staff_user=manager,
        idempotency_key="adj",
    )
    assert ledger.balances(member) == ledger.Balances(points=200, credit=0)
    assert ledger.audit() == []


def test_the_audit_reports_a_balance_that_differs_from_its_entries(member):
    post(member, CREDIT, 1_000, EntryKind.CASHBACK, "c1")
    Account.objects.filter(member=member, currency=CREDIT).update(balance=1_500)
    [problem] = ledger.audit()
    assert (problem.member_id, problem.currency) == (member.pk, CREDIT)
    assert "balance 1500 but entries sum to 1000" in problem.message


def test_the_audit_reports_a_broken_balance_after(member):
    post(member, POINTS, 10, EntryKind.PURCHASE_POINTS, "p1")
    middle = post(member, POINTS, 20, EntryKind.PURCHASE_POINTS, "p2")
    post(member, POINTS, 5, EntryKind.PURCHASE_POINTS, "p3")
    LedgerEntry.objects.filter(pk=middle.pk).update(balance_after=31)
    problems = ledger.audit()
    assert problems
    assert f"entry {middle.pk}: balance_after 31, running total 30" in problems[0].message


# --- manage.py audit_ledger ---------------------------------------------------------------


def run_audit_command() -> str:
    out = StringIO()
    call_command("audit_ledger", stdout=out)
    return out.getvalue()


def test_audit_command_passes_and_summarises_clean_books(member):
    post(member, POINTS, 10, EntryKind.PURCHASE_POINTS, "p1")
    post(member, CREDIT, 500, EntryKind.CASHBACK, "c1")
    assert "ledger audit: 2 accounts, 2 entries, 0 differences" in run_audit_command()


def test_audit_command_fails_on_a_corrupted_balance(member):
    post(member, CREDIT, 500, EntryKind.CASHBACK, "c1")
    Account.objects.filter(member=member, currency=CREDIT).update(balance=900)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit_ledger", stdout=out)
    assert "balance 900 but entries sum to 500" in out.getvalue()
    assert "ledger audit: 1 accounts, 1 entries, 1 differences" in out.getvalue()


def test_audit_command_fails_on_a_corrupted_balance_after(member):
    entry = post(member, POINTS, 10, EntryKind.PURCHASE_POINTS, "p1")
    LedgerEntry.objects.filter(pk=entry.pk).update(balance_after=11)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit_ledger", stdout=out)
    assert f"entry {entry.pk}: balance_after 11, running total 10" in out.getvalue()
    assert "1 differences" in out.getvalue()


# --- post_many: several entries under locks the caller holds ------------------------------


def test_post_many_writes_running_balances_daily_totals_and_lifetime(member):
    from django.db import transaction

    with transaction.atomic():
        accounts = ledger.lock_accounts([member])
        entries = ledger.post_many(
            accounts=accounts,
            postings=[
                ledger.Posting(member.pk, Currency.CREDIT, 500, EntryKind.CASHBACK, "m:1"),
                ledger.Posting(member.pk, Currency.CREDIT, -200, EntryKind.REDEEM, "m:2"),
                ledger.Posting(member.pk, Currency.POINTS, 7, EntryKind.PURCHASE_POINTS, "m:3"),
                ledger.Posting(member.pk, Currency.POINTS, 0, EntryKind.PURCHASE_POINTS, "m:4"),
            ],
            description="receipt R-1",
        )
    assert [e.balance_after for e in entries] == [500, 300, 7]
    assert ledger.balances(member) == ledger.Balances(points=7, credit=300)
    assert account(member, Currency.POINTS).lifetime_earned == 7
    assert DailyTotal.objects.get(member=member).earned == 7
    assert ledger.audit() == []


def test_post_many_refuses_an_overdraft(member):
    from django.db import transaction

    with pytest.raises(ledger.InsufficientBalance), transaction.atomic():
        accounts = ledger.lock_accounts([member])
        ledger.post_many(
            accounts=accounts,
            postings=[ledger.Posting(member.pk, Currency.CREDIT, -1, EntryKind.REDEEM, "y")],
        )
    assert LedgerEntry.objects.count() == 0


def test_post_many_lets_a_reversal_take_credit_below_zero_only_when_allowed(member):
    from django.db import transaction

    with transaction.atomic():
        accounts = ledger.lock_accounts([member])
        ledger.post_many(
            accounts=accounts,
            postings=[
                ledger.Posting(member.pk, Currency.CREDIT, -50, EntryKind.PURCHASE_REVERSAL, "r")
            ],
            allow_negative=True,
        )
    assert ledger.balances(member).credit == -50
