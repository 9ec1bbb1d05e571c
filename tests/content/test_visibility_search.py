"""Drafts, unpublished and restricted articles stay out of sight; the index filters,
pages and keeps a constant number of queries; search reads the body."""

import io

import pytest
from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import PageViewRestriction

from content.models import ArticleCategory, ArticlePage, reading_minutes
from content.selectors import latest_articles, related_articles

pytestmark = pytest.mark.django_db


def _picture(name="cover"):
    out = io.BytesIO()
    PILImage.new("RGB", (64, 36), (10, 120, 200)).save(out, format="PNG")
    return get_image_model().objects.create(
        title=name, file=ImageFile(io.BytesIO(out.getvalue()), name=f"{name}.png")
    )


def test_drafts_and_unpublished_articles_are_invisible(client, library, make_article):
    live = make_article(title="Visible thing")
    draft = make_article(title="Secret draft", publish=False)
    gone = make_article(title="Withdrawn piece")
    gone.unpublish()
    assert client.get(live.url).status_code == 200
    assert client.get(draft.url).status_code == 404
    assert client.get(gone.url).status_code == 404
    index = client.get(library.url).content.decode()
    assert "Visible thing" in index
    assert "Secret draft" not in index and "Withdrawn piece" not in index
    assert [a.pk for a in latest_articles()] == [live.pk]


def test_restricted_articles_are_not_listed_or_likeable(client, library, make_article, member):
    hidden = make_article(title="Password only")
    PageViewRestriction.objects.create(
        page=hidden, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    assert "Password only" not in client.get(library.url).content.decode()
    client.force_login(member)
    like = reverse("community:like", args=["content.articlepage", hidden.pk])
    assert client.post(like).status_code == 404


def test_index_filters_by_category_and_tag_newest_first(client, library, make_article):
    tech = ArticleCategory.objects.get(slug="technology")
    old = make_article(title="Old health", tags=["sleep"])
    new = make_article(title="New tech", category=tech, tags=["apps"])
    page = client.get(library.url).context["page_obj"]
    assert [a.pk for a in page.object_list] == [new.pk, old.pk]
    by_category = client.get(library.url, {"category": "technology"}).context["page_obj"]
    assert [a.pk for a in by_category.object_list] == [new.pk]
    by_tag = client.get(library.url, {"tag": "sleep"}).context["page_obj"]
    assert [a.pk for a in by_tag.object_list] == [old.pk]


def _index_queries(client, url) -> int:
    client.get(url)  # renditions are made on the first view
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_index_query_count_does_not_grow_with_articles(client, library, make_article):
    make_article(cover_image=_picture(), tags=["a", "b"])
    one = _index_queries(client, library.url)
    for n in range(8):
        make_article(cover_image=_picture(f"c{n}"), tags=["a", f"t{n}"])
    many = _index_queries(client, library.url)
    assert len(client.get(library.url).context["page_obj"].object_list) == 9
    assert one == many


def test_search_finds_an_article_by_a_word_in_its_body(make_article):
    wanted = make_article(title="Kitchen notes", words="Bitter marmalade needs Seville oranges.")
    make_article(title="Other notes", words="Nothing of the sort here.")
    found = list(ArticlePage.objects.live().search("marmalade"))
    assert [a.pk for a in found] == [wanted.pk]


def test_reading_time_is_about_200_words_a_minute_and_at_least_one(make_article):
    assert make_article(words="short").reading_minutes == 1
    assert make_article(words=" ".join(["word"] * 610)).reading_minutes == 3
    assert reading_minutes([]) == 1


def test_related_articles_share_a_category_or_a_tag(make_article):
    tech = ArticleCategory.objects.get(slug="technology")
    article = make_article(tags=["sleep"])
    same_category = make_article()
    same_tag = make_article(category=tech, tags=["sleep"])
    make_article(category=tech)  # unrelated
    make_article(publish=False)  # a draft in the same category
    related = related_articles(page=article)
    assert {a.pk for a in related} == {same_category.pk, same_tag.pk}
