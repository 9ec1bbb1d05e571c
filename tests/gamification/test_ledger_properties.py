"""Property: whatever sequence of postings, conversions, adjustments, awards, revocations,
reversals and replays happens to a member, the books balance, points never go below zero,
a refused operation changes nothing and a replayed one changes nothing."""

import uuid

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardgateway.models import Branch
from gamification import activity, ledger, services
from gamification.models import (
    EARNING_KINDS,
    Account,
    Action,
    Award,
    Currency,
    DailyTotal,
    EntryKind,
    LedgerEntry,
)
from portal.accounts import roles

pytestmark = pytest.mark.django_db

POINTS, CREDIT = Currency.POINTS, Currency.CREDIT
SUBJECTS = 4
# Rules with and without a daily cap, revocable and not (migration 0002's numbers).
ACTIONS = [
    Action.ARTICLE_PUBLISHED,
    Action.TOPIC_POSTED,
    Action.COMMENT_POSTED,
    Action.SURVEY_COMPLETED,
]

amounts = st.integers(min_value=1, max_value=3_000)
rials = st.integers(min_value=1, max_value=200_000)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("award"), st.sampled_from(ACTIONS), st.integers(0, SUBJECTS - 1)),
        st.tuples(st.just("revoke"), st.integers(0, SUBJECTS - 1), st.booleans()),
        st.tuples(st.just("purchase_points"), amounts),
        st.tuples(st.just("spend_points"), amounts),
        st.tuples(st.just("cashback"), rials),
        st.tuples(st.just("redeem"), rials),
        st.tuples(st.just("reverse"), st.integers(0, 5), rials),
        st.tuples(st.just("convert"), amounts),
        st.tuples(
            st.just("adjust"),
            st.sampled_from([POINTS, CREDIT]),
            st.integers(-5_000, 5_000).filter(bool),
        ),
        st.tuples(st.just("replay"), st.integers(0, 30)),
    ),
    max_size=25,
)

ALLOWED_REFUSALS = (ledger.InsufficientBalance, ValueError)


def member_state(member) -> tuple:
    return (
        list(
            Account.objects.filter(member=member)
            .order_by("pk")
            .values_list("currency", "balance", "lifetime_earned")
        ),
        LedgerEntry.objects.filter(account__member=member).count(),
        list(DailyTotal.objects.filter(member=member).order_by("pk").values_list("day", "earned")),
        list(Award.objects.filter(member=member).order_by("pk").values_list("pk", "revoked_at")),
    )


class Run:
    """One example: a fresh member, their own subjects and keys."""

    def __init__(self, member, manager):
        self.member, self.manager = member, manager
        self.tag = uuid.uuid4().hex[:10]
        self.subjects = [
            Branch.objects.create(code=f"{self.tag}-{i}", name=f"S{i}", city="X")
            for i in range(SUBJECTS)
        ]
        self.reversible: list[LedgerEntry] = []
        self.done: list = []  # keyed operations that succeeded, for replays
        self.n = 0
        self.reversed_credit = False

    def key(self, what: str) -> str:
        self.n += 1
        return f"prop:{self.tag}:{what}:{self.n}"

    def post(self, currency, amount, kind, **kwargs):
        key = self.key(kind)

        def call():
            return ledger.post(
                member=self.member,
                currency=currency,
                amount=amount,
                kind=kind,
                idempotency_key=key,
                **kwargs,
            )

        return call

    def build(self, op):
        """The operation as a callable (so it can be replayed with the same key)."""
        name, *args = op
        if name == "award":
            action, index = args
            return lambda: activity.record(
                member=self.member, action=action, subject=self.subjects[index]
            )
        if name == "revoke":
            index, force = args
            return lambda: activity.revoke(subject=self.subjects[index], force=force)
        if name == "purchase_points":
            return self.post(POINTS, args[0], EntryKind.PURCHASE_POINTS)
        if name == "spend_points":
            return self.post(POINTS, -args[0], EntryKind.REWARD)
        if name == "cashback":
            return self.post(CREDIT, args[0], EntryKind.CASHBACK)
        if name == "redeem":
            return self.post(CREDIT, -args[0], EntryKind.REDEEM)
        if name == "reverse":
            index, amount = args
            if not self.reversible:
                return None
            entry = self.reversible[index % len(self.reversible)]
            key = self.key("reverse")
            return lambda: ledger.reverse(
                entry=entry,
                amount=min(amount, entry.amount) if amount % 3 else amount,  # some too large
                idempotency_key=key,
                kind=EntryKind.PURCHASE_REVERSAL,
                allow_negative=True,
            )
        if name == "convert":
            key = self.key("convert")
            return lambda: services.convert_points(
                member=self.member, points=args[0], idempotency_key=key
            )
        if name == "adjust":
            currency, amount = args
            key = self.key("adjust")
            return lambda: services.adjust_balance(
                member=self.member,
                currency=currency,
                amount=amount,
                reason="property test",
                staff_user=self.manager,
                idempotency_key=key,
            )
        raise AssertionError(name)

    def apply(self, op) -> None:
        if op[0] == "replay":
            if self.done:
                call = self.done[op[1] % len(self.done)]
                before = member_state(self.member)
                call()
                assert member_state(self.member) == before, "a replay changed something"
            return
        call = self.build(op)
        if call is None:
            return
        before = member_state(self.member)
        try:
            result = call()
        except ALLOWED_REFUSALS:
            assert member_state(self.member) == before, f"refused {op} changed something"
            return
        if op[0] not in ("award", "revoke"):
            # Keyed operations only: an award after a revocation pays again by design.
            self.done.append(call)
        if op[0] in ("purchase_points", "cashback"):
            self.reversible.append(result)
        if op[0] == "reverse" and result.account.currency == CREDIT:
            self.reversed_credit = True

    def check(self) -> None:
        accounts = list(Account.objects.filter(member=self.member))
        assert ledger.audit([a.pk for a in accounts]) == []
        balances = ledger.balances(self.member)
        assert balances.points >= 0
        if not self.reversed_credit:
            assert balances.credit >= 0
        for account in accounts:
            entries = LedgerEntry.objects.filter(account=account)
            assert account.balance == (entries.aggregate(t=Sum("amount"))["t"] or 0)
            if account.currency == POINTS:
                earned = entries.filter(kind__in=EARNING_KINDS).aggregate(t=Sum("amount"))["t"]
                assert account.lifetime_earned == (earned or 0)
                daily = DailyTotal.objects.filter(member=self.member).aggregate(t=Sum("earned"))
                assert (daily["t"] or 0) == account.lifetime_earned
        for entry in self.reversible:
            taken = entry.corrections.aggregate(t=Sum("amount"))["t"] or 0
            assert -taken <= entry.amount, f"entry {entry.pk} reversed more than it was"
        live = Award.objects.filter(member=self.member, revoked_at__isnull=True)
        assert live.count() == live.values("action", "subject_id").distinct().count()


@pytest.fixture
def manager(make_user):
    return make_user(roles.CLUB_MANAGER)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_any_sequence_of_operations_keeps_the_books_balanced(db, make_user, manager, ops):
    run = Run(make_user(), manager)
    for op in ops:
        run.apply(op)
    run.check()
    assert ledger.audit() == []
