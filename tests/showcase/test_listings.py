"""What the showcase lists show: published and public pages only, newest first, in a fixed
number of queries; the dealers directory by city; the home page's selector."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from showcase import selectors
from showcase.models import Dealer

from .conftest import announcement, message, video

pytestmark = pytest.mark.django_db


def _queries(client, url, **params) -> int:
    client.get(url, params)  # renditions are made on the first view
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def test_announcements_newest_first_and_drafts_and_private_ones_hidden(client, announcement_index):
    old = announcement(announcement_index, 1, launch_date=date(2025, 1, 1))
    new = announcement(announcement_index, 2, launch_date=date(2026, 5, 1))
    draft = announcement(announcement_index, 3, title="Secret draft")
    draft.unpublish()
    private = announcement(announcement_index, 4, title="Staff only")
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    response = client.get(announcement_index.url)
    body = response.content.decode()
    assert body.index(new.product_name) < body.index(old.product_name)
    assert "Product 3" not in body and "Product 4" not in body
    assert client.get(draft.url or f"{announcement_index.url}{draft.slug}/").status_code == 404
    assert client.get(private.url).status_code == 302  # to the log-in page
    assert selectors.latest_announcements(limit=3) == [new, old]
    assert selectors.latest_announcements(limit=1) == [new]


def test_announcement_index_pages_through_older_ones(client, announcement_index):
    for n in range(12):
        announcement(announcement_index, n, image=False)
    first = client.get(announcement_index.url).content.decode()
    second = client.get(announcement_index.url, {"page": 2}).content.decode()
    assert "Product 11" in first and "Product 0" not in first
    assert "Product 0" in second and "Product 11" not in second
    assert 'rel="prev"' in second


@pytest.mark.parametrize(
    ("index_fixture", "make"),
    [("announcement_index", announcement), ("message_index", message), ("video_index", video)],
)
def test_indexes_keep_a_constant_number_of_queries(client, request, index_fixture, make):
    index = request.getfixturevalue(index_fixture)
    make(index, 0)
    one = _queries(client, index.url)
    for n in range(1, 6):
        make(index, n)
    assert _queries(client, index.url) == one


def test_executive_messages_are_listed_in_full(client, message_index):
    message(message_index, 1)
    body = client.get(message_index.url).content.decode()
    assert "Full message number 1." in body and "Executive 1" in body


def _dealer(name, city, **fields):
    fields.setdefault("kind", "dealer")
    return Dealer.objects.create(
        name=name, city=city, address=f"{name} street", phone="021 1234 5678", **fields
    )


def test_directory_groups_active_dealers_by_city(client, directory):
    _dealer("Shiraz One", "Shiraz")
    _dealer("Tehran One", "Tehran", kind="representative")
    _dealer("Tehran Two", "Tehran")
    _dealer("Closed Shop", "Tehran", is_active=False)
    _dealer("Gone", "Tabriz", is_active=False)
    response = client.get(directory.url)
    groups = [(g.city, [d.name for d in g.dealers]) for g in response.context["directory"].groups]
    assert groups == [("Shiraz", ["Shiraz One"]), ("Tehran", ["Tehran Two", "Tehran One"])]
    body = response.content.decode()
    assert "Closed Shop" not in body and "Tabriz" not in body
    assert "Representative" in body


def test_directory_filters_by_city_and_refuses_an_unknown_one(client, directory):
    _dealer("Shiraz One", "Shiraz")
    _dealer("Tehran One", "Tehran")
    response = client.get(directory.url, {"city": "Tehran"})
    assert [g.city for g in response.context["directory"].groups] == ["Tehran"]
    assert "Shiraz One" not in response.content.decode()
    assert '<option value="Tehran" selected>' in response.content.decode()

    response = client.get(directory.url, {"city": "Atlantis"})
    shown = response.context["directory"]
    assert [g.city for g in shown.groups] == ["Shiraz", "Tehran"]
    assert "There is no representative or dealer in “Atlantis” yet." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_directory_keeps_a_constant_number_of_queries(client, directory):
    _dealer("First", "Tehran")
    one = _queries(client, directory.url)
    for n in range(8):
        _dealer(f"Dealer {n}", ["Tehran", "Isfahan", "Shiraz"][n % 3])
    assert _queries(client, directory.url) == one
    assert _queries(client, directory.url, city="Isfahan") == one


def test_pages_render_right_to_left_in_persian(client, announcement_index, directory):
    from django.conf import settings

    item = announcement(announcement_index, 1, launch_date=date(2026, 3, 21))
    _dealer("نمایندگی آفتاب", "Tehran", kind="representative")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    body = client.get(item.url).content.decode()
    assert 'dir="rtl"' in body
    assert "۱۴۰۵" in body  # the launch date in the Persian calendar and digits
    body = client.get(directory.url).content.decode()
    assert 'dir="rtl"' in body and "نمایندگی آفتاب" in body


def test_latest_announcements_cost_two_queries_with_pictures(announcement_index):
    for n in range(4):
        announcement(announcement_index, n)
    with CaptureQueriesContext(connection) as captured:
        latest = selectors.latest_announcements(limit=3)
        [item.image.title for item in latest]
    assert len(latest) == 3
    assert len(captured) <= 4  # restrictions, pages with pictures, renditions
