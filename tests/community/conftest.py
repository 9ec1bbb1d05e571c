"""Community fixtures: the club's rules and tiers (gamification migration 0002), brakes
loose enough that a test can post twice in a row (`loose_brakes`: the modules that post a
lot use it, and tighten a brake again where that is what they test), a moderator, and
content made through the real services."""

import io

import pytest
from PIL import Image

from community import services
from community.models import CommunitySettings
from community.profiles import profile_for
from portal.accounts import roles
from tests.gamification.conftest import club_rules  # noqa: F401 - autouse: rules and tiers


@pytest.fixture
def loose_brakes(db):
    settings = CommunitySettings.load()
    settings.seconds_between_posts = 0
    settings.new_account_days = 0
    for field in ("daily_posts", "daily_likes", "daily_flags", "daily_status_updates"):
        setattr(settings, field, 1_000)
    settings.save()
    return settings


@pytest.fixture
def moderator(make_user):
    return make_user(roles.MODERATOR, first_name="Mo", last_name="Derator")


@pytest.fixture
def author(make_user, loose_brakes):
    user = make_user(roles.MEMBER, first_name="Ada", last_name="Lovelace")
    profile_for(user)
    return user


@pytest.fixture
def status(author):
    return services.post_status(author=author, body="Hello **club**")


def png_bytes(size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()
