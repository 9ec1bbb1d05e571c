"""/search/: the site search over every live public page through Wagtail search."""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

pytestmark = pytest.mark.django_db

URL = "/search/"


def test_search_finds_an_answer_by_a_word_in_its_body(client, make_section, make_answer):
    answer = make_answer(
        make_section(), "My card is lost", "<p>Any branch issues a replacement at once.</p>"
    )

    response = client.get(URL, {"q": "replacement"})

    body = response.content.decode()
    assert response.status_code == 200
    assert f'href="{answer.url}"' in body
    assert "Knowledge base answer" in body  # the result's type
    assert "Any branch issues a replacement at once." in body  # its snippet


def test_search_leaves_out_drafts_unpublished_and_private_pages(client, make_section, make_answer):
    section = make_section()
    make_answer(section, "Draft answer", "<p>zucchini</p>", live=False)
    withdrawn = make_answer(section, "Withdrawn answer", "<p>zucchini</p>")
    withdrawn.unpublish()
    private = make_answer(section, "Private answer", "<p>zucchini</p>")
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    body = client.get(URL, {"q": "zucchini"}).content.decode()

    assert "Nothing matches" in body
    for title in ["Draft answer", "Withdrawn answer", "Private answer"]:
        assert title not in body


def test_search_sees_an_edit_once_it_is_published(client, make_section, make_answer):
    answer = make_answer(make_section(), "My card is lost", "<p>Visit a branch.</p>")
    answer.answer = "<p>Visit a branch with your passport.</p>"
    answer.save_revision().publish()

    assert answer.url in client.get(URL, {"q": "passport"}).content.decode()


def test_search_without_words_shows_the_form_only(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "Nothing matches" not in response.content.decode()


def test_search_is_paginated(client, make_section, make_answer):
    section = make_section()
    for n in range(12):
        make_answer(section, f"Points question {n}", "<p>points</p>")

    first = client.get(URL, {"q": "points"}).content.decode()
    second = client.get(URL, {"q": "points", "page": 2}).content.decode()

    assert first.count('class="search-result"') == 10
    assert second.count('class="search-result"') == 2
    assert "12 results" in first


def test_search_is_rate_limited(client, settings):
    settings.SITE_SEARCH_RATE = "2/m"
    client.get(URL, {"q": "a"})
    client.get(URL, {"q": "b"})

    assert client.get(URL, {"q": "c"}).status_code == 429


def test_search_takes_the_same_queries_for_1_or_10_results(client, make_section, make_answer):
    section = make_section()
    make_answer(section, "Points question 0", "<p>points</p>")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(URL, {"q": "points"})
        return len(queries)

    count()  # the first request also fills caches (site root paths)
    one = count()
    for n in range(1, 10):
        make_answer(section, f"Points question {n}", "<p>points</p>")

    assert count() == one


@pytest.mark.skipif(
    not apps.is_installed("content"), reason="the content app (ArticlePage) is not installed"
)
def test_search_finds_an_article_by_a_word_in_its_body(client, home):
    from wagtail.rich_text import RichText

    from content.models import ArticleIndexPage, ArticlePage

    library = home.add_child(instance=ArticleIndexPage(title="Library", slug="library"))

    def article(title: str, words: str) -> ArticlePage:
        page = library.add_child(
            instance=ArticlePage(
                title=title,
                slug=title.lower().replace(" ", "-"),
                body=[("paragraph", RichText(f"<p>{words}</p>"))],
            )
        )
        page.save_revision().publish()
        return page

    found = article("Autumn recipes", "A warm pumpkin soup for cold evenings.")
    article("Spring recipes", "Fresh herbs and green salads.")
    draft = article("Winter recipes", "More pumpkin ideas.")
    draft.unpublish()

    body = client.get(URL, {"q": "pumpkin"}).content.decode()

    assert f'href="{found.url}"' in body
    assert "A warm pumpkin soup for cold evenings." in body
    assert "Spring recipes" not in body and "Winter recipes" not in body
    assert "1 result" in body
