"""Search: PostgreSQL full-text (SearchVector / SearchQuery / SearchRank) where the database
is PostgreSQL, a plain case-insensitive match on SQLite; the same rules on both: a topic is
found by a word of its text or its title, and nothing hidden or restricted comes back."""

import pytest
from django.db import connection
from django.urls import reverse

from community.forums import selectors, services

from .conftest import join, put_in_tier

pytestmark = pytest.mark.django_db


def found(query, user):
    return [post.topic.title for post in selectors.search(query, user)]


def test_finds_a_topic_by_a_word_of_its_body(author, category, reader):
    services.start_topic(
        author=author, category=category, title="Machines", body="My grinder hums."
    )
    services.start_topic(author=author, category=category, title="Other", body="Nothing here.")
    assert found("grinder", reader) == ["Machines"]
    assert found("GRINDER", reader) == ["Machines"]


def test_finds_a_topic_by_a_word_of_a_reply(topic, reader, author):
    services.reply(author=reader, topic=topic, body="Mine is a lever espresso machine.")
    assert found("lever", author) == [topic.title]


def test_finds_a_topic_by_its_title(author, category, reader):
    services.start_topic(author=author, category=category, title="Frothing milk", body="How?")
    assert found("frothing", reader) == ["Frothing milk"]


def test_finds_persian_words(author, category, reader):
    services.start_topic(
        author=author, category=category, title="قهوه", body="بهترین دستگاه اسپرسو کدام است؟"
    )
    assert found("اسپرسو", reader) == ["قهوه"]


def test_every_word_must_match(author, category, reader):
    services.start_topic(author=author, category=category, title="A", body="red kettle")
    services.start_topic(author=author, category=category, title="B", body="red cup")
    assert found("red kettle", reader) == ["A"]


def test_hidden_posts_and_topics_never_come_back(author, category, reader, moderator):
    topic = services.start_topic(author=author, category=category, title="T", body="visible words")
    reply = services.reply(author=reader, topic=topic, body="secretword in a reply")
    services.hide_post(post=reply, moderator=moderator, reason="spam")
    assert found("secretword", reader) == []
    assert found("secretword", moderator) == []
    services.hide_topic(topic=topic, moderator=moderator, reason="spam")
    assert found("visible", reader) == []


def test_restricted_categories_never_leak(author, gold_category, group_category, reader, group):
    put_in_tier(author, "gold")
    join(author, group)
    services.start_topic(author=author, category=gold_category, title="Gold", body="platinum plan")
    services.start_topic(
        author=author, category=group_category, title="Group", body="platinum lens"
    )
    assert found("platinum", reader) == []
    put_in_tier(reader, "gold")
    assert found("platinum", reader) == ["Gold"]
    join(reader, group)
    assert sorted(found("platinum", reader)) == ["Gold", "Group"]


def test_empty_or_blank_query_finds_nothing(topic, reader):
    assert found("", reader) == [] and found("   ", reader) == []


def test_the_search_page(client, reader, topic):
    client.force_login(reader)
    response = client.get(reverse("forums:search"), {"q": "coffee"})
    assert response.status_code == 200
    assert [post.topic_id for post in response.context["results"]] == [topic.pk]
    assert client.get(reverse("forums:search"), {"q": "x" * 201}).status_code == 200


@pytest.mark.postgres
def test_postgres_ranks_title_hits_first_and_takes_web_search_syntax(author, category, reader):
    services.start_topic(author=author, category=category, title="Grinders", body="burr burr")
    services.start_topic(author=author, category=category, title="Kettles", body="a grinders note")
    assert found("grinders", reader) == ["Grinders", "Kettles"]
    assert found("grinders -kettle -note", reader) == ["Grinders"]
    assert found('"grinders note"', reader) == ["Kettles"]


@pytest.mark.postgres
def test_postgres_search_uses_the_gin_indexes(author, category, reader):
    # The indexes of migration 0002 exist (created when the test database is migrated).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname IN "
            "('forum_post_body_search', 'forum_topic_title_search')"
        )
        names = {row[0] for row in cursor.fetchall()}
    if not names:
        pytest.skip("database built without migrations (--nomigrations)")
    assert names == {"forum_post_body_search", "forum_topic_title_search"}
    services.start_topic(author=author, category=category, title="Index", body="tamper")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = selectors.search("tamper", reader).explain()
        title_plan = (
            selectors.Topic.objects.annotate(document=selectors._search_vector("title"))
            .filter(document=selectors.SearchQuery("tamper", config="simple"))
            .explain()
        )
        cursor.execute("SET enable_seqscan = on")
    assert "forum_post_body_search" in plan, plan
    assert "forum_topic_title_search" in title_plan, title_plan
