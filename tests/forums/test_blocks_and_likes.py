"""The small lists other pages show (a member's recent posts, a group's recent topics), likes
on posts, pictures served only to who may see the post, and following a topic."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from community import likes
from community.forums import selectors, services
from community.forums.models import PostImage, TopicFollow
from community.likes import LikeRefused
from community.models import Like
from gamification.models import Action, Award

from .conftest import join, png_upload, put_in_tier

pytestmark = pytest.mark.django_db


def test_recent_posts_by_respects_restrictions_and_hidden_posts(
    author, reader, moderator, category, gold_category, django_assert_num_queries
):
    put_in_tier(author, "gold")
    open_topic = services.start_topic(author=author, category=category, title="Open", body="a")
    services.start_topic(author=author, category=gold_category, title="Gold", body="b")
    hidden = services.reply(author=author, topic=open_topic, body="c")
    services.hide_post(post=hidden, moderator=moderator, reason="spam")
    reader.get_all_permissions()  # loaded once per request anyway
    with django_assert_num_queries(1):
        posts = selectors.recent_posts_by(author, reader, 5)
    assert [p.topic.title for p in posts] == ["Open"]
    assert [p.topic.title for p in selectors.recent_posts_by(author, moderator, 5)] == [
        "Gold",
        "Open",
    ]
    html = render_to_string("forums/includes/recent_posts.html", {"forum_posts": posts})
    assert "Open" in html and reverse("forums:post", args=[open_topic.first_post_id]) in html


def test_recent_topics_in_group_for_members_of_it_only(
    author, reader, group, group_category, category, django_assert_num_queries
):
    join(author, group)
    services.start_topic(author=author, category=group_category, title="Lenses", body="x")
    services.start_topic(author=author, category=category, title="Elsewhere", body="y")
    assert selectors.recent_topics_in_group(group, reader, 5) == []
    join(reader, group)
    reader.get_all_permissions()
    with django_assert_num_queries(2):
        topics = selectors.recent_topics_in_group(group, reader, 5)
    assert [t.title for t in topics] == ["Lenses"]
    html = render_to_string("forums/includes/recent_topics.html", {"forum_topics": topics})
    assert "Lenses" in html


def test_likes_on_posts_pay_once_and_never_for_ones_own(topic, author, reader):
    post = topic.first_post
    likes.like(member=reader, target=post)
    likes.like(member=reader, target=post)
    post.refresh_from_db()
    assert post.like_count == 1
    assert Award.objects.filter(member=author, action=Action.LIKE_RECEIVED).count() == 1
    with pytest.raises(LikeRefused):
        likes.like(member=author, target=post)
    likes.unlike(member=reader, target=post)
    post.refresh_from_db()
    assert post.like_count == 0


def test_like_button_on_the_topic_page(client, topic, reader):
    client.force_login(reader)
    page = client.get(reverse("forums:topic", args=[topic.pk])).content.decode()
    like_url = reverse("community:like", args=["forums.post", topic.first_post_id])
    assert like_url in page
    response = client.post(like_url, {"next": reverse("forums:topic", args=[topic.pk])})
    assert response.status_code == 302
    page = client.get(reverse("forums:topic", args=[topic.pk])).content.decode()
    assert reverse("community:unlike", args=["forums.post", topic.first_post_id]) in page
    assert Like.objects.count() == 1


def test_outsiders_cannot_like_a_restricted_post(client, author, reader, gold_category):
    put_in_tier(author, "gold")
    topic = services.start_topic(author=author, category=gold_category, title="G", body="g")
    client.force_login(reader)
    url = reverse("community:like", args=["forums.post", topic.first_post_id])
    assert client.post(url).status_code == 404
    assert not Like.objects.exists()


def test_pictures_are_served_to_who_may_see_the_post_only(
    client, author, reader, moderator, category
):
    topic = services.start_topic(
        author=author, category=category, title="Pic", body="see", images=[png_upload()]
    )
    image = PostImage.objects.get()
    url = reverse("forums:image", args=[image.pk])
    client.force_login(reader)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    services.hide_topic(topic=topic, moderator=moderator, reason="spam")
    assert client.get(url).status_code == 404
    client.force_login(moderator)
    assert client.get(url).status_code == 200


def test_follow_and_unfollow_from_the_page(client, topic, reader):
    client.force_login(reader)
    url = reverse("forums:topic-follow", args=[topic.pk])
    client.post(url)
    client.post(url)
    assert TopicFollow.objects.filter(member=reader).count() == 1
    assert client.get(reverse("forums:topic", args=[topic.pk])).context["following"]
    client.post(url, {"follow": "0"})
    assert not TopicFollow.objects.filter(member=reader).exists()


def test_quote_prefills_the_reply(client, topic, reader):
    client.force_login(reader)
    response = client.get(
        reverse("forums:topic-reply", args=[topic.pk]), {"quote": topic.first_post_id}
    )
    form = response.context["form"]
    assert form.initial["quote_of"] == topic.first_post_id
    assert form.initial["body"].startswith("> Which one do you use?")
    response = client.post(
        reverse("forums:topic-reply", args=[topic.pk]),
        {"body": form.initial["body"] + "This one.", "quote_of": topic.first_post_id},
    )
    assert response.status_code == 302
    reply = topic.posts.get(is_opening=False)
    assert reply.quote_of_id == topic.first_post_id
    assert "<blockquote>" in reply.body_html


def test_a_refused_reply_shows_why_and_saves_nothing(client, topic, reader, loose_brakes):
    loose_brakes.seconds_between_posts = 60
    loose_brakes.save()
    client.force_login(reader)
    url = reverse("forums:topic-reply", args=[topic.pk])
    assert client.post(url, {"body": "First"}).status_code == 302
    response = client.post(url, {"body": "Second"})
    assert response.status_code == 400
    assert "You posted a moment ago" in response.content.decode()
    assert topic.posts.count() == 2


def test_the_new_topic_form_with_a_poll_and_pictures(client, reader, category):
    client.force_login(reader)
    response = client.post(
        reverse("forums:topic-new", args=[category.slug]),
        {
            "title": "Poll time",
            "body": "Vote!",
            "poll_question": "Tea or coffee?",
            "poll_choices": "Tea\nCoffee\n",
            "poll_closes_on": "2999-01-01",
            "images": [png_upload("a.png"), png_upload("b.png")],
        },
    )
    assert response.status_code == 302
    topic = category.topics.get()
    assert [c.text for c in topic.poll.choices.all()] == ["Tea", "Coffee"]
    assert topic.poll.closes_at.year == 2999
    assert topic.first_post.images.count() == 2


def test_the_new_topic_form_refuses_a_poll_with_one_answer(client, reader, category):
    client.force_login(reader)
    response = client.post(
        reverse("forums:topic-new", args=[category.slug]),
        {"title": "Poll", "body": "Vote!", "poll_question": "Q?", "poll_choices": "Only"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["poll_choices"]
    assert not category.topics.exists()
