"""Starting topics, replying, quoting, pictures, tags, editing with history, following and
who is told, through community.forums.services."""

import pytest
from django.core.exceptions import ValidationError

from community import brakes, moderation
from community.forums import services
from community.forums.models import Poll, Post, PostImage, PostRevision, Topic, TopicFollow
from community.models import FeedItem, ModerationAction, ModerationLog
from gamification.models import Action, Award
from portal.accounts import roles
from portal.notifications.models import Notification

from .conftest import png_upload, put_in_tier

pytestmark = pytest.mark.django_db


def live_awards(member, action):
    return Award.objects.filter(member=member, action=action, revoked_at__isnull=True)


def test_start_topic_makes_the_opening_post_and_pays_topic_posted(author, category):
    topic = services.start_topic(
        author=author, category=category, title="  Hello   club ", body="First **post**"
    )
    assert topic.title == "Hello club"
    assert topic.post_count == 1
    post = topic.first_post
    assert post.is_opening and post.body_html == "<p>First <strong>post</strong></p>"
    assert post.AWARD_ACTION == Action.TOPIC_POSTED
    assert live_awards(author, Action.TOPIC_POSTED).get().subject_id == post.pk
    assert not live_awards(author, Action.COMMENT_POSTED).exists()
    assert TopicFollow.objects.filter(topic=topic, member=author).exists()


def test_a_new_topic_in_an_open_category_goes_to_the_feed(topic, author):
    item = FeedItem.objects.get(verb="topic", actor=author)
    assert item.text == topic.title
    assert item.url == topic.get_absolute_url()
    assert item.target_id == topic.first_post_id


def test_a_new_topic_in_a_restricted_category_stays_out_of_the_feed(author, gold_category):
    put_in_tier(author, "gold")
    services.start_topic(author=author, category=gold_category, title="Gold", body="Only us")
    assert not FeedItem.objects.filter(verb="topic").exists()


def test_reply_pays_comment_posted_and_moves_the_topic(topic, reader):
    post = services.reply(author=reader, topic=topic, body="I like mine.")
    topic.refresh_from_db()
    assert topic.post_count == 2
    assert topic.last_post_at == post.created_at
    assert post.AWARD_ACTION == Action.COMMENT_POSTED == Post.AWARD_ACTION
    assert live_awards(reader, Action.COMMENT_POSTED).get().subject_id == post.pk


def test_hiding_and_restoring_the_opening_post_takes_back_and_gives_back_topic_points(
    topic, author, moderator
):
    post = topic.first_post
    assert moderation.hide(content=post, moderator=moderator, reason="spam")
    assert not live_awards(author, Action.TOPIC_POSTED).exists()
    assert moderation.restore(content=post, moderator=moderator, reason="fine after all")
    assert live_awards(author, Action.TOPIC_POSTED).count() == 1
    assert not live_awards(author, Action.COMMENT_POSTED).exists()


def test_bad_input_is_refused_and_saves_nothing(author, category):
    for title, body in [("", "text"), ("Title", "   "), ("x" * 201, "text")]:
        with pytest.raises(ValidationError):
            services.start_topic(author=author, category=category, title=title, body=body)
    assert not Topic.objects.exists() and not Post.objects.exists()


def test_a_refused_picture_saves_nothing(author, category):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        services.start_topic(
            author=author, category=category, title="Pics", body="Look", images=[bad]
        )
    assert "images" in error.value.error_dict
    assert not Topic.objects.exists()


def test_pictures_are_re_encoded_and_limited(author, category):
    topic = services.start_topic(
        author=author, category=category, title="Pics", body="Look", images=[png_upload()]
    )
    image = PostImage.objects.get(post=topic.first_post)
    assert image.image.name.endswith(".png") and "pic" not in image.image.name
    assert (image.width, image.height) == (8, 8)
    with pytest.raises(ValidationError):
        services.reply(
            author=author,
            topic=topic,
            body="Many",
            images=[png_upload() for _ in range(services.MAX_IMAGES + 1)],
        )


def test_tags_are_kept_once_each_and_limited(author, category):
    topic = services.start_topic(
        author=author,
        category=category,
        title="Tags",
        body="Tagged",
        tags=["coffee", "Coffee", " قهوه ", ""],
    )
    assert sorted(topic.tags.names()) == ["coffee", "قهوه"]
    with pytest.raises(ValidationError):
        services.start_topic(
            author=author, category=category, title="T", body="B", tags=list("abcdefg")
        )


def test_quoting_takes_a_visible_post_of_the_same_topic_only(topic, reader, author, category):
    reply = services.reply(
        author=reader, topic=topic, body="> Which one\n\nThis one", quote_of=topic.first_post
    )
    assert reply.quote_of_id == topic.first_post_id
    elsewhere = services.start_topic(author=author, category=category, title="Other", body="x")
    with pytest.raises(services.ForumRefused) as error:
        services.reply(author=reader, topic=topic, body="no", quote_of=elsewhere.first_post)
    assert error.value.code == "quote"


def test_locked_topic_refuses_replies_but_not_from_moderators(topic, reader, moderator):
    services.set_locked(topic=topic, moderator=moderator, locked=True)
    with pytest.raises(services.ForumRefused) as error:
        services.reply(author=reader, topic=topic, body="Late")
    assert error.value.code == "locked"
    services.reply(author=moderator, topic=topic, body="Closing words")
    assert topic.posts.count() == 2


def test_suspended_member_cannot_start_a_topic_or_reply(suspended, category, topic):
    with pytest.raises(brakes.Refused) as error:
        services.start_topic(author=suspended, category=category, title="Spam", body="Spam")
    assert error.value.code == "suspended"
    with pytest.raises(brakes.Refused):
        services.reply(author=suspended, topic=topic, body="Spam")
    assert Topic.objects.count() == 1 and Post.objects.count() == 1


def test_brakes_refuse_a_second_post_too_soon(loose_brakes, topic, reader):
    loose_brakes.seconds_between_posts = 60
    loose_brakes.save()
    services.reply(author=reader, topic=topic, body="One")
    with pytest.raises(brakes.Refused) as error:
        services.reply(author=reader, topic=topic, body="Two")
    assert error.value.code == "slow_down" and error.value.retry_at
    assert topic.posts.count() == 2


def test_outsider_cannot_post_in_a_restricted_category(reader, gold_category):
    with pytest.raises(services.ForumRefused) as error:
        services.start_topic(author=reader, category=gold_category, title="Hi", body="Let me in")
    assert error.value.code == "no_access"


def test_followers_are_told_of_a_reply_but_not_the_replier(topic, author, reader, make_user):
    watcher = make_user(roles.MEMBER)
    services.follow_topic(member=watcher, topic=topic)
    services.reply(author=reader, topic=topic, body="Hello all")
    told = set(Notification.objects.filter(kind="forum_reply").values_list("member_id", flat=True))
    assert told == {author.pk, watcher.pk}
    # The replier now follows too; the next reply tells them, not its own author.
    Notification.objects.all().delete()
    services.reply(author=author, topic=topic, body="Thanks")
    told = set(Notification.objects.filter(kind="forum_reply").values_list("member_id", flat=True))
    assert told == {reader.pk, watcher.pk}


def test_followers_who_lost_access_are_not_told(author, reader, gold_category):
    put_in_tier(author, "gold")
    put_in_tier(reader, "gold")
    topic = services.start_topic(author=author, category=gold_category, title="G", body="g")
    services.follow_topic(member=reader, topic=topic)
    put_in_tier(reader, "bronze")
    services.reply(author=author, topic=topic, body="Secret")
    assert not Notification.objects.filter(member=reader, kind="forum_reply").exists()


def test_mentions_tell_only_members_who_may_enter(author, reader, make_user, gold_category):
    from community.profiles import profile_for

    insider = make_user(roles.MEMBER)
    put_in_tier(author, "gold")
    put_in_tier(insider, "gold")
    inside, outside = profile_for(insider).handle, profile_for(reader).handle
    services.start_topic(
        author=author,
        category=gold_category,
        title="Hello",
        body=f"Hi @{inside} and @{outside}",
    )
    mentioned = set(Notification.objects.filter(kind="mention").values_list("member_id", flat=True))
    assert mentioned == {insider.pk}


def test_edit_keeps_history_and_renders_again(topic, author):
    post = topic.first_post
    assert services.edit_post(post=post, editor=author, body="New *text*", title="New title")
    post.refresh_from_db()
    topic.refresh_from_db()
    assert post.body_html == "<p>New <em>text</em></p>" and post.edited_by == author
    assert topic.title == "New title"
    revision = PostRevision.objects.get(post=post)
    assert revision.body == "Which one do you use?"
    assert revision.title == "Best coffee machine?"
    assert revision.editor == author and not revision.by_moderator
    assert not services.edit_post(post=post, editor=author, body="New *text*", title="New title")
    assert PostRevision.objects.count() == 1


def test_members_cannot_edit_others_posts(topic, reader):
    with pytest.raises(services.ForumRefused):
        services.edit_post(post=topic.first_post, editor=reader, body="Mine now")
    assert not PostRevision.objects.exists()


def test_moderator_edit_needs_a_note_shown_logged_and_told(topic, author, moderator):
    post = topic.first_post
    with pytest.raises(ValidationError):
        services.edit_post(post=post, editor=moderator, body="Cleaned")
    services.edit_post(post=post, editor=moderator, body="Cleaned", note="removed a phone number")
    post.refresh_from_db()
    assert post.edit_note == "removed a phone number"
    revision = PostRevision.objects.get(post=post)
    assert revision.by_moderator and revision.note == "removed a phone number"
    log = ModerationLog.objects.get(action=ModerationAction.EDIT)
    assert log.moderator == moderator and log.member == author
    assert Notification.objects.filter(member=author, kind="forum_post_edited").exists()


def test_author_cannot_edit_in_a_locked_topic_or_while_suspended(topic, author, moderator):
    services.set_locked(topic=topic, moderator=moderator, locked=True)
    with pytest.raises(services.ForumRefused):
        services.edit_post(post=topic.first_post, editor=author, body="Changed")
    services.set_locked(topic=topic, moderator=moderator, locked=False)
    moderation.suspend(
        member=author,
        moderator=moderator,
        until=topic.created_at + __import__("datetime").timedelta(days=30),
        reason="cool down",
    )
    with pytest.raises(brakes.Refused):
        services.edit_post(post=topic.first_post, editor=author, body="Changed")
    assert not PostRevision.objects.exists()


def test_poll_is_created_with_its_choices(author, category):
    topic = services.start_topic(
        author=author,
        category=category,
        title="Vote",
        body="Choose",
        poll=services.PollSpec(question="Which?", choices=["A", "B", "a", ""], is_multiple=True),
    )
    poll = Poll.objects.get(topic=topic)
    assert poll.is_multiple and [c.text for c in poll.choices.all()] == ["A", "B"]


def test_a_poll_needs_two_answers(author, category):
    with pytest.raises(ValidationError) as error:
        services.start_topic(
            author=author,
            category=category,
            title="Vote",
            body="Choose",
            poll=services.PollSpec(question="Which?", choices=["Only one"]),
        )
    assert "poll_choices" in error.value.error_dict
    assert not Topic.objects.exists()
