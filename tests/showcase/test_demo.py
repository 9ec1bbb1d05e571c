import pytest
from wagtail.models import Page

from portal.demo import seed_branches, seed_home_page, seed_people
from showcase.demo import seed_showcase
from showcase.models import (
    AnnouncementIndexPage,
    AnnouncementPage,
    Dealer,
    DealerDirectoryPage,
    ExecutiveMessageIndexPage,
    ExecutiveMessagePage,
    HallOfFameEntry,
    HallOfFamePage,
    VideoIndexPage,
    VideoPage,
)

pytestmark = pytest.mark.django_db

SHOWCASE_PAGES = (
    AnnouncementIndexPage,
    AnnouncementPage,
    DealerDirectoryPage,
    ExecutiveMessageIndexPage,
    ExecutiveMessagePage,
    HallOfFamePage,
    VideoIndexPage,
    VideoPage,
)


def test_seed_showcase_is_idempotent_and_offline(client, role_groups):
    from unittest import mock

    seed_people(seed_branches())
    seed_home_page()
    with mock.patch("requests.get", side_effect=AssertionError("no network")):
        seed_showcase()
        counts = [
            m.objects.count()
            for m in (AnnouncementPage, ExecutiveMessagePage, Dealer, VideoPage, HallOfFameEntry)
        ]
        seed_showcase()
    assert counts == [2, 2, 6, 1, 2]
    assert [
        m.objects.count()
        for m in (AnnouncementPage, ExecutiveMessagePage, Dealer, VideoPage, HallOfFameEntry)
    ] == counts
    assert sorted(set(Dealer.objects.values_list("city", flat=True))) == [
        "Isfahan", "Shiraz", "Tehran"
    ]  # fmt: skip
    with mock.patch("requests.get", side_effect=AssertionError("no network")):
        assert "<iframe" in client.get(VideoPage.objects.get().url).content.decode()
        for page in Page.objects.type(*SHOWCASE_PAGES).live():
            assert client.get(page.url).status_code == 200, page.url


def test_managers_may_edit_the_demo_sections_in_wagtail(client, make_user, role_groups):
    from django.urls import reverse

    from portal.accounts import roles

    seed_people(seed_branches())
    seed_home_page()
    seed_showcase()
    hall = HallOfFamePage.objects.get()
    client.force_login(make_user(roles.CLUB_MANAGER))
    response = client.get(reverse("wagtailadmin_pages:edit", args=[hall.pk]))
    assert response.status_code == 200
    assert "Choose a member" in response.content.decode()
    client.force_login(make_user(roles.MODERATOR))
    assert client.get(reverse("wagtailadmin_pages:edit", args=[hall.pk])).status_code != 200
