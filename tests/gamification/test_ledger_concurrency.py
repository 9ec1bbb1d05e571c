"""Money under load, on PostgreSQL with real threads: 50 threads award, spend, convert and
post across members at the same moment. Afterwards the books balance, no update was lost,
nothing was paid twice and no credit balance went below zero."""

import threading
from collections import Counter

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum

from cardgateway.models import Branch
from gamification import activity, ledger, services, tiers
from gamification.models import (
    Account,
    Action,
    Award,
    ClubSettings,
    Currency,
    EarningRule,
    EntryKind,
    LedgerEntry,
    MemberTier,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

POINTS, CREDIT = Currency.POINTS, Currency.CREDIT
THREADS = 50
DUPLICATES = 4  # threads that all send one and the same spend
ACTION = Action.ARTICLE_PUBLISHED  # 50 points, no daily cap (migration 0002)
REFUSALS = (ledger.InsufficientBalance, services.ConversionRefused)


def run_in_threads(tasks, refusals=REFUSALS) -> tuple[list, list]:
    """Start every task at once (a barrier), each in its own thread and DB connection."""
    barrier = threading.Barrier(len(tasks))
    results: list = [None] * len(tasks)
    errors: list = []

    def worker(index, task):
        try:
            barrier.wait(timeout=30)
            try:
                results[index] = task()
            except refusals as refusal:
                results[index] = refusal
        except Exception as error:  # every other error fails the test
            errors.append((index, repr(error)))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, t)) for i, t in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results, errors


def entries_of(result) -> list[LedgerEntry]:
    """The ledger entries a task's result wrote (an award's, a posting, a pair)."""
    if isinstance(result, activity.Outcome):
        return [result.award.entry] if result.reason == "awarded" else []
    if isinstance(result, LedgerEntry):
        return [result]
    if isinstance(result, tuple):
        return list(result)
    return []


@pytest.fixture
def members(make_user):
    rule = EarningRule.objects.get(action=ACTION)
    assert (rule.points, rule.daily_cap, rule.is_active) == (50, 0, True)
    ClubSettings.load()
    people = [make_user() for _ in range(3)]
    for person in people:
        # Placed in a tier before the race: tiers.evaluate() itself races when two first
        # awards create a member's MemberTier at once (see the tier race test below).
        tiers.evaluate(member=person)
        ledger.post(
            member=person,
            currency=POINTS,
            amount=3_000,
            kind=EntryKind.PURCHASE_POINTS,
            idempotency_key=f"seed:points:{person.pk}",
        )
        ledger.post(
            member=person,
            currency=CREDIT,
            amount=60_000,
            kind=EntryKind.CASHBACK,
            idempotency_key=f"seed:credit:{person.pk}",
        )
    return people


def purchase_with_referral_share(*, buyer, referrer, key: str) -> tuple:
    """Two members' accounts in one transaction, locked in primary-key order (as a purchase
    paying a referral share does), whichever member comes first."""
    with transaction.atomic():
        ledger.lock_accounts([buyer, referrer], currencies=(CREDIT,))
        spent = ledger.post(
            member=buyer,
            currency=CREDIT,
            amount=-5_000,
            kind=EntryKind.REDEEM,
            idempotency_key=f"{key}:redeem",
        )
        share = ledger.post(
            member=referrer,
            currency=CREDIT,
            amount=250,
            kind=EntryKind.REFERRAL_SHARE,
            idempotency_key=f"{key}:share",
        )
    return spent, share


def build_tasks(members, shared, subjects) -> list:
    tasks = []
    for i in range(THREADS - DUPLICATES):
        # Spread each kind of task over the three members.
        member, other = members[(i + i // 6) % 3], members[(i + i // 6 + 1) % 3]
        kind = i % 6
        if kind == 0:  # several threads, same member, same subject: paid once
            tasks.append(lambda m=member: activity.record(member=m, action=ACTION, subject=shared))
        elif kind == 1:
            tasks.append(
                lambda m=member, s=subjects[i]: activity.record(member=m, action=ACTION, subject=s)
            )
        elif kind == 2:
            tasks.append(
                lambda m=member, i=i: ledger.post(
                    member=m,
                    currency=CREDIT,
                    amount=-9_000,
                    kind=EntryKind.REDEEM,
                    idempotency_key=f"redeem:{i}",
                )
            )
        elif kind == 3:
            tasks.append(
                lambda m=member, i=i: ledger.post(
                    member=m,
                    currency=POINTS,
                    amount=-400,
                    kind=EntryKind.REWARD,
                    idempotency_key=f"reward:{i}",
                )
            )
        elif kind == 4:
            tasks.append(
                lambda m=member, i=i: services.convert_points(
                    member=m, points=500, idempotency_key=f"convert:{i}"
                )
            )
        else:  # two members at once, in both orders across threads
            buyer, referrer = (member, other) if i % 2 else (other, member)
            tasks.append(
                lambda b=buyer, r=referrer, i=i: purchase_with_referral_share(
                    buyer=b, referrer=r, key=f"purchase:{i}"
                )
            )
    for _ in range(DUPLICATES):
        tasks.append(
            lambda: ledger.post(
                member=members[0],
                currency=CREDIT,
                amount=-1_000,
                kind=EntryKind.REDEEM,
                idempotency_key="the-same-spend",
            )
        )
    return tasks


def test_fifty_threads_awarding_and_spending_keep_the_books(members):
    shared = Branch.objects.create(code="shared", name="Shared", city="X")
    subjects = [Branch.objects.create(code=f"s{i}", name=f"S{i}", city="X") for i in range(50)]
    seeds = {e.pk: e for e in LedgerEntry.objects.all()}

    results, errors = run_in_threads(build_tasks(members, shared, subjects))

    assert errors == []
    # The books balance: every balance is the sum of its entries, every balance_after right.
    assert ledger.audit() == []
    for account in Account.objects.all():
        total = LedgerEntry.objects.filter(account=account).aggregate(t=Sum("amount"))["t"]
        assert account.balance == (total or 0)
    # No credit below zero (no reversal ran), no points below zero.
    assert not Account.objects.filter(balance__lt=0).exists()
    # Every entry in the books is one a thread was told about (or a seed), and no more.
    written = {e.pk: e for result in results for e in entries_of(result)}
    assert set(LedgerEntry.objects.values_list("pk", flat=True)) == set(seeds) | set(written)
    for account in Account.objects.all():
        expected = sum(
            e.amount for e in [*seeds.values(), *written.values()] if e.account_id == account.pk
        )
        assert account.balance == expected
    # Each idempotency key exactly once; the duplicated spend posted once.
    keys = Counter(LedgerEntry.objects.values_list("idempotency_key", flat=True))
    assert max(keys.values()) == 1
    assert keys["the-same-spend"] == 1
    # No award paid twice for one (member, action, subject); the shared subject once each.
    doubled = (
        Award.objects.values("member", "action", "subject_type", "subject_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert list(doubled) == []
    for member in members:
        assert Award.objects.filter(member=member, subject_id=shared.pk).count() == 1
    # Something really did run on both sides.
    outcomes = Counter(type(r).__name__ for r in results)
    assert outcomes["Outcome"] and outcomes["LedgerEntry"] and outcomes["tuple"]


def test_concurrent_partial_reversals_never_take_back_more_than_the_original(members):
    cashback = ledger.post(
        member=members[0],
        currency=CREDIT,
        amount=3_000,
        kind=EntryKind.CASHBACK,
        idempotency_key="cashback",
    )
    tasks = [
        lambda i=i: ledger.reverse(
            entry=cashback, amount=400, idempotency_key=f"return:{i}", kind="purchase_reversal"
        )
        for i in range(10)
    ]
    results, errors = run_in_threads(tasks, refusals=(ValueError,))
    assert errors == []
    assert sum(isinstance(r, LedgerEntry) for r in results) == 7  # 7 x 400 <= 3,000 < 8 x 400
    assert cashback.corrections.aggregate(t=Sum("amount"))["t"] == -2_800
    assert ledger.audit() == []


def test_concurrent_tier_evaluations_of_a_new_member_never_raise(make_user):
    member = make_user()
    ledger.post(
        member=member,
        currency=POINTS,
        amount=1_500,
        kind=EntryKind.PURCHASE_POINTS,
        idempotency_key="seed",
    )
    _results, errors = run_in_threads([lambda: tiers.evaluate(member=member)] * 20)
    assert errors == []
    assert MemberTier.objects.filter(member=member).count() == 1
