"""Status updates and comments: posted through the spam brakes, paid by rule, announced in
the feed, mentions told once; a bad photo or text is refused with nothing saved."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from community import brakes, services
from community.models import Comment, CommunitySettings, FeedItem, StatusUpdate
from community.profiles import profile_for
from gamification import ledger
from gamification.models import Action, Award
from portal.notifications.models import Notification

from .conftest import png_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loose_brakes")]


def test_a_status_update_pays_the_rule_and_reaches_the_feed(author):
    status = services.post_status(author=author, body="Just got my **gold** card")
    assert status.body_html == "<p>Just got my <strong>gold</strong> card</p>"
    award = Award.objects.get(member=author)
    assert (award.action, award.subject_id, award.points) == (Action.STATUS_POSTED, status.pk, 2)
    item = FeedItem.objects.get()
    assert (item.actor, item.verb, item.target) == (author, "status", status)
    assert item.text == "Just got my gold card"
    assert item.url == f"/community/status/{status.pk}/"


def test_text_over_500_characters_or_empty_is_refused(author):
    with pytest.raises(services.CommunityRefused) as long:
        services.post_status(author=author, body="x" * 501)
    with pytest.raises(services.CommunityRefused) as empty:
        services.post_status(author=author, body="   ")
    assert (long.value.code, empty.value.code) == ("too_long", "empty")
    assert not StatusUpdate.objects.exists()
    assert ledger.balances(author).points == 0


def test_a_photo_is_checked_and_re_encoded(author):
    upload = SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")
    status = services.post_status(author=author, body="", photo=upload)
    assert status.photo.name.startswith("status/") and status.photo.name.endswith(".png")
    assert status.photo.name != "me.png"


def test_a_file_that_is_not_a_picture_is_refused(author):
    upload = SimpleUploadedFile("evil.png", b"<svg onload=alert(1)>", content_type="image/png")
    with pytest.raises(ValidationError) as refusal:
        services.post_status(author=author, body="look", photo=upload)
    assert "photo" in refusal.value.error_dict
    assert not StatusUpdate.objects.exists()


def test_a_picture_over_the_managers_size_is_refused(author):
    settings = CommunitySettings.load()
    settings.max_image_kb = 1
    settings.save()
    upload = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * 2048)
    with pytest.raises(ValidationError):
        services.post_status(author=author, body="big", photo=upload)
    assert not StatusUpdate.objects.exists()


def test_mentioned_members_are_told_once(author, make_user):
    friend = make_user(first_name="Grace", last_name="Hopper")
    handle = profile_for(friend).handle
    assert handle == "grace_h"
    status = services.post_status(author=author, body=f"Coffee with @{handle} and @{handle}!")
    services.post_comment(author=author, target=status, body=f"@{handle} thanks!")

    told = Notification.objects.filter(member=friend, kind="mention")
    assert told.count() == 2  # one for the status update, one for the comment
    assert (
        f'<a href="/community/members/{handle}/" rel="nofollow ugc noopener">' in status.body_html
    )


def test_a_member_is_not_told_of_mentioning_themselves(author):
    handle = profile_for(author).handle
    services.post_status(author=author, body=f"I am @{handle}")
    assert not Notification.objects.filter(kind="mention").exists()


def test_notify_mentions_again_tells_only_the_newly_mentioned(author, make_user):
    from community.mentions import notify_mentions

    first, second = make_user(), make_user()
    status = services.post_status(author=author, body=f"@{profile_for(first).handle}")
    status.body += f" and @{profile_for(second).handle}"
    told = notify_mentions(content=status, author=author, url=f"/community/status/{status.pk}/")
    assert told == [second]


def test_a_comment_pays_counts_and_tells_the_author(author, status, member):
    comment = services.post_comment(author=member, target=status, body="Congratulations!")
    status.refresh_from_db()
    assert status.comment_count == 1
    assert comment.target == status
    assert ledger.balances(member).points == 3
    note = Notification.objects.get(member=author, kind="comment")
    assert note.url == f"/community/comments/{comment.pk}/"


def test_no_comment_on_hidden_content(status, member, moderator):
    from community import moderation

    moderation.hide(content=status, moderator=moderator, reason="spam")
    with pytest.raises(services.CommunityRefused) as refusal:
        services.post_comment(author=member, target=status, body="hello")
    assert refusal.value.code == "hidden"
    assert not Comment.objects.exists()


def test_brakes_time_between_posts_says_when_to_try_again(author, loose_brakes):
    loose_brakes.seconds_between_posts = 60
    loose_brakes.save()
    services.post_status(author=author, body="one")
    with pytest.raises(brakes.Refused) as refusal:
        services.post_status(author=author, body="two")
    assert refusal.value.code == "slow_down"
    assert refusal.value.retry_at > timezone.now()
    assert "You can post again at" in str(refusal.value.message)
    assert StatusUpdate.objects.count() == 1


def test_brakes_refuse_the_same_text_twice(author):
    services.post_status(author=author, body="Buy now!")
    with pytest.raises(brakes.Refused) as refusal:
        services.post_status(author=author, body="buy   NOW!")
    assert refusal.value.code == "duplicate"


def test_brakes_daily_limit_for_status_updates(author, loose_brakes, time_machine):
    loose_brakes.daily_status_updates = 2
    loose_brakes.save()
    # Tomorrow morning: after the member joined, well inside one local day.
    start = (timezone.localtime() + timedelta(days=1)).replace(hour=9)
    time_machine.move_to(start, tick=False)
    services.post_status(author=author, body="one")
    services.post_status(author=author, body="two")
    with pytest.raises(brakes.Refused) as refusal:
        services.post_status(author=author, body="three")
    assert refusal.value.code == "daily_limit"
    time_machine.move_to(start + timedelta(days=1), tick=False)
    services.post_status(author=author, body="three")
