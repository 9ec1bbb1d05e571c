"""The home page: the hero, the join call for visitors and the member's standing for
members, the latest articles, upcoming events, new products and this month's leaders,
drafts left out, and a fixed number of queries however many pages there are."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gamification import ledger
from gamification.models import Currency, EntryKind
from showcase.models import AnnouncementIndexPage
from tests.showcase.conftest import announcement


@pytest.fixture
def products(home):
    return home.add_child(instance=AnnouncementIndexPage(title="New products", slug="products"))


@pytest.fixture
def fill(make_article, make_event, products):
    def add(n: int, start: int = 0) -> None:
        for i in range(start, start + n):
            make_article(title=f"Article number {i}")
            make_event(title=f"Event number {i}", starts_in=timedelta(days=i + 1))
            announcement(products, i, image=False)

    return add


def earn(member, points: int, key: str) -> None:
    ledger.post(
        member=member,
        currency=Currency.POINTS,
        amount=points,
        kind=EntryKind.AWARD,
        idempotency_key=key,
        description="test",
    )


def test_visitor_sees_join_call_and_latest_items(client, home, fill):
    fill(4)
    fill(1, start=10)  # the newest article, the latest event to start
    html = client.get(home.url).content.decode()
    assert "Join the club" in html
    assert "Article number 10" in html  # newest first, three shown
    assert "Article number 0" not in html
    assert "Event number 0" in html  # soonest first
    assert "Event number 10" not in html
    assert "Product 10" in html


def test_drafts_are_not_on_the_home_page(client, home, make_article):
    make_article(title="A quiet draft", publish=False)
    make_article(title="A public article")
    html = client.get(home.url).content.decode()
    assert "A public article" in html
    assert "A quiet draft" not in html


def test_member_sees_status_and_rank_and_the_leaders(client, home, make_user):
    first = make_user(first_name="Leila", last_name="Top")
    second = make_user(first_name="Omid", last_name="Next")
    earn(first, 900, "home-test-1")
    earn(second, 300, "home-test-2")
    client.force_login(second)
    html = client.get(home.url).content.decode()
    assert "Join the club" not in html
    assert "Go to my club" in html
    assert "Number 2 on this month" in html
    leaders = html[html.index('id="home-leaders"') :]
    assert leaders.index("Leila") < leaders.index("Omid")


@pytest.mark.parametrize("logged_in", [False, True])
def test_query_count_does_not_grow_with_pages(client, home, fill, make_user, logged_in):
    if logged_in:
        client.force_login(make_user())

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(home.url).status_code == 200
        return len(captured)

    fill(1)
    queries()  # Wagtail caches the site's root paths on the first request
    few = queries()
    fill(6, start=1)
    assert queries() == few
