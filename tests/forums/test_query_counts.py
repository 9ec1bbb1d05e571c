"""The forum pages cost a fixed number of queries whatever they list: the category index, a
category page, a topic page (1 post and 50, from many authors, with pictures, quotes, likes,
badges and tiers) and search. Measured with 1 item and with 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community import likes
from community.forums import services
from community.forums.models import CategoryKind, ForumCategory
from gamification.models import Badge, MemberBadge
from portal.accounts import roles

from .conftest import png_upload, put_in_tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def authors(make_user):
    people = []
    for n in range(8):
        person = make_user(roles.MEMBER, first_name=f"Writer{n}", last_name="Q")
        put_in_tier(person, ["bronze", "silver", "gold", "vip"][n % 4])
        MemberBadge.objects.create(member=person, badge=Badge.objects.order_by("pk")[n % 3])
        people.append(person)
    return people


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_category_index_is_one_query_for_its_categories(client, reader, authors):
    client.force_login(reader)
    ForumCategory.objects.create(name="C0", slug="c0", kind=CategoryKind.PRODUCT)
    url = reverse("forums:index")
    client.get(url)  # the session and the permissions are warm from here on
    one = queries(client, url)
    for n in range(1, 50):
        category = ForumCategory.objects.create(
            name=f"C{n}", slug=f"c{n}", kind=CategoryKind.values[n % 3]
        )
        services.start_topic(author=authors[n % 8], category=category, title=f"T{n}", body="b")
    assert queries(client, url) == one


def test_category_page_is_constant(client, reader, authors, category):
    client.force_login(reader)
    services.start_topic(author=authors[0], category=category, title="First", body="b", tags=["x"])
    url = reverse("forums:category", args=[category.slug])
    client.get(url)
    one = queries(client, url)
    for n in range(1, 50):
        services.start_topic(
            author=authors[n % 8],
            category=category,
            title=f"Topic {n}",
            body=f"b{n}",
            tags=[f"t{n}", "x"],
        )
    assert queries(client, url) == one


def test_topic_page_is_constant(client, reader, authors, category, moderator):
    topic = services.start_topic(
        author=authors[0],
        category=category,
        title="Busy",
        body="Start",
        poll=services.PollSpec(question="Q?", choices=["A", "B"]),
    )
    client.force_login(reader)
    url = reverse("forums:topic", args=[topic.pk])
    client.get(url)
    one = queries(client, url)
    for n in range(1, 50):
        post = services.reply(
            author=authors[n % 8],
            topic=topic,
            body=f"Reply {n} to @{'writer0_q'}",
            quote_of=topic.first_post if n % 3 == 0 else None,
            images=[png_upload()] if n % 5 == 0 else (),
        )
        if n % 2 and post.author_id != reader.pk:
            likes.like(member=reader, target=post)
        if n % 7 == 0:
            services.edit_post(post=post, editor=moderator, body=f"Edited {n}", note="tidied")
        if n % 11 == 0:
            services.hide_post(post=post, moderator=moderator, reason="spam")
    assert queries(client, url) == one
    assert queries(client, url + "?page=3") == one
    # Moderators see the same page (hidden posts included) at a fixed cost as well.
    client.force_login(moderator)
    client.get(url)
    assert queries(client, url) == queries(client, url + "?page=2")


def test_search_page_is_constant(client, reader, authors, category):
    client.force_login(reader)
    services.start_topic(author=authors[0], category=category, title="Espresso", body="espresso 0")
    url = reverse("forums:search") + "?q=espresso"
    client.get(url)
    one = queries(client, url)
    for n in range(1, 50):
        services.start_topic(
            author=authors[n % 8], category=category, title=f"Espresso {n}", body=f"espresso {n}"
        )
    assert queries(client, url) == one
