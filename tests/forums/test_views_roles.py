"""Each role on each forum page: member, moderator, anonymous visitor, suspended member, and a
member outside a restricted category (404 everywhere there: the category never says it
exists). Refused requests change nothing."""

import pytest
from django.urls import reverse

from community.forums import services
from community.forums.models import Poll, PollVote, Post, PostImage, Topic, TopicFollow
from community.models import Like, ModerationLog

from .conftest import join, png_upload, put_in_tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll_topic(author, category):
    return services.start_topic(
        author=author,
        category=category,
        title="Poll",
        body="Vote please",
        images=[png_upload()],
        tags=["coffee"],
        poll=services.PollSpec(question="Which?", choices=["A", "B"]),
    )


def read_urls(topic):
    post = topic.first_post
    image = PostImage.objects.filter(post=post).first()
    urls = [
        reverse("forums:category", args=[topic.category.slug]),
        reverse("forums:topic", args=[topic.pk]),
        reverse("forums:post-history", args=[post.pk]),
        reverse("forums:topic-new", args=[topic.category.slug]),
        reverse("forums:topic-reply", args=[topic.pk]),
    ]
    if image is not None:
        urls.append(reverse("forums:image", args=[image.pk]))
    return urls


def write_posts(topic):
    """(url, data) of every member POST on the topic."""
    poll = Poll.objects.filter(topic=topic).first()
    choice = poll.choices.first().pk if poll else 0
    return [
        (reverse("forums:topic-new", args=[topic.category.slug]), {"title": "T", "body": "B"}),
        (reverse("forums:topic-reply", args=[topic.pk]), {"body": "Reply"}),
        (reverse("forums:topic-follow", args=[topic.pk]), {}),
        (reverse("forums:poll-vote", args=[topic.pk]), {"choices": choice}),
        (reverse("forums:post-edit", args=[topic.first_post_id]), {"body": "Edited"}),
        (reverse("community:like", args=["forums.post", topic.first_post_id]), {}),
        (reverse("community:flag", args=["forums.post", topic.first_post_id]), {"reason": "spam"}),
    ]


def moderation_posts(topic):
    return [
        (reverse("forums:topic-lock", args=[topic.pk]), {"locked": "1"}),
        (reverse("forums:topic-pin", args=[topic.pk]), {"pinned": "1"}),
        (reverse("forums:topic-move", args=[topic.pk]), {}),
        (reverse("forums:post-hide", args=[topic.first_post_id]), {"reason": "spam"}),
    ]


def snapshot():
    return (
        Topic.objects.count(),
        Post.objects.count(),
        list(Post.objects.values_list("body", "is_hidden").order_by("pk")),
        list(Topic.objects.values_list("is_locked", "is_pinned", "category_id").order_by("pk")),
        TopicFollow.objects.count(),
        PollVote.objects.count(),
        Like.objects.count(),
        ModerationLog.objects.count(),
    )


# --- Anonymous visitors -----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in_everywhere(client, poll_topic):
    urls = [reverse("forums:index"), reverse("forums:search") + "?q=x", *read_urls(poll_topic)]
    urls.append(reverse("forums:tag", args=["coffee"]))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    before = snapshot()
    for url, data in write_posts(poll_topic) + moderation_posts(poll_topic):
        response = client.post(url, data)
        assert response.status_code == 302 and "login" in response["Location"], url
    assert snapshot() == before


# --- Members ------------------------------------------------------------------------------------


def test_member_reads_every_page(client, reader, poll_topic):
    client.force_login(reader)
    for url in [reverse("forums:index"), *read_urls(poll_topic)]:
        response = client.get(url)
        assert response.status_code == 200, url
        if "images" not in url:
            policy = response.headers["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "unsafe" not in policy
    assert client.get(reverse("forums:tag", args=["coffee"])).status_code == 200
    assert client.get(reverse("forums:search"), {"q": "vote"}).status_code == 200
    response = client.get(reverse("forums:post", args=[poll_topic.first_post_id]))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#post-{poll_topic.first_post_id}")


def test_member_takes_part(client, reader, poll_topic):
    client.force_login(reader)
    url = reverse("forums:topic-new", args=[poll_topic.category.slug])
    response = client.post(url, {"title": "Mine", "body": "My topic", "tags": "a, b"})
    assert response.status_code == 302
    mine = Topic.objects.get(title="Mine")
    assert sorted(mine.tags.names()) == ["a", "b"]
    response = client.post(reverse("forums:topic-reply", args=[poll_topic.pk]), {"body": "A reply"})
    assert response.status_code == 302
    reply = Post.objects.get(body="A reply")
    assert response["Location"].endswith(f"#post-{reply.pk}")
    choice = Poll.objects.get(topic=poll_topic).choices.first()
    response = client.post(
        reverse("forums:poll-vote", args=[poll_topic.pk]), {"choices": choice.pk}
    )
    assert response.status_code == 302
    assert PollVote.objects.filter(member=reader, choice=choice).exists()
    response = client.post(reverse("forums:post-edit", args=[reply.pk]), {"body": "Better reply"})
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.body == "Better reply"
    response = client.post(
        reverse("community:like", args=["forums.post", poll_topic.first_post_id])
    )
    assert response.status_code == 302
    assert Like.objects.filter(member=reader).count() == 1


def test_member_cannot_edit_anothers_post(client, reader, poll_topic):
    client.force_login(reader)
    before = snapshot()
    url = reverse("forums:post-edit", args=[poll_topic.first_post_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"body": "Hijacked"}).status_code == 404
    assert snapshot() == before


def test_member_gets_403_on_moderator_actions(client, reader, poll_topic):
    client.force_login(reader)
    before = snapshot()
    for url, data in moderation_posts(poll_topic):
        assert client.post(url, data).status_code == 403, url
    assert client.get(reverse("forums:topic-move", args=[poll_topic.pk])).status_code == 403
    assert snapshot() == before


def test_member_sees_a_hidden_post_as_a_line_and_a_hidden_topic_as_404(
    client, reader, poll_topic, moderator, author
):
    reply = services.reply(author=author, topic=poll_topic, body="Buy cheap pills here")
    services.hide_post(post=reply, moderator=moderator, reason="spam")
    client.force_login(reader)
    page = client.get(reverse("forums:topic", args=[poll_topic.pk])).content.decode()
    assert "Buy cheap pills" not in page
    assert "This post was hidden by the moderators." in page
    assert client.get(reverse("forums:post-history", args=[reply.pk])).status_code == 404
    services.hide_topic(topic=poll_topic, moderator=moderator, reason="spam")
    for name in ["forums:topic", "forums:topic-reply"]:
        assert client.get(reverse(name, args=[poll_topic.pk])).status_code == 404
    for name in ["forums:post", "forums:post-history"]:
        assert client.get(reverse(name, args=[poll_topic.first_post_id])).status_code == 404
    listing = client.get(reverse("forums:category", args=["products"]))
    assert list(listing.context["topics"]) == []


def test_author_still_sees_their_hidden_post(client, author, poll_topic, moderator, reader):
    reply = services.reply(author=reader, topic=poll_topic, body="My own words")
    services.hide_post(post=reply, moderator=moderator, reason="off-topic")
    client.force_login(reader)
    page = client.get(reverse("forums:topic", args=[poll_topic.pk])).content.decode()
    assert "My own words" in page
    assert "only its author and the moderators see it" in page


# --- Moderators ---------------------------------------------------------------------------------


def test_moderator_opens_everything_and_acts(client, moderator, poll_topic, other_category):
    client.force_login(moderator)
    for url in [reverse("forums:index"), *read_urls(poll_topic)]:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("forums:topic-move", args=[poll_topic.pk])).status_code == 200
    assert (
        client.get(reverse("forums:post-hide", args=[poll_topic.first_post_id])).status_code == 200
    )
    client.post(
        reverse("forums:topic-lock", args=[poll_topic.pk]), {"locked": "1", "reason": "done"}
    )
    client.post(reverse("forums:topic-pin", args=[poll_topic.pk]), {"pinned": "1"})
    client.post(
        reverse("forums:topic-move", args=[poll_topic.pk]),
        {"category": other_category.pk, "reason": "belongs there"},
    )
    poll_topic.refresh_from_db()
    assert poll_topic.is_locked and poll_topic.is_pinned
    assert poll_topic.category == other_category
    actions = list(ModerationLog.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["lock", "pin", "move"]
    response = client.post(
        reverse("forums:post-hide", args=[poll_topic.first_post_id]), {"reason": "spam"}
    )
    assert response.status_code == 302
    poll_topic.refresh_from_db()
    assert poll_topic.is_hidden
    # Moderators still open a hidden topic.
    assert client.get(reverse("forums:topic", args=[poll_topic.pk])).status_code == 200


def test_moderator_hide_needs_a_reason(client, moderator, poll_topic):
    client.force_login(moderator)
    before = snapshot()
    url = reverse("forums:post-hide", args=[poll_topic.first_post_id])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert snapshot() == before


def test_moderator_edits_with_a_visible_note(client, moderator, poll_topic):
    client.force_login(moderator)
    url = reverse("forums:post-edit", args=[poll_topic.first_post_id])
    before = snapshot()
    assert client.post(url, {"title": "Poll", "body": "Tidied"}).status_code == 400
    assert snapshot() == before
    response = client.post(url, {"title": "Poll", "body": "Tidied", "note": "removed a link"})
    assert response.status_code == 302
    page = client.get(reverse("forums:topic", args=[poll_topic.pk])).content.decode()
    assert "Edited by a moderator: removed a link" in page


# --- Suspended members --------------------------------------------------------------------------


def test_suspended_member_reads_but_cannot_post_vote_like_or_flag(client, suspended, poll_topic):
    client.force_login(suspended)
    for url in [reverse("forums:index"), *read_urls(poll_topic)]:
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("forums:topic", args=[poll_topic.pk])).content.decode()
    assert "You are suspended" in page
    assert reverse("forums:topic-reply", args=[poll_topic.pk]) not in page
    before = snapshot()
    for url, data in write_posts(poll_topic):
        if "follow" in url or "edit" in url:
            continue
        response = client.post(url, data)
        assert response.status_code in (200, 302, 400), url
    assert snapshot() == before


# --- Outside a restricted category --------------------------------------------------------------


@pytest.fixture
def gold_topic(author, gold_category):
    put_in_tier(author, "gold")
    return services.start_topic(
        author=author,
        category=gold_category,
        title="Gold secrets",
        body="For gold eyes only",
        images=[png_upload()],
        tags=["secret"],
        poll=services.PollSpec(question="Which?", choices=["A", "B"]),
    )


def test_outsider_gets_404_everywhere_in_a_restricted_category(client, reader, gold_topic):
    client.force_login(reader)
    for url in read_urls(gold_topic):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("forums:post", args=[gold_topic.first_post_id])).status_code == 404
    before = snapshot()
    for url, data in write_posts(gold_topic):
        assert client.post(url, data).status_code == 404, url
    assert snapshot() == before
    assert client.get(reverse("forums:tag", args=["secret"])).status_code == 404
    for url in [reverse("forums:index"), reverse("forums:search") + "?q=secrets"]:
        page = client.get(url).content.decode()
        assert "Gold" not in page and "gold eyes" not in page, url


def test_tier_and_group_members_get_in(client, reader, gold_topic, group, group_category, author):
    client.force_login(reader)
    put_in_tier(reader, "vip")
    assert client.get(reverse("forums:topic", args=[gold_topic.pk])).status_code == 200
    assert client.get(reverse("forums:category", args=[group_category.slug])).status_code == 404
    join(reader, group)
    assert client.get(reverse("forums:category", args=[group_category.slug])).status_code == 200


def test_a_closed_category_is_for_moderators_only(client, reader, moderator, topic, category):
    category.is_active = False
    category.save()
    client.force_login(reader)
    assert client.get(reverse("forums:topic", args=[topic.pk])).status_code == 404
    client.force_login(moderator)
    assert client.get(reverse("forums:topic", args=[topic.pk])).status_code == 200
