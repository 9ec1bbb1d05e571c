"""Each KPI on a small club whose answers are worked out by hand in the comments.

The period is March 2026 (local dates 1..31, Tehran); the previous period of the same
length is 29 January .. 28 February. The figures are read on 10 April."""

import uuid
from datetime import date

import pytest
import time_machine

from cardgateway import services as gateway
from community.models import StatusUpdate
from gamification import ledger
from gamification.models import Currency, EntryKind, MemberTier, Referral, Tier
from reports import kpis

from .conftest import at

pytestmark = pytest.mark.django_db

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
READ_AT = at(2026, 4, 10)


@pytest.fixture
def club(make_member, manager, north, south, buy):
    """Five members and a manager (not a member for the figures):

    - A (North, joined 10 Jan): bought 50,000 on 10 Feb; 100,000 on 5 Mar and 300,000 on
      20 Mar, both at North.
    - B (South, joined 3 Mar): bought 200,000 on 10 Mar at South.
    - C (North, joined 1 Feb): a status update on 15 Feb, nothing in March.
    - D (South, joined 15 Mar): nothing.
    - E (North, joined 1 Jan): bought 400,000 on 12 Mar at North, reversed the same day.
    - the manager bought 900,000 on 6 Mar at North (staff: never counted).
    """
    a = make_member("a@example.com", joined=at(2026, 1, 10), branch=north)
    b = make_member("b@example.com", joined=at(2026, 3, 3), branch=south)
    c = make_member("c@example.com", joined=at(2026, 2, 1), branch=north)
    d = make_member("d@example.com", joined=at(2026, 3, 15), branch=south)
    e = make_member("e@example.com", joined=at(2026, 1, 1), branch=north)
    buy(a, 50_000, at(2026, 2, 10), north)
    buy(a, 100_000, at(2026, 3, 5), north)
    buy(a, 300_000, at(2026, 3, 20), north)
    buy(b, 200_000, at(2026, 3, 10), south)
    original = buy(e, 400_000, at(2026, 3, 12), north)
    with time_machine.travel(at(2026, 3, 12, 13), tick=False):
        gateway.reverse_purchase(txn_id="rev-e", original_txn_id=original, branch=north)
    buy(manager, 900_000, at(2026, 3, 6), north)
    StatusUpdate.objects.create(author=c, body="Hello", created_at=at(2026, 2, 15))
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def period(branch=None):
    return kpis.Period(branch=branch, **MARCH)


def test_membership_counts_members_joined_by_the_end_new_ones_and_the_active(club):
    with time_machine.travel(READ_AT, tick=False):
        figures = kpis.membership(period())
    # Members: A, B, C, D, E (the manager holds a staff role) = 5.
    # New in March: B (3 Mar) and D (15 Mar) = 2.
    # Active in the 30 days up to 1 April (2 Mar .. 31 Mar): A (5 and 20 Mar) and B
    # (10 Mar); E's purchase was reversed, C wrote in February = 2.
    assert figures == {"members_total": 5, "new_members": 2, "active_30": 2}


def test_membership_of_one_branch_counts_its_home_members(club, north):
    with time_machine.travel(READ_AT, tick=False):
        figures = kpis.membership(period(north))
    # North's members: A, C, E = 3; none joined in March; active: A = 1.
    assert figures == {"members_total": 3, "new_members": 0, "active_30": 1}


def test_retention_is_the_share_of_last_periods_active_members_active_again(club):
    with time_machine.travel(READ_AT, tick=False):
        figures = kpis.retention(period())
    # Active 29 Jan .. 28 Feb: A (purchase 10 Feb) and C (status update 15 Feb) = 2.
    # Of those, active in March: A only = 1. Rate 1 / 2 = 0.5.
    assert figures == {"previous_active": 2, "retained": 1, "rate": 0.5}


def test_purchasing_figures_leave_out_reversed_purchases_and_staff(club):
    with time_machine.travel(READ_AT, tick=False):
        figures = kpis.purchasing(period())
    # Members' purchases in March (E's was reversed, the manager is staff): A 100,000 and
    # 300,000, B 200,000. Buyers A, B = 2; repeat: A = 1 -> 1/2.
    # Purchases 3, spend 600,000; frequency 3 / 2 = 1.5; average 600,000 / 3 = 200,000.
    # Top fifth: ceil(2 * 0.2) = 1 buyer, A with 400,000 -> 400,000 / 600,000 = 2/3.
    assert figures["buyers"] == 2
    assert figures["repeat_buyers"] == 1
    assert figures["purchases"] == 3
    assert figures["spend"] == 600_000
    assert figures["repeat_rate"] == 0.5
    assert figures["frequency"] == 1.5
    assert figures["average_value"] == 200_000
    assert figures["top_members"] == 1
    assert figures["top_spend"] == 400_000
    assert figures["top_share"] == pytest.approx(2 / 3)


def test_purchasing_of_one_branch(club, south):
    with time_machine.travel(READ_AT, tick=False):
        figures = kpis.purchasing(period(south))
    # South: B's 200,000 only. Buyers 1, repeat 0, average 200,000, top fifth: ceil(0.2)
    # = 1 buyer with all of it -> share 1.
    assert (figures["buyers"], figures["repeat_buyers"], figures["purchases"]) == (1, 0, 1)
    assert figures["repeat_rate"] == 0
    assert figures["average_value"] == 200_000
    assert figures["top_share"] == 1


def test_an_empty_period_has_no_rates(club):
    empty = kpis.Period(start=date(2025, 1, 1), end=date(2025, 1, 31))
    with time_machine.travel(READ_AT, tick=False):
        figures = kpis.purchasing(empty)
        kept = kpis.retention(empty)
    assert figures["buyers"] == 0 and figures["repeat_rate"] is None
    assert figures["average_value"] is None and figures["top_share"] is None
    assert kept["rate"] is None


def _credit(member, amount, kind, when, branch=None):
    with time_machine.travel(when, tick=False):
        ledger.post(
            member=member,
            currency=Currency.CREDIT,
            amount=amount,
            kind=kind,
            branch=branch,
            idempotency_key=f"test-credit:{uuid.uuid4()}",
        )


def test_credit_redemption_rate_and_outstanding_credit(make_member, north, south):
    f = make_member("f@example.com", joined=at(2026, 1, 1), branch=north)
    g = make_member("g@example.com", joined=at(2026, 1, 1), branch=south)
    _credit(f, 80_000, EntryKind.CASHBACK, at(2026, 2, 20), north)  # before March
    _credit(f, 40_000, EntryKind.CASHBACK, at(2026, 3, 2), north)
    _credit(g, 10_000, EntryKind.GIFT, at(2026, 3, 3), south)
    _credit(f, -30_000, EntryKind.REDEEM, at(2026, 3, 4), north)
    _credit(g, 5_000, EntryKind.ADJUSTMENT, at(2026, 3, 5), south)  # not "given out"
    with time_machine.travel(READ_AT, tick=False):
        everywhere = kpis.credit(period())
        at_north = kpis.credit(period(north))
    # Given out in March: 40,000 cashback + 10,000 gift = 50,000; spent 30,000 -> 0.6.
    # Outstanding now: F 80,000 + 40,000 - 30,000 = 90,000; G 10,000 + 5,000 = 15,000.
    assert everywhere == {
        "issued": 50_000,
        "redeemed": 30_000,
        "redemption_rate": 0.6,
        "outstanding": 105_000,
    }
    # North: issued 40,000, spent 30,000 -> 0.75; outstanding of North's members 90,000.
    assert at_north == {
        "issued": 40_000,
        "redeemed": 30_000,
        "redemption_rate": 0.75,
        "outstanding": 90_000,
    }


def test_tier_distribution_counts_members_per_tier_and_without(make_member, north):
    members = [make_member(f"t{n}@example.com", joined=at(2026, 1, 1)) for n in range(4)]
    bronze, silver = Tier.objects.order_by("threshold")[:2]
    MemberTier.objects.create(member=members[0], tier=bronze)
    MemberTier.objects.create(member=members[1], tier=bronze)
    MemberTier.objects.create(member=members[2], tier=silver)
    rows = kpis.tier_distribution(period())
    counts = {row["tier"]: row["members"] for row in rows}
    # Two bronze, one silver, the others none; the fourth member has no tier.
    assert counts[bronze.pk] == 2 and counts[silver.pk] == 1
    assert counts[None] == 1
    assert sum(counts.values()) == 4
    assert [row["tier"] for row in rows][-1] is None


def test_purchases_over_time_by_week_then_by_month(club):
    with time_machine.travel(READ_AT, tick=False):
        unit, weeks = kpis.purchases_over_time(period())
        long_unit, months = kpis.purchases_over_time(
            kpis.Period(start=date(2026, 1, 1), end=date(2026, 3, 31))
        )
    # Members' March purchases: 5 Mar (week of Monday 2 Mar), 10 Mar (week of 9 Mar),
    # 20 Mar (week of 16 Mar): one each.
    assert unit == "week"
    assert [(w["start"], w["purchases"]) for w in weeks] == [
        (date(2026, 3, 2), 1),
        (date(2026, 3, 9), 1),
        (date(2026, 3, 16), 1),
    ]
    # January .. March (90 days < 92 -> still weeks); a year is by month:
    assert long_unit == "week"
    with time_machine.travel(READ_AT, tick=False):
        unit, months = kpis.purchases_over_time(
            kpis.Period(start=date(2025, 4, 1), end=date(2026, 3, 31))
        )
    # February: A's 50,000 (1); March: 3.
    assert unit == "month"
    assert [(m["start"], m["purchases"]) for m in months] == [
        (date(2026, 2, 1), 1),
        (date(2026, 3, 1), 3),
    ]


def test_referrals_count_new_ones_and_what_referred_members_bought(club, make_member, north):
    a, b = club["a"], club["b"]
    Referral.objects.create(
        referrer=a, referee=b, created_at=at(2026, 3, 3), share_until=at(2027, 3, 3)
    )
    old = make_member("old@example.com", joined=at(2025, 6, 1), branch=north)
    Referral.objects.create(
        referrer=a, referee=old, created_at=at(2025, 6, 1), share_until=at(2026, 6, 1)
    )
    with time_machine.travel(READ_AT, tick=False):
        figures = kpis.referrals(period())
    # New in March: B (the June 2025 one is older) = 1.
    # Referred members' purchases in March: B's 200,000 (old bought nothing) -> 1 buyer,
    # 1 purchase, 200,000.
    assert figures["new"] == 1
    assert (figures["buyers"], figures["purchases"], figures["spend"]) == (1, 1, 200_000)


def test_community_counts_what_was_written_in_the_period(club):
    a, b = club["a"], club["b"]
    StatusUpdate.objects.create(author=a, body="x", created_at=at(2026, 3, 8))
    StatusUpdate.objects.create(author=a, body="y", created_at=at(2026, 3, 9))
    StatusUpdate.objects.create(author=b, body="z", created_at=at(2026, 4, 2))  # April
    with time_machine.travel(READ_AT, tick=False):
        figures = kpis.community(period())
    # March: two status updates, both A's (C's is February's, B's April's) -> 2 and 1
    # poster.
    assert figures["status_updates"] == 2
    assert figures["posters"] == 1
    assert (figures["topics"], figures["replies"], figures["comments"]) == (0, 0, 0)
    assert figures["survey_responses"] == 0


def test_tickets_reuse_the_desk_report(club):
    from tickets import services
    from tickets.models import Category

    category = Category.objects.get_or_create(slug="product", defaults={"name": "Product"})[0]
    for subject in ("Cold coffee", "Late delivery"):
        services.open_ticket(
            kind="complaint",
            category=category,
            subject=subject,
            description="Not good.",
            guest_name="Sara",
            guest_mobile="09121234567",
        )
    figures = kpis.tickets(period())
    # Two tickets open now; none rated -> no CSAT.
    assert figures["open_now"] == 2
    assert figures["ratings"] == 0 and figures["csat"] is None


def test_churn_risk_uses_the_automations_win_back_criteria(club):
    from automations.models import AutomationSettings

    settings = AutomationSettings.load()
    settings.winback_min_visits, settings.winback_lapse_days = 2, 10
    settings.save()
    with time_machine.travel(READ_AT, tick=False):
        risk = kpis.churn_risk(period())
    # As at the end of March (1 April, 00:00): A made 3 purchases, the last on 20 March,
    # 11.5 days before -> lapsed (>= 2 visits, >= 10 days). B, E and the manager made one
    # each -> not regulars.
    assert risk["count"] == 1
    assert [(row["email"], row["visits"]) for row in risk["rows"]] == [("a@example.com", 3)]


def test_the_dashboard_runs_a_fixed_number_of_queries(club, django_assert_max_num_queries):
    with time_machine.travel(READ_AT, tick=False):
        with django_assert_max_num_queries(40):
            board = kpis.dashboard(period())
    assert board.membership["members_total"] == 5
