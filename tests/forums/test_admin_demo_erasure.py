"""The club manager's forum categories in Wagtail, the role permissions, the demo forums, and
what an account erasure does to a member's posts."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from community.forums import demo, services
from community.forums.erasure import erase_member_posts
from community.forums.models import ForumCategory, Post, PostImage, PostRevision, Topic, TopicFollow
from portal.accounts import roles

from .conftest import png_upload

pytestmark = pytest.mark.django_db


def test_club_manager_holds_the_forum_category_permissions(role_groups):
    held = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=roles.CLUB_MANAGER).permissions.all()
    }
    assert {
        "forums.add_forumcategory",
        "forums.change_forumcategory",
        "forums.view_forumcategory",
    } <= held


def test_club_manager_manages_categories_in_wagtail(client, make_user, category):
    manager = make_user(roles.CLUB_MANAGER)
    client.force_login(manager)
    listing = reverse("wagtailsnippets_forums_forumcategory:list")
    assert client.get(listing).status_code == 200
    response = client.post(
        reverse("wagtailsnippets_forums_forumcategory:add"),
        {
            "name": "Baristas",
            "slug": "baristas",
            "kind": "education",
            "description": "",
            "position": 3,
            "min_tier": "",
            "group": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ForumCategory.objects.filter(slug="baristas", kind="education").exists()


@pytest.mark.parametrize("role", [roles.MEMBER, roles.MODERATOR, roles.SUPPORT_AGENT])
def test_other_roles_cannot_manage_categories(client, make_user, role):
    client.force_login(make_user(role))
    response = client.get(reverse("wagtailsnippets_forums_forumcategory:list"))
    assert response.status_code in (302, 403)


def test_seed_forums_makes_topics_in_both_languages_and_is_idempotent(role_groups):
    from portal import demo as portal_demo

    branches = portal_demo.seed_branches()
    portal_demo.seed_people(branches)
    portal_demo.seed_club()
    demo.seed_forums()
    counts = (ForumCategory.objects.count(), Topic.objects.count(), Post.objects.count())
    assert counts[0] == len(demo.CATEGORIES)
    assert counts[1] == len(demo.TOPICS)
    assert counts[2] == len(demo.TOPICS) + len(demo.REPLIES)
    assert Topic.objects.filter(title__contains="شعبه").exists()
    assert Topic.objects.filter(poll__isnull=False).count() == 1
    demo.seed_forums()
    assert (ForumCategory.objects.count(), Topic.objects.count(), Post.objects.count()) == counts
    from community.models import BrakeEvent

    assert not BrakeEvent.objects.exists()


def test_erasure_keeping_posts_only_stops_following(topic, author):
    erase_member_posts(author, keep_posts=True)
    assert not TopicFollow.objects.filter(member=author).exists()
    assert Post.objects.get(pk=topic.first_post_id).body == "Which one do you use?"


def test_erasure_removing_posts_empties_and_hides_them(author, category, reader):
    topic = services.start_topic(
        author=author,
        category=category,
        title="My name is Ada",
        body="Ada here",
        images=[png_upload()],
    )
    services.edit_post(post=topic.first_post, editor=author, body="Ada Lovelace here")
    reply = services.reply(author=reader, topic=topic, body="Hi Ada")
    author.erased_at = timezone.now()
    author.save(update_fields=["erased_at"])
    erase_member_posts(author, keep_posts=False)
    erase_member_posts(author, keep_posts=False)  # idempotent
    post = Post.objects.get(pk=topic.first_post_id)
    assert (post.body, post.body_html, post.is_hidden) == ("", "", True)
    assert post.hidden_at == author.erased_at
    assert not PostImage.objects.exists() and not PostRevision.objects.exists()
    topic.refresh_from_db()
    assert topic.title == "Removed topic"
    reply.refresh_from_db()
    assert reply.body == "Hi Ada" and not reply.is_hidden


def test_member_forum_data_holds_their_own_words_only(author, reader, category):
    from community.forums.selectors import member_forum_data

    topic = services.start_topic(
        author=author,
        category=category,
        title="Author's title",
        body="Author's words",
        poll=services.PollSpec(question="Q?", choices=["Yes", "No"]),
    )
    reply = services.reply(author=reader, topic=topic, body="Reader's words")
    services.edit_post(post=reply, editor=reader, body="Reader's better words")
    services.vote(member=reader, poll=topic.poll, choice_ids=[topic.poll.choices.first().pk])
    data = member_forum_data(reader)
    assert data["forum_topics"] == []
    assert [p["text"] for p in data["forum_posts"]] == ["Reader's better words"]
    assert data["forum_posts"][0]["topic"] == topic.pk
    assert [r["text"] for r in data["forum_post_earlier_versions"]] == ["Reader's words"]
    assert [v["answer"] for v in data["forum_poll_answers"]] == ["Yes"]
    assert [f["topic"] for f in data["forum_followed_topics"]] == [topic.pk]
    assert "Author's" not in str(data)
