"""Forum fixtures: the club's rules and tiers, brakes loose enough to post twice in a row
(brake tests tighten them), categories open to all, for Gold and above and for an
interest group, and topics made through the real services."""

import io

import pytest
from PIL import Image

from community.forums import services
from community.forums.models import CategoryKind, ForumCategory
from community.models import CommunitySettings, GroupMembership, InterestGroup, Suspension
from community.profiles import profile_for
from gamification.models import MemberTier, Tier
from portal.accounts import roles
from tests.gamification.conftest import club_rules  # noqa: F401 - autouse: rules and tiers


@pytest.fixture(autouse=True)
def loose_brakes(db):
    settings = CommunitySettings.load()
    settings.seconds_between_posts = 0
    settings.new_account_percent = 100
    settings.daily_topics = 100
    settings.daily_posts = 500
    settings.daily_likes = 500
    settings.duplicate_window_hours = 0
    settings.max_links = settings.new_account_max_links = 100
    settings.save()
    return settings


@pytest.fixture
def moderator(make_user):
    return make_user(roles.MODERATOR, first_name="Mo", last_name="Derator")


@pytest.fixture
def author(make_user):
    user = make_user(roles.MEMBER, first_name="Ada", last_name="Lovelace")
    profile_for(user)
    return user


@pytest.fixture
def reader(make_user):
    user = make_user(roles.MEMBER, first_name="Rea", last_name="Der")
    profile_for(user)
    return user


@pytest.fixture
def suspended(make_user, moderator):
    from datetime import timedelta

    from django.utils import timezone

    user = make_user(roles.MEMBER, first_name="Sus", last_name="Pended")
    profile_for(user)
    Suspension.objects.create(
        member=user, until=timezone.now() + timedelta(days=3), reason="spam", moderator=moderator
    )
    return user


@pytest.fixture
def category(db):
    return ForumCategory.objects.create(
        name="Products", slug="products", kind=CategoryKind.PRODUCT, position=1
    )


@pytest.fixture
def other_category(db):
    return ForumCategory.objects.create(
        name="How-tos", slug="how-to", kind=CategoryKind.EDUCATION, position=1
    )


def put_in_tier(member, slug: str) -> None:
    MemberTier.objects.update_or_create(
        member=member, defaults={"tier": Tier.objects.get(slug=slug)}
    )


@pytest.fixture
def gold_category(db):
    return ForumCategory.objects.create(
        name="Gold lounge",
        slug="gold-lounge",
        kind=CategoryKind.GROUP,
        min_tier=Tier.objects.get(slug="gold"),
    )


@pytest.fixture
def group(db):
    return InterestGroup.objects.create(name="Photographers", slug="photo")


@pytest.fixture
def group_category(group):
    return ForumCategory.objects.create(
        name="Photo corner", slug="photo-corner", kind=CategoryKind.GROUP, group=group
    )


def join(member, group) -> None:
    GroupMembership.objects.get_or_create(member=member, group=group)


@pytest.fixture
def topic(author, category):
    return services.start_topic(
        author=author, category=category, title="Best coffee machine?", body="Which one do you use?"
    )


def png_upload(name="pic.png", size=(8, 8)):
    from django.core.files.uploadedfile import SimpleUploadedFile

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")
