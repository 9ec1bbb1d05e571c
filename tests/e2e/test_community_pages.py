"""The community in a real browser: with the demo data, a member reads the feed, the
forums (index, a category, a topic), surveys, contests, groups and their profile in
English and in Persian, and a moderator opens the moderation queue. Every page keeps the
Content-Security-Policy, passes the accessibility checks and fits a phone without sideways
scrolling (tests/e2e/browser.py). A plain transactional test: it seeds what it needs."""

import pytest
from django.conf import settings
from selenium.webdriver.common.by import By

from community.contests.demo import seed_contests
from community.forums.demo import seed_forums
from community.forums.models import ForumCategory, Topic
from portal import demo
from tests.e2e.browser import check_page, fill, html_attributes, submit_form_with
from tests.gamification.conftest import club_rules  # noqa: F401 - autouse: rules and tiers

pytestmark = [pytest.mark.e2e]

MEMBER_PAGES = [
    "/community/",
    "/community/forums/",
    "/community/surveys/",
    "/community/contests/",
    "/community/groups/",
    "/community/me/",
]


def log_in(browser, wait, base: str, email: str, language: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{base}/accounts/login/")
    browser.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "path": "/"})
    browser.get(f"{base}/accounts/login/")
    fill(browser, wait, {"login": email, "password": demo.DEMO_PASSWORD})
    submit_form_with(browser, wait, "login")


@pytest.mark.django_db(transaction=True)
def test_community_pages_pass_in_both_languages(live_server, browser, wait, role_groups):
    # The community's part of the demo (earlier transactional tests may have flushed what
    # migrations seed, such as Wagtail's root page, so not the whole seed).
    demo.seed_people(demo.seed_branches())
    demo.seed_club()
    seed_forums()
    seed_contests()
    base = live_server.url
    category = ForumCategory.objects.filter(
        is_active=True, min_tier__isnull=True, group__isnull=True
    ).first()
    topic = Topic.objects.filter(category=category).first()
    pages = [
        *MEMBER_PAGES,
        f"/community/forums/c/{category.slug}/",
        f"/community/forums/t/{topic.pk}/",
    ]

    for language, direction in (("en", "ltr"), ("fa", "rtl")):
        log_in(browser, wait, base, "member@club.example", language)
        for path in pages:
            browser.get(f"{base}{path}")
            assert html_attributes(browser) == (direction, language), path
            assert browser.find_elements(By.TAG_NAME, "h1"), path
            check_page(browser, wait, f"{path} ({language})")

    log_in(browser, wait, base, "moderator@club.example", "fa")
    for path in ("/community/moderation/", "/community/moderation/log/"):
        browser.get(f"{base}{path}")
        assert html_attributes(browser) == ("rtl", "fa"), path
        check_page(browser, wait, f"{path} (moderator, fa)")
