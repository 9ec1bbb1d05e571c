"""Spam brakes: each limit refuses with a clear code and message, and says when to try again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community import brakes
from community.models import CommunitySettings, Suspension
from gamification.models import MemberTier, Tier


@pytest.fixture
def settings_row(db):
    row = CommunitySettings.load()
    row.seconds_between_posts = 30
    row.daily_topics = 2
    row.daily_likes = 4
    row.tier_bonus_percent = 50
    row.new_account_days = 7
    row.new_account_percent = 50
    row.new_account_max_links = 1
    row.max_links = 3
    row.save()
    return row


@pytest.fixture
def veteran(make_user):
    user = make_user()
    user.date_joined = timezone.now() - timedelta(days=30)
    user.save(update_fields=["date_joined"])
    return user


def refused(code, **kwargs):
    with pytest.raises(brakes.Refused) as caught:
        brakes.check(**kwargs)
    assert caught.value.code == code
    return caught.value


def test_time_between_posts(settings_row, veteran):
    now = timezone.now()
    brakes.check(member=veteran, kind="post", source="first", at=now)
    brakes.note(member=veteran, kind="post", source="first", at=now)
    error = refused(
        "slow_down", member=veteran, kind="comment", source="x", at=now + timedelta(seconds=10)
    )
    assert error.retry_at == now + timedelta(seconds=30)
    assert "You can post again at" in str(error.message)
    brakes.check(member=veteran, kind="comment", source="x", at=now + timedelta(seconds=31))
    # Likes are not posts: no wait.
    brakes.check(member=veteran, kind="like", at=now + timedelta(seconds=1))


def test_daily_limit_grows_with_tier_and_resets_at_midnight(settings_row, veteran):
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    for minute in range(4):
        brakes.note(member=veteran, kind="like", at=start + timedelta(minutes=minute))
    error = refused("daily_limit", member=veteran, kind="like", at=start + timedelta(hours=1))
    assert error.retry_at == start.replace(hour=0) + timedelta(days=1)

    tiers = list(Tier.objects.order_by("threshold"))
    if len(tiers) < 3:
        tiers.append(Tier.objects.create(name="Top", slug="top", threshold=10**9))
    MemberTier.objects.create(member=veteran, tier=tiers[2])
    # Two steps above the lowest: 4 likes + 2 x 50 % = 8.
    assert brakes.daily_limit(veteran, "like") == 8
    brakes.check(member=veteran, kind="like", at=start + timedelta(hours=1))
    MemberTier.objects.filter(member=veteran).update(tier=tiers[0])
    assert brakes.daily_limit(veteran, "like") == 4
    brakes.check(member=veteran, kind="like", at=start + timedelta(days=1, minutes=1))


def test_new_accounts_get_less_and_fewer_links(settings_row, make_user):
    newcomer = make_user()
    assert brakes.daily_limit(newcomer, "topic") == 1
    assert brakes.daily_limit(newcomer, "like") == 2
    refused(
        "too_many_links", member=newcomer, kind="post", source="https://a.example https://b.example"
    )
    brakes.check(member=newcomer, kind="post", source="one link https://a.example")


def test_links_and_mentions_limits_for_everyone(settings_row, veteran):
    settings_row.max_mentions = 2
    settings_row.save()
    refused(
        "too_many_links",
        member=veteran,
        kind="topic",
        source=" ".join(f"https://{i}.example" for i in range(4)),
    )
    refused("too_many_mentions", member=veteran, kind="status", source="@abc @def @ghi")
    brakes.check(member=veteran, kind="status", source="@abc @def")


def test_the_same_text_twice_is_refused(settings_row, veteran):
    now = timezone.now()
    brakes.note(member=veteran, kind="post", source="Buy  now!", at=now - timedelta(hours=1))
    refused("duplicate", member=veteran, kind="comment", source="buy now!", at=now)
    brakes.check(member=veteran, kind="comment", source="buy now!", at=now + timedelta(days=1))


def test_suspended_members_can_do_nothing_until_the_end(settings_row, veteran, make_user):
    until = timezone.now() + timedelta(days=3)
    Suspension.objects.create(member=veteran, until=until, reason="spam", moderator=make_user())
    for kind in brakes.DAILY_FIELD:
        error = refused("suspended", member=veteran, kind=kind)
        assert error.retry_at == until
    brakes.check(member=veteran, kind="like", at=until + timedelta(seconds=1))


def test_unknown_kind_is_a_programming_error(settings_row, veteran):
    with pytest.raises(ValueError):
        brakes.check(member=veteran, kind="shout")
    with pytest.raises(ValueError):
        brakes.note(member=veteran, kind="shout")
