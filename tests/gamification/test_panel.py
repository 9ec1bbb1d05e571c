import pytest
from django.urls import reverse

from gamification import activity, ledger
from gamification.models import Action, Badge, EntryKind, MemberBadge

pytestmark = pytest.mark.django_db


def fill(member, count):
    from cardgateway.models import Branch

    for i in range(count):
        subject = Branch.objects.create(code=f"b{member.pk}-{i}", name=f"B{i}", city="X")
        activity.record(member=member, action=Action.TOPIC_POSTED, subject=subject)
    for i in range(min(count, 6)):
        badge = Badge.objects.create(slug=f"x{member.pk}-{i}", name=f"X{i}")
        MemberBadge.objects.get_or_create(member=member, badge=badge)


def test_panel_shows_balances_tier_history_links_and_referral_link(member_client, member):
    ledger.post(
        member=member,
        currency="credit",
        amount=125_000,
        kind=EntryKind.CASHBACK,
        idempotency_key="c1",
    )
    fill(member, 2)
    body = member_client.get(reverse("accounts:panel")).content.decode()
    assert "125,000 IRR" in body
    assert "Bronze" in body and "more points to reach Silver" in body
    assert reverse("gamification:history") in body
    assert f"?ref={member.profile.referral_code}" in body


@pytest.mark.parametrize("page", ["accounts:panel", "gamification:history"])
def test_panel_pages_keep_their_query_count(client, make_user, page, django_assert_num_queries):
    counts = []
    for size in (1, 50):
        member = make_user(email=f"m{size}@example.com")
        fill(member, size)
        client.force_login(member)
        client.get(reverse(page))
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(page)).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


def test_history_says_why_in_words(member_client, member):
    fill(member, 1)
    body = member_client.get(reverse("gamification:history")).content.decode()
    assert "Activity points" in body and "Topic posted" in body


def test_member_pages_need_login(client):
    for name in ["gamification:history", "gamification:convert"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_convert_points_to_credit(member_client, member):
    ledger.post(
        member=member, currency="points", amount=800, kind=EntryKind.ADJUSTMENT, idempotency_key="p"
    )
    response = member_client.post(reverse("gamification:convert"), {"points": 600, "key": "k1"})
    assert response.status_code == 302
    assert ledger.balances(member) == ledger.Balances(points=200, credit=60_000)
    # a double submit of the same form converts once
    member_client.post(reverse("gamification:convert"), {"points": 600, "key": "k1"})
    assert ledger.balances(member).points == 200


@pytest.mark.parametrize("points", ["0", "-5", "abc", "100", "5000"])
def test_convert_refuses_bad_amounts_and_changes_nothing(member_client, member, points):
    ledger.post(
        member=member, currency="points", amount=800, kind=EntryKind.ADJUSTMENT, idempotency_key="p"
    )
    response = member_client.post(reverse("gamification:convert"), {"points": points, "key": "k"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert ledger.balances(member) == ledger.Balances(points=800, credit=0)
