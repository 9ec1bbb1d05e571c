"""Contest photos in the rest of the community: members flag them through the community's
flag page (enough flags hide one), the moderation log names them, and a member's erasure
removes their photos."""

import pytest
from django.urls import reverse

from community.contests.erasure import ERASED_REASON, erase_member
from community.models import CommunitySettings, Flag

from .conftest import cast_vote, enter_photo, make_photo_contest

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(make_user):
    contest = make_photo_contest(phase="both")
    return enter_photo(contest, make_user(email="author@example.com"))


def flag_url(photo) -> str:
    return reverse("community:flag", args=["contests.contestphoto", photo.pk])


def test_the_gallery_links_to_the_flag_page_of_others_photos(client, member, photo):
    client.force_login(member)

    gallery = client.get(reverse("contests:gallery", args=[photo.contest.slug])).content.decode()

    assert flag_url(photo) in gallery
    client.force_login(photo.author)
    own = client.get(reverse("contests:gallery", args=[photo.contest.slug])).content.decode()
    assert flag_url(photo) not in own


def test_a_member_flags_a_photo_and_enough_flags_hide_it(client, member, photo):
    settings = CommunitySettings.load()
    settings.flag_hide_threshold = 2
    settings.save()
    client.force_login(member)
    assert client.get(flag_url(photo)).status_code == 200

    response = client.post(flag_url(photo), {"reason": "offensive", "note": ""})

    assert response.status_code == 302
    flag = Flag.objects.get()
    assert flag.target == photo and flag.member == member
    photo.refresh_from_db()
    assert photo.is_hidden  # a flag weighs 2: the threshold is reached


def test_photos_of_an_unpublished_contest_cannot_be_flagged(client, member, photo):
    photo.contest.is_published = False
    photo.contest.save()
    client.force_login(member)

    assert client.get(flag_url(photo)).status_code == 404


def test_erasure_without_keeping_posts_removes_the_members_photos(photo, member):
    cast_vote(member, photo)

    erase_member(photo.author, keep_posts=False)
    erase_member(photo.author, keep_posts=False)  # idempotent

    photo.refresh_from_db()
    assert photo.is_hidden and photo.hidden_reason == ERASED_REASON
    assert photo.photo.name == "" and photo.body == ""
    assert photo.vote_count == 1  # the votes and their books stay


def test_erasure_keeping_posts_keeps_the_photos(photo):
    name = photo.photo.name

    erase_member(photo.author, keep_posts=True)

    photo.refresh_from_db()
    assert not photo.is_hidden and photo.photo.name == name
