"""Events fixtures: a page tree (made again when a transactional test flushed Wagtail's
root, locale and site), index pages, and events / news made as Wagtail pages."""

from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone

from events.models import EventIndexPage, EventPage, NewsIndexPage, NewsPage
from portal.accounts import roles
from portal.demo import seed_home_page
from tests.gamification.conftest import club_rules  # noqa: F401 - autouse: rules and tiers

_numbers = count(1)


@pytest.fixture
def home(db):
    return seed_home_page()


@pytest.fixture
def event_index(home):
    return home.add_child(instance=EventIndexPage(title="Events", slug="events"))


@pytest.fixture
def news_index(home):
    return home.add_child(instance=NewsIndexPage(title="News", slug="news"))


@pytest.fixture
def make_event(event_index):
    def make(*, live: bool = True, starts_in=timedelta(days=5), **fields) -> EventPage:
        number = next(_numbers)
        starts_at = timezone.now() + starts_in
        fields.setdefault("title", f"Event {number}")
        fields.setdefault("slug", f"event-{number}")
        fields.setdefault("starts_at", starts_at)
        fields.setdefault("ends_at", starts_at + timedelta(hours=4))
        fields.setdefault("venue", "Naqsh-e Jahan Hall")
        fields.setdefault("city", "Isfahan")
        fields.setdefault("capacity", 2)
        page = EventPage(live=live, **fields)
        event_index.add_child(instance=page)
        return page

    return make


@pytest.fixture
def make_news(news_index):
    def make(*, live: bool = True, days_ago: int = 0, **fields) -> NewsPage:
        number = next(_numbers)
        fields.setdefault("title", f"News {number}")
        fields.setdefault("slug", f"news-{number}")
        fields.setdefault("date", timezone.localdate() - timedelta(days=days_ago))
        page = NewsPage(live=live, **fields)
        news_index.add_child(instance=page)
        return page

    return make


@pytest.fixture
def manager(make_user):
    return make_user(roles.CLUB_MANAGER, first_name="Nasrin", last_name="Tehrani")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client
