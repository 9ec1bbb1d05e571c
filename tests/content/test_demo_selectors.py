"""The demo library (idempotent) and the home page's selector."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.demo import ARTICLES, seed_articles
from content.models import ArticleIndexPage, ArticlePage, MemberContributionsPage
from content.selectors import latest_articles
from gamification import ledger
from portal.accounts import roles

pytestmark = pytest.mark.django_db


def test_seed_articles_is_idempotent_and_publishes_the_members_article(home, make_user, client):
    member = make_user(roles.MEMBER, email="member@club.example")
    make_user(roles.MODERATOR, email="moderator@club.example")
    seed_articles()
    seed_articles()
    assert ArticleIndexPage.objects.count() == 1
    assert MemberContributionsPage.objects.count() == 1
    assert ArticlePage.objects.live().count() == len(ARTICLES) + 1
    mine = ArticlePage.objects.get(author=member)
    assert mine.live and mine.get_parent().specific_class is MemberContributionsPage
    assert {t.name for t in mine.tags.all()} == {"small business", "lessons"}
    assert ledger.balances(member).points == 50
    persian = ArticlePage.objects.get(slug="salamat-e-chashm")
    assert client.get(persian.url).status_code == 200
    assert client.get(ArticleIndexPage.objects.get().url).status_code == 200


def test_latest_articles_prefetches_category_and_cover(make_article):
    for _n in range(4):
        make_article()
    with CaptureQueriesContext(connection) as queries:
        articles = latest_articles(limit=3)
        names = [(a.category.name, a.cover_image) for a in articles]
    assert len(names) == 3
    assert [a.pk for a in articles] == sorted((a.pk for a in articles), reverse=True)
    # The articles, their tags, their cover pictures (none here: no query) at most.
    assert len(queries) <= 3


def test_library_pages_render_in_persian_right_to_left(client, library, section, make_article):
    from django.conf import settings

    from content.models import ArticleCategory

    tech = ArticleCategory.objects.get(slug="technology")
    article = make_article(title="رمز دوم", category=tech, tags=["امنیت"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    for url in (library.url, section.url, article.url):
        html = client.get(url).content.decode()
        assert 'dir="rtl"' in html
    index = client.get(library.url).content.decode()
    assert "فناوری" in index  # the category's Persian name
    assert "رمز دوم" in index
    assert client.get(library.url, {"tag": "امنیت"}).context["page_obj"].object_list[0] == article
