"""Account erasure (portal.accounts.erasure) and "Download my data" for the community:
the member's profile, status updates, comments, likes, follows and groups."""

import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from community import likes, services
from community.models import (
    Comment,
    CommunityProfile,
    FeedItem,
    GroupMembership,
    InterestGroup,
    Like,
    MemberFollow,
    StatusUpdate,
)
from community.profiles import profile_for
from portal.accounts import data_export, erasure
from portal.accounts.models import ErasureRequest
from portal.notifications.models import Notification

from .conftest import png_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loose_brakes")]


@pytest.fixture
def life(author, member, make_user):
    """The author's community life: a profile with a bio, a status with a photo that
    mentions a friend, a comment, a like, follows both ways, a group."""
    friend = make_user(first_name="Grace", last_name="Hopper")
    profile = profile_for(author)
    profile.bio = "Countess of Lovelace"
    profile.save()
    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    status = services.post_status(
        author=author, body=f"Tea with @{profile_for(friend).handle}", photo=photo
    )
    other = services.post_status(author=member, body="Member news")
    comment = services.post_comment(author=author, target=other, body="Lovely")
    likes.like(member=author, target=other)
    likes.like(member=member, target=status)
    services.follow(follower=author, followed=member)
    services.follow(follower=member, followed=author)
    group = InterestGroup.objects.create(name="Engines", slug="engines")
    services.join_group(member=author, group=group)
    return {"status": status, "other": other, "comment": comment, "friend": friend}


def erase(member, posts, django_capture_on_commit_callbacks) -> None:
    erasure.request_erasure(member=member, posts=posts)
    with django_capture_on_commit_callbacks(execute=True):
        assert erasure.erase_due_accounts(now=timezone.now() + timedelta(days=30))["erased"] == 1


def test_keeping_posts_keeps_them_under_former_member(
    author, life, django_capture_on_commit_callbacks
):
    erase(author, ErasureRequest.Posts.KEEP, django_capture_on_commit_callbacks)

    profile = CommunityProfile.objects.get(member=author)
    assert (profile.handle, profile.bio) == (f"former_{author.pk}", "")
    status = StatusUpdate.objects.get(pk=life["status"].pk)
    assert not status.is_hidden and status.body.startswith("Tea with")
    assert not MemberFollow.objects.filter(follower=author).exists()
    assert not MemberFollow.objects.filter(followed=author).exists()
    assert not GroupMembership.objects.filter(member=author).exists()
    told = Notification.objects.get(member=life["friend"], kind="mention")
    assert told.title == "Former member mentioned you"


def test_removing_posts_blanks_and_hides_them(author, life, django_capture_on_commit_callbacks):
    storage = StatusUpdate._meta.get_field("photo").storage
    photo = life["status"].photo.name
    assert storage.exists(photo)

    erase(author, ErasureRequest.Posts.REMOVE, django_capture_on_commit_callbacks)

    for model in (StatusUpdate, Comment):
        for row in model.objects.filter(author=author):
            assert (row.body, row.body_html, row.is_hidden) == ("", "", True)
    assert not storage.exists(photo)
    assert StatusUpdate.objects.get(pk=life["status"].pk).photo.name == ""
    assert StatusUpdate.objects.get(pk=life["other"].pk).comment_count == 0
    assert not FeedItem.objects.filter(actor=author).exists()
    # Likes stay (counts), pointing at the pseudonym.
    assert Like.objects.filter(member=author).count() == 1


def test_download_my_data_holds_the_community_sections(author, life, member):
    archive = zipfile.ZipFile(__import__("io").BytesIO(data_export.build(author)))
    data = json.loads(archive.read("data.json"))
    assert data["community_profile"]["bio"] == "Countess of Lovelace"
    assert [s["body"] for s in data["status_updates"]] == [life["status"].body]
    assert [c["body"] for c in data["comments"]] == ["Lovely"]
    assert data["likes"][0]["liked"] == "statusupdate"
    assert data["following"] == [
        {"handle": profile_for(member).handle, "since": data["following"][0]["since"]}
    ]
    assert data["group_memberships"][0]["group"] == "Engines"
    html = archive.read("index.html").decode()
    assert "Countess of Lovelace" in html and "Member news" not in html
