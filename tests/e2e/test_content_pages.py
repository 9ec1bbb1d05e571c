"""The portal's Wagtail pages in a real browser, with the demo content: a visitor and a
member open the home page, the article library and an article, news and events, the
knowledge base, the club page, site search and the showcase pages, in English and in
Persian. Every page keeps the Content-Security-Policy, passes the accessibility checks and
fits a phone without sideways scrolling (tests/e2e/browser.py). A plain transactional
test: it seeds what it needs."""

import importlib

import pytest
from django.apps import apps
from selenium.webdriver.common.by import By

from content.demo import seed_articles
from content.models import ArticleIndexPage, ArticlePage
from events.demo import seed_events
from events.models import EventIndexPage, EventPage, NewsIndexPage
from kb.demo import seed_kb
from kb.models import KBAnswerPage, KnowledgeBaseIndexPage
from portal import demo
from portal.demo import seed_home_page
from portal.pages.models import ClubPage
from showcase.demo import seed_showcase
from showcase.models import (
    AnnouncementIndexPage,
    DealerDirectoryPage,
    ExecutiveMessageIndexPage,
    HallOfFamePage,
    VideoPage,
)
from tests.e2e.browser import check_page, html_attributes
from tests.e2e.test_community_pages import log_in
from tests.gamification.conftest import club_rules  # noqa: F401 - autouse: rules and tiers

pytestmark = [pytest.mark.e2e]

content_migration = importlib.import_module("content.migrations.0002_categories_workflow_roles")


def seed_content() -> list[str]:
    """The demo's pages (earlier transactional tests may have flushed what migrations
    seed, such as Wagtail's root page and the article categories), and their paths."""
    demo.seed_people(demo.seed_branches())
    demo.seed_club()
    content_migration.seed(apps, None)
    seed_home_page()
    seed_articles()
    seed_events()
    seed_kb()
    seed_showcase()
    pages = [
        ArticleIndexPage,
        NewsIndexPage,
        EventIndexPage,
        KnowledgeBaseIndexPage,
        ClubPage,
        AnnouncementIndexPage,
        ExecutiveMessageIndexPage,
        DealerDirectoryPage,
        HallOfFamePage,
    ]
    paths = ["/", *(model.objects.live().first().url for model in pages)]
    for model in (ArticlePage, EventPage, KBAnswerPage, VideoPage):
        paths.append(model.objects.live().first().url)
    return [*paths, "/search/?q=points"]


@pytest.mark.django_db(transaction=True)
def test_content_pages_pass_in_both_languages(live_server, browser, wait, role_groups):
    base = live_server.url
    paths = seed_content()
    member_paths = ["/content/submit/", "/content/mine/", "/club/events/"]
    for language, direction in (("en", "ltr"), ("fa", "rtl")):
        log_in(browser, wait, base, "member@club.example", language)
        for path in paths + member_paths:
            browser.get(f"{base}{path}")
            assert html_attributes(browser) == (direction, language), path
            assert browser.find_elements(By.TAG_NAME, "h1"), path
            check_page(browser, wait, f"{path} ({language})")
    browser.delete_all_cookies()
    for path in paths[:3]:  # a visitor: the join call, the library, news
        browser.get(f"{base}{path}")
        check_page(browser, wait, f"{path} (visitor)")
