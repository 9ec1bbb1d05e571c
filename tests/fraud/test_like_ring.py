"""Like and vote rings: a small group that mostly likes each other is flagged and the
points those likes paid are held; a lively but open community is not."""

import pytest
from django.utils import timezone

from community import likes, services
from gamification.models import Account, Award, Currency
from portal.fraud import rules
from portal.fraud import services as fraud_services
from portal.fraud.models import FraudSettings, Rule
from tests.community.conftest import loose_brakes  # noqa: F401 - used below
from tests.gamification.conftest import club_rules  # noqa: F401 - autouse

pytestmark = pytest.mark.usefixtures("loose_brakes")


@pytest.fixture
def thresholds(db):
    settings = FraudSettings.load()
    settings.like_ring_min_likes = 6
    settings.like_ring_share_percent = 70
    settings.like_ring_max_size = 4
    settings.save()
    return settings


def statuses(member, count):
    return [services.post_status(author=member, body=f"{member.pk} says {i}") for i in range(count)]


def like_all(giver, posts):
    for post in posts:
        likes.like(member=giver, target=post)


def scan(settings):
    now = timezone.now()
    return rules.like_ring(since=now - timezone.timedelta(days=30), until=now, settings=settings)


def test_a_ring_is_flagged_and_its_like_points_held(make_user, thresholds):
    ring = [make_user() for _ in range(3)]
    outsider = make_user()
    posts = {member.pk: statuses(member, 4) for member in [*ring, outsider]}
    for giver in ring:
        for receiver in ring:
            if receiver != giver:
                like_all(giver, posts[receiver.pk])  # 8 likes inside the ring
        like_all(giver, posts[outsider.pk][:1])  # 1 outside: 8 of 9 inside

    (finding,) = scan(thresholds)

    assert finding.rule == Rule.LIKE_RING
    assert finding.key == "like_ring:" + "-".join(
        str(m.pk) for m in sorted(ring, key=lambda m: m.pk)
    )
    paid = Award.objects.filter(action="like_received", member__in=ring).values_list(
        "entry_id", flat=True
    )
    assert set(finding.entry_ids) == set(paid) and len(paid) == 24
    assert finding.member_id in {m.pk for m in ring}

    case, created = fraud_services.open_case(finding=finding)
    assert created
    for member in ring:
        held = Account.objects.get(member=member, currency="points_held").balance
        assert held == 8  # one point per like received from the ring
    assert Account.objects.filter(member=outsider, currency="points_held").count() == 0
    assert case.holds.filter(currency=Currency.POINTS).count() == 24


def test_an_open_lively_community_is_not_a_ring(make_user, thresholds):
    people = [make_user() for _ in range(8)]
    posts = {member.pk: statuses(member, 2) for member in people}
    # Everyone likes everyone: ties both ways, but no small group holds most of the likes.
    for giver in people:
        for receiver in people:
            if receiver != giver:
                like_all(giver, posts[receiver.pk])

    assert scan(thresholds) == []


def test_a_pair_that_also_likes_many_others_is_not_a_ring(make_user, thresholds):
    a, b, *others = [make_user() for _ in range(6)]
    posts = {member.pk: statuses(member, 3) for member in [a, b, *others]}
    like_all(a, posts[b.pk])
    like_all(b, posts[a.pk])
    for giver in (a, b):
        for other in others:
            like_all(giver, posts[other.pk])  # 3 inside, 12 outside

    assert scan(thresholds) == []


def test_the_rule_runs_a_fixed_number_of_queries(make_user, thresholds, django_assert_num_queries):
    ring = [make_user() for _ in range(2)]
    posts = {member.pk: statuses(member, 6) for member in ring}
    like_all(ring[0], posts[ring[1].pk])
    like_all(ring[1], posts[ring[0].pk])
    with django_assert_num_queries(4):
        assert len(scan(thresholds)) == 1
