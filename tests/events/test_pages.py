"""The news and event pages: what they show, what they hide (drafts, private pages),
their order, and list pages whose query count does not grow with the list."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from events import selectors, services
from events.models import EventPage, NewsPage

pytestmark = pytest.mark.django_db


def test_news_index_lists_live_items_newest_first_and_hides_drafts(client, make_news):
    make_news(title="Old story", days_ago=5)
    make_news(title="Fresh story", days_ago=0)
    draft = make_news(title="Secret draft", live=False)
    response = client.get("/news/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Fresh story") < html.index("Old story")
    assert "Secret draft" not in html
    assert client.get(f"/news/{draft.slug}/").status_code == 404


def test_news_page_renders_its_body(client, make_news):
    item = make_news(title="Branch news", summary="Short", body="<p>The <b>full</b> story</p>")
    response = client.get(item.url)
    assert response.status_code == 200
    assert b"The <b>full</b> story" in response.content
    assert b"Short" in response.content


def test_news_index_is_paginated(client, make_news, news_index):
    for n in range(news_index.per_page + 2):
        make_news(title=f"Item {n:02d}", days_ago=n)
    first = client.get("/news/").content.decode()
    second = client.get("/news/?page=2").content.decode()
    assert "Item 00" in first and "Item 11" not in first
    assert "Item 11" in second and "Item 00" not in second


def test_private_news_is_left_out_of_the_index(client, make_news):
    hidden = make_news(title="Members of staff only")
    PageViewRestriction.objects.create(
        page=hidden, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    assert "Members of staff only" not in client.get("/news/").content.decode()


def test_event_index_lists_upcoming_soonest_first_then_past(client, make_event):
    make_event(title="Later fair", starts_in=timedelta(days=20))
    make_event(title="Soon talk", starts_in=timedelta(days=2))
    make_event(title="Old expo", starts_in=timedelta(days=-30))
    make_event(title="Draft expo", live=False)
    html = client.get("/events/").content.decode()
    assert html.index("Soon talk") < html.index("Later fair") < html.index("Old expo")
    assert "Draft expo" not in html


def test_event_page_shows_the_place_and_an_rsvp_button(member_client, make_event):
    event = make_event(title="Tea exhibition", venue="Hall 7", city="Shiraz", capacity=10)
    html = member_client.get(event.url).content.decode()
    assert "Tea exhibition" in html and "Hall 7" in html and "Shiraz" in html
    assert f'action="/club/events/{event.pk}/rsvp/"' in html
    assert "0 of 10 places taken" in html


def test_event_page_asks_visitors_to_log_in(client, make_event):
    event = make_event()
    html = client.get(event.url).content.decode()
    assert "/accounts/login/?next=" in html
    assert "/rsvp/" not in html


def test_draft_event_is_not_served(client, make_event):
    draft = make_event(live=False)
    assert client.get(f"/events/{draft.slug}/").status_code == 404


def test_upcoming_events_selector_gives_live_public_events_to_come(make_event):
    soon = make_event(starts_in=timedelta(days=1))
    later = make_event(starts_in=timedelta(days=3))
    make_event(starts_in=timedelta(days=2), live=False)
    make_event(starts_in=timedelta(days=-2))
    private = make_event(starts_in=timedelta(hours=2))
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    assert [e.pk for e in selectors.upcoming_events()] == [soon.pk, later.pk]
    assert [e.pk for e in selectors.upcoming_events(limit=1)] == [soon.pk]


def test_search_finds_events_and_news_by_body(make_event, make_news):
    from wagtail.models import Page

    make_event(title="Expo", body="<p>saffron tasting</p>")
    make_news(title="Story", body="<p>saffron harvest</p>")
    make_news(title="Other", body="<p>nothing</p>")
    found = {type(p.specific) for p in Page.objects.live().search("saffron")}
    assert found == {EventPage, NewsPage}


def _queries(client, url) -> int:
    client.get(url)  # warm caches (site root paths, renditions)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_event_index_queries_do_not_grow_with_events(member_client, make_event, make_user):
    first = make_event(starts_in=timedelta(days=1), image=make_image())
    services.rsvp(event=first, member=make_user())
    make_event(starts_in=timedelta(days=-5), image=make_image())
    one = _queries(member_client, "/events/")
    for n in range(8):
        event = make_event(starts_in=timedelta(days=2 + n), image=make_image())
        services.rsvp(event=event, member=make_user())
        make_event(starts_in=timedelta(days=-6 - n), image=make_image())
    assert _queries(member_client, "/events/") == one


def make_image():
    import io

    from django.core.files.images import ImageFile
    from PIL import Image as Picture
    from wagtail.images.models import Image
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    out = io.BytesIO()
    Picture.new("RGB", (40, 30), (30, 120, 90)).save(out, format="PNG")
    return Image.objects.create(title="Photo", file=ImageFile(out, name="photo.png"))


def test_news_index_queries_do_not_grow_with_items(client, make_news):
    make_news(image=make_image())
    one = _queries(client, "/news/")
    for _ in range(8):
        make_news(image=make_image())
    html = client.get("/news/").content.decode()
    assert html.count('class="news-thumb"') == 9
    assert _queries(client, "/news/") == one


def test_pages_render_right_to_left_with_jalali_dates_in_persian(member_client, make_event):
    from django.conf import settings

    event = make_event(title="نمایشگاه بهار", capacity=3)
    member_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    for url in ("/events/", event.url):
        html = member_client.get(url).content.decode()
        assert 'dir="rtl"' in html
        assert "نمایشگاه بهار" in html
        assert "۱۴۰" in html  # a Jalali year (1400s) in Persian digits
