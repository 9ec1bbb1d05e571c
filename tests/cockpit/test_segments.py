"""Every segment filter against members built so that exactly the expected ones match,
boundaries included; and the whole query is one SQL statement."""

import uuid
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from taggit.models import Tag

from cardgateway.models import TxnKind
from cockpit import segments
from cockpit.models import Segment
from community.models import GroupMembership, InterestGroup
from gamification import ledger
from gamification.models import Currency, EntryKind, MemberTier, Tier
from portal.accounts import roles

from .conftest import AT, buy, local

pytestmark = pytest.mark.django_db


def ids(filters, at=AT) -> set[int]:
    return set(segments.members(filters, at=at).values_list("pk", flat=True))


@pytest.fixture
def people(make_user):
    """Named members: pass keyword arguments of register_member."""

    def make(**kwargs):
        return make_user(roles.MEMBER, **kwargs)

    return make


def grant(member, currency, amount):
    ledger.post(
        member=member,
        currency=currency,
        amount=amount,
        kind=EntryKind.ADJUSTMENT,
        idempotency_key=f"test:{uuid.uuid4()}",
    )


def test_only_active_members_who_are_not_staff(people, make_user, django_user_model):
    member = people()
    django_user_model.objects.filter(pk=people().pk).update(is_active=False)
    django_user_model.objects.filter(pk=people().pk).update(erased_at=AT)
    django_user_model.objects.filter(pk=people().pk).update(is_superuser=True)
    django_user_model.objects.filter(pk=people().pk).update(is_staff=True)
    for role in roles.STAFF_ROLES:
        make_user(role)
    assert ids({}) == {member.pk}


def test_tiers(people):
    silver, gold = Tier.objects.order_by("threshold")[1:3]
    in_silver, in_gold, _untiered = people(), people(), people()
    MemberTier.objects.create(member=in_silver, tier=silver)
    MemberTier.objects.create(member=in_gold, tier=gold)
    assert ids({"tiers": [silver]}) == {in_silver.pk}
    assert ids({"tiers": [silver.pk, gold.pk]}) == {in_silver.pk, in_gold.pk}


def test_home_branches(people, branch, other_branch):
    north, south, _nowhere = people(home_branch=branch), people(home_branch=other_branch), people()
    assert ids({"home_branches": [branch]}) == {north.pk}
    assert ids({"home_branches": [branch, other_branch]}) == {north.pk, south.pk}


def test_days_since_last_purchase_boundaries(people, branch):
    exactly_30 = people()
    buy(exactly_30, 100, AT - timedelta(days=60), branch=branch)
    buy(exactly_30, 100, AT - timedelta(days=30), branch=branch)
    just_under_30 = people()
    buy(just_under_30, 100, AT - timedelta(days=30) + timedelta(seconds=1), branch=branch)
    exactly_90 = people()
    buy(exactly_90, 100, AT - timedelta(days=90), branch=branch)
    over_90 = people()
    buy(over_90, 100, AT - timedelta(days=90, seconds=1), branch=branch)
    _never = people()

    assert ids({"last_purchase_min_days": 30}) == {exactly_30.pk, exactly_90.pk, over_90.pk}
    assert ids({"last_purchase_max_days": 90}) == {exactly_30.pk, just_under_30.pk, exactly_90.pk}
    assert ids({"last_purchase_min_days": 30, "last_purchase_max_days": 90}) == {
        exactly_30.pk,
        exactly_90.pk,
    }


def test_a_reversal_is_not_a_purchase_for_the_last_purchase(people, branch):
    member = people()
    sale = buy(member, 100, AT - timedelta(days=40), branch=branch)
    buy(member, -100, AT - timedelta(days=1), branch=branch, kind=TxnKind.REVERSAL, original=sale)
    assert ids({"last_purchase_min_days": 40}) == {member.pk}


def test_visits_in_the_last_n_days_skip_reversed_purchases(people, branch):
    two_visits = people()
    buy(two_visits, 100, AT - timedelta(days=30), branch=branch)  # first instant of the period
    buy(two_visits, 100, AT - timedelta(days=1), branch=branch)
    buy(two_visits, 100, AT - timedelta(days=30, seconds=1), branch=branch)  # before it
    one_visit = people()
    buy(one_visit, 100, AT - timedelta(days=2), branch=branch)
    reversed_sale = buy(one_visit, 100, AT - timedelta(days=3), branch=branch)
    buy(
        one_visit,
        -100,
        AT - timedelta(days=3),
        branch=branch,
        kind=TxnKind.REVERSAL,
        original=reversed_sale,
    )
    none = people()

    assert ids({"period_days": 30, "visits_min": 2}) == {two_visits.pk}
    assert ids({"period_days": 30, "visits_min": 1, "visits_max": 1}) == {one_visit.pk}
    assert ids({"period_days": 30, "visits_max": 0}) == {none.pk}
    # All time (no period): the older purchase counts too.
    assert ids({"visits_min": 3}) == {two_visits.pk}


def test_spend_between_dates_is_net_and_inclusive(people, branch):
    day = local(2026, 5, 1, 0, 0)
    on_first_day = people()
    buy(on_first_day, 500, day, branch=branch)
    on_last_day = people()
    buy(on_last_day, 500, day + timedelta(days=31) - timedelta(seconds=1), branch=branch)
    day_after = people()
    buy(day_after, 500, day + timedelta(days=31), branch=branch)
    returned = people()
    sale = buy(returned, 800, day + timedelta(days=2), branch=branch)
    buy(returned, -400, day + timedelta(days=3), branch=branch, kind=TxnKind.RETURN, original=sale)

    may = {"period_from": date(2026, 5, 1), "period_to": date(2026, 5, 31)}
    assert ids({**may, "spend_min": 500}) == {on_first_day.pk, on_last_day.pk}
    assert ids({**may, "spend_min": 400, "spend_max": 400}) == {returned.pk}
    assert ids({**may, "spend_max": 0}) == {day_after.pk}


def test_birthday_month(people):
    march = people(birth_date=date(1990, 3, 31))
    people(birth_date=date(1990, 4, 1))
    people()
    assert ids({"birthday_month": 3}) == {march.pk}


def test_points_and_credit_ranges_count_a_missing_account_as_zero(people):
    rich, poor, fresh = people(), people(), people()
    grant(rich, Currency.POINTS, 500)
    grant(rich, Currency.CREDIT, 10_000)
    grant(poor, Currency.POINTS, 499)
    assert ids({"points_min": 500}) == {rich.pk}
    assert ids({"points_min": 1, "points_max": 499}) == {poor.pk}
    assert ids({"points_max": 0}) == {fresh.pk}
    assert ids({"credit_min": 10_000, "credit_max": 10_000}) == {rich.pk}
    assert ids({"credit_max": 0}) == {poor.pk, fresh.pk}


def test_joined_dates_are_inclusive_local_days(people):
    def joined(when):
        member = people()
        type(member).objects.filter(pk=member.pk).update(date_joined=when)
        return member

    first = joined(local(2026, 1, 1, 0, 0))
    last = joined(local(2026, 1, 31, 23, 59, 59))
    joined(local(2025, 12, 31, 23, 59, 59))
    joined(local(2026, 2, 1, 0, 0))
    january = {"joined_from": date(2026, 1, 1), "joined_to": date(2026, 1, 31)}
    assert ids(january) == {first.pk, last.pk}


def test_interests_are_any_group_or_any_tag(people):
    runners = InterestGroup.objects.create(name="Runners", slug="runners")
    cooks = InterestGroup.objects.create(name="Cooks", slug="cooks")
    runner, tagged, _cook, _nothing = people(), people(), people(), people()
    GroupMembership.objects.create(group=runners, member=runner)
    GroupMembership.objects.create(group=cooks, member=_cook)
    tagged.profile.interests.add("running")
    tag = Tag.objects.get(name="running")
    assert ids({"interest_groups": [runners]}) == {runner.pk}
    assert ids({"interest_tags": [tag]}) == {tagged.pk}
    assert ids({"interest_groups": [runners], "interest_tags": [tag]}) == {runner.pk, tagged.pk}


def test_consent(people):
    def consenting(sms, email):
        return people(
            sms_consent=sms,
            sms_consent_at=AT if sms else None,
            email_consent=email,
            email_consent_at=AT if email else None,
        )

    sms, email, both, _none = (
        consenting(True, False),
        consenting(False, True),
        consenting(True, True),
        consenting(False, False),
    )
    assert ids({"consent": "sms"}) == {sms.pk, both.pk}
    assert ids({"consent": "email"}) == {email.pk, both.pk}
    assert ids({"consent": "any"}) == {sms.pk, email.pk, both.pk}
    assert ids({"consent": "both"}) == {both.pk}


def test_filters_combine_with_and_in_one_query(people, branch, django_assert_num_queries):
    gold = Tier.objects.order_by("-threshold").first()
    wanted = people(home_branch=branch, birth_date=date(1991, 6, 2))
    MemberTier.objects.create(member=wanted, tier=gold)
    grant(wanted, Currency.POINTS, 100)
    buy(wanted, 1_000, AT - timedelta(days=5), branch=branch)
    wrong_month = people(home_branch=branch, birth_date=date(1991, 7, 2))
    MemberTier.objects.create(member=wrong_month, tier=gold)
    grant(wrong_month, Currency.POINTS, 100)
    buy(wrong_month, 1_000, AT - timedelta(days=5), branch=branch)

    filters = segments.Filters.from_dict(
        {
            "tiers": [gold],
            "home_branches": [branch],
            "birthday_month": 6,
            "points_min": 100,
            "last_purchase_max_days": 10,
            "period_days": 30,
            "visits_min": 1,
            "spend_min": 1_000,
            "credit_max": 0,
            "consent": "",
        }
    )
    with django_assert_num_queries(1):
        assert [m.pk for m in segments.members(filters, at=AT)] == [wanted.pk]
    with django_assert_num_queries(1):
        assert segments.count(filters, at=AT) == 1


def test_a_saved_segment_is_read_with_its_many_to_many_filters(people, branch):
    north = people(home_branch=branch)
    people()
    segment = Segment.objects.create(name="North")
    segment.home_branches.add(branch)
    assert ids(segment) == {north.pk}
    assert segments.count(segment) == 1


def test_staff_role_members_are_left_out_even_with_member_role(people):
    member = people()
    member.groups.add(Group.objects.get(name=roles.MODERATOR))
    assert ids({}) == set()


def test_period_days_and_dates_together_are_refused():
    segment = Segment(name="x", period_days=5, period_from=date(2026, 1, 1))
    with pytest.raises(Exception) as error:
        segment.full_clean()
    assert "period_days" in error.value.message_dict


def test_an_upper_bound_below_the_lower_is_refused():
    segment = Segment(name="x", points_min=10, points_max=5)
    with pytest.raises(Exception) as error:
        segment.full_clean()
    assert "points_max" in error.value.message_dict
