from datetime import timedelta

import pytest
from django.utils import timezone

from gamification import activity, badges, challenges, ledger, referrals, tiers
from gamification.models import (
    Action,
    Badge,
    Challenge,
    ChallengeProgress,
    EntryKind,
    MemberBadge,
    Referral,
    TierChange,
)

pytestmark = pytest.mark.django_db


def earn(member, amount, key, at=None):
    return ledger.post(
        member=member,
        currency="points",
        amount=amount,
        kind=EntryKind.PURCHASE_POINTS,
        idempotency_key=key,
        at=at,
    )


def tier_slug(member):
    tier = tiers.current_tier(member)
    return tier.slug if tier else None


def test_member_moves_up_the_moment_they_reach_the_threshold(member):
    earn(member, 999, "a")
    tiers.evaluate(member=member)
    assert tier_slug(member) == "bronze"
    earn(member, 1, "b")
    assert tiers.evaluate(member=member).slug == "silver"
    change = TierChange.objects.filter(member=member).first()
    assert change.from_tier.slug == "bronze" and change.to_tier.slug == "silver"


def test_activity_moves_the_member_up_without_waiting_for_the_nightly_job(member, make_user):
    from cardgateway.models import Branch

    earn(member, 995, "base")
    subject = Branch.objects.create(code="x", name="X", city="X")
    activity.record(member=member, action=Action.TOPIC_POSTED, subject=subject)
    assert tier_slug(member) == "silver"


def test_tier_goes_down_only_when_the_window_no_longer_supports_it(member):
    long_ago = timezone.now() - timedelta(days=400)
    earn(member, 1500, "old", at=long_ago)
    tiers.evaluate(member=member, at=long_ago)
    assert tier_slug(member) == "silver"
    # Day-to-day evaluation never moves down...
    tiers.evaluate(member=member)
    assert tier_slug(member) == "silver"
    # ...the nightly re-evaluation does, once the points left the 365-day window.
    result = tiers.reevaluate_all()
    assert result["changed"] == 1
    assert tier_slug(member) == "bronze"
    assert tiers.reevaluate_all()["changed"] == 0  # idempotent


def test_first_tier_and_moves_down_are_announced_moves_up_left_to_the_automation(member):
    """The portal announces the first (lowest) tier and a move down; a move up is the tier
    automation's congratulation (tests/automations), so the member is told once."""
    from portal.notifications.models import Notification

    earn(member, 10, "small")
    tiers.evaluate(member=member)
    assert tier_slug(member) == "bronze"
    assert Notification.objects.filter(member=member, kind="tier_changed").count() == 1
    earn(member, 5000, "big")
    tiers.evaluate(member=member)
    assert Notification.objects.filter(member=member, kind="tier_changed").count() == 1


def test_badges_are_granted_once(member):
    earn(member, 10, "p1")
    assert [b.slug for b in badges.evaluate(member=member)] == ["first-purchase"]
    assert badges.evaluate(member=member) == []
    assert MemberBadge.objects.filter(member=member).count() == 1


def test_tier_badge_follows_the_tier(member):
    earn(member, 5000, "gold")
    tiers.evaluate(member=member)
    assert "gold-member" in [b.slug for b in badges.evaluate(member=member)]


def test_streak_of_active_weeks(member):
    now = timezone.now()
    for week in range(4):
        earn(member, 5, f"w{week}", at=now - timedelta(weeks=week))
    assert badges.active_week_streak(member=member) == 4
    assert "regular" in [b.slug for b in badges.evaluate(member=member)]


def test_challenge_progress_and_reward_paid_once(member):
    from cardgateway.models import Branch

    now = timezone.now()
    badge = Badge.objects.create(slug="chatty", name="Chatty")
    challenge = Challenge.objects.create(
        name="Three comments",
        action=Action.COMMENT_POSTED,
        target=3,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
        reward_points=40,
        reward_badge=badge,
    )
    for i in range(4):
        subject = Branch.objects.create(code=f"c{i}", name="C", city="X")
        activity.record(member=member, action=Action.COMMENT_POSTED, subject=subject)
    row = ChallengeProgress.objects.get(challenge=challenge, member=member)
    assert row.completed_at is not None
    assert ledger.balances(member).points == 4 * 3 + 40
    assert MemberBadge.objects.filter(member=member, badge=badge).count() == 1
    challenges.progress(member=member, action=Action.COMMENT_POSTED)
    assert ledger.balances(member).points == 52


def test_referral_pays_the_referrer_for_sign_up_and_first_purchase(member, make_user):
    friend = make_user(email="friend@example.com")
    referral = referrals.register_referral(referrer=member, referee=friend)
    assert ledger.balances(member).points == 30
    tiers.evaluate(member=member)  # bronze: 0.5 % referral share
    result = referrals.credit_purchase_share(
        referee=friend, base_amount=199_999, idempotency_key="p1:ref"
    )
    assert result.amount == 999  # 199,999 x 0.5 % = 999.995, rounded down
    assert ledger.balances(member).credit == 999
    assert ledger.balances(member).points == 130  # + first purchase
    again = referrals.credit_purchase_share(
        referee=friend, base_amount=199_999, idempotency_key="p1:ref"
    )
    assert again.entry == result.entry and ledger.balances(member).credit == 999
    referral.refresh_from_db()
    assert referral.first_purchase_at is not None
    assert referrals.referees_of(member) == [(referral, 999)]


def test_referral_share_stops_after_the_period(member, make_user):
    friend = make_user(email="friend@example.com")
    referrals.register_referral(referrer=member, referee=friend)
    tiers.evaluate(member=member)
    later = timezone.now() + timedelta(days=366)
    result = referrals.credit_purchase_share(
        referee=friend, base_amount=100_000, idempotency_key="late", at=later
    )
    assert result.amount == 0 and ledger.balances(member).credit == 0


def test_a_member_cannot_refer_themselves(member):
    with pytest.raises(referrals.SelfReferral):
        referrals.register_referral(referrer=member, referee=member)
    assert not Referral.objects.exists()


def test_a_referee_keeps_their_first_referrer(member, make_user):
    friend = make_user(email="friend@example.com")
    other = make_user(email="other@example.com")
    assert referrals.register_referral(referrer=member, referee=friend) is not None
    assert referrals.register_referral(referrer=other, referee=friend) is None
    assert Referral.objects.get(referee=friend).referrer == member
