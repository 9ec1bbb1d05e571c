"""The moderators' forum actions: lock, pin, move, hide and restore a topic or a post. Each is
logged (community.moderation.log) with who, what, why and when; points and feed lines follow
what is hidden and restored."""

import pytest

from community.forums import selectors, services
from community.models import FeedItem, ModerationAction, ModerationLog
from gamification.models import Action, Award

pytestmark = pytest.mark.django_db


def actions():
    return list(ModerationLog.objects.order_by("pk").values_list("action", flat=True))


def test_lock_and_unlock_are_logged_once(topic, moderator, author):
    assert services.set_locked(topic=topic, moderator=moderator, locked=True, reason="heated")
    assert not services.set_locked(topic=topic, moderator=moderator, locked=True)
    assert services.set_locked(topic=topic, moderator=moderator, locked=False)
    assert actions() == [ModerationAction.LOCK, ModerationAction.UNLOCK]
    entry = ModerationLog.objects.order_by("pk").first()
    assert entry.moderator == moderator and entry.member == author
    assert entry.reason == "heated" and entry.target == topic


def test_pinned_topics_come_first(author, category, moderator, reader):
    old = services.start_topic(author=author, category=category, title="Rules", body="Be kind")
    services.start_topic(author=author, category=category, title="Newer", body="Hello")
    assert [t.title for t in selectors.category_topics(category, reader)] == ["Newer", "Rules"]
    services.set_pinned(topic=old, moderator=moderator, pinned=True)
    assert [t.title for t in selectors.category_topics(category, reader)] == ["Rules", "Newer"]
    services.set_pinned(topic=old, moderator=moderator, pinned=False)
    assert actions() == [ModerationAction.PIN, ModerationAction.UNPIN]


def test_members_cannot_use_moderator_actions(topic, reader, other_category):
    for call in (
        lambda: services.set_locked(topic=topic, moderator=reader, locked=True),
        lambda: services.set_pinned(topic=topic, moderator=reader, pinned=True),
        lambda: services.move_topic(topic=topic, moderator=reader, category=other_category),
        lambda: services.hide_topic(topic=topic, moderator=reader, reason="x"),
    ):
        with pytest.raises(services.ForumRefused):
            call()
    topic.refresh_from_db()
    assert (topic.is_locked, topic.is_pinned, topic.is_hidden) == (False, False, False)
    assert not ModerationLog.objects.exists()


def test_move_logs_both_categories(topic, moderator, category, other_category):
    assert services.move_topic(
        topic=topic, moderator=moderator, category=other_category, reason="wrong place"
    )
    assert not services.move_topic(topic=topic, moderator=moderator, category=other_category)
    topic.refresh_from_db()
    assert topic.category == other_category
    entry = ModerationLog.objects.get(action=ModerationAction.MOVE)
    assert entry.detail == {"from_category": "Products", "to_category": "How-tos"}


def test_moving_into_a_restricted_category_hides_the_feed_line(
    topic, moderator, gold_category, category
):
    line = FeedItem.objects.get(verb="topic")
    services.move_topic(topic=topic, moderator=moderator, category=gold_category)
    line.refresh_from_db()
    assert line.is_hidden
    services.move_topic(topic=topic, moderator=moderator, category=category)
    line.refresh_from_db()
    assert not line.is_hidden


def test_hiding_a_topic_takes_its_points_and_feed_line_and_restoring_gives_them_back(
    topic, moderator, author, reader
):
    reply = services.reply(author=reader, topic=topic, body="Reply")
    assert services.hide_topic(topic=topic, moderator=moderator, reason="spam")
    topic.refresh_from_db()
    assert topic.is_hidden and topic.first_post.is_hidden
    assert not Award.objects.filter(
        member=author, action=Action.TOPIC_POSTED, revoked_at__isnull=True
    ).exists()
    assert FeedItem.objects.get(verb="topic").is_hidden
    assert not selectors.visible_topics(reader).filter(pk=topic.pk).exists()
    assert selectors.visible_topics(author).filter(pk=topic.pk).exists()  # their own
    assert selectors.visible_topics(moderator).filter(pk=topic.pk).exists()
    assert services.restore_topic(topic=topic, moderator=moderator, reason="appeal upheld")
    topic.refresh_from_db()
    assert not topic.is_hidden and not topic.first_post.is_hidden
    assert Award.objects.filter(
        member=author, action=Action.TOPIC_POSTED, revoked_at__isnull=True
    ).exists()
    assert not FeedItem.objects.get(verb="topic").is_hidden
    reply.refresh_from_db()
    assert not reply.is_hidden
    assert actions() == [ModerationAction.HIDE, ModerationAction.RESTORE]


def test_a_topic_whose_opening_post_the_flags_hid_leaves_the_lists(topic, moderator, reader):
    from community import moderation

    moderation.hide(content=topic.first_post, moderator=None, reason="")
    assert not selectors.visible_topics(reader).filter(pk=topic.pk).exists()
    assert selectors.category_index(reader)[0].categories[0].topic_total == 0
    for member in (reader, topic.author):
        with pytest.raises(services.ForumRefused):
            services.reply(author=member, topic=topic, body="Still here?")
    assert topic.posts.count() == 1


def test_hiding_a_reply_revokes_its_comment_points(topic, reader, moderator):
    reply = services.reply(author=reader, topic=topic, body="Reply")
    assert services.hide_post(post=reply, moderator=moderator, reason="rude")
    assert not Award.objects.filter(
        member=reader, action=Action.COMMENT_POSTED, revoked_at__isnull=True
    ).exists()
    assert services.restore_post(post=reply, moderator=moderator, reason="on second look")
    assert Award.objects.filter(
        member=reader, action=Action.COMMENT_POSTED, revoked_at__isnull=True
    ).exists()
