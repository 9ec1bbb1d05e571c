"""The cockpit's screens: managers only, the live count endpoint, saving segments and
campaigns, and the delivery log's constant query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cockpit import campaigns
from cockpit.models import Campaign, CampaignStatus, Delivery, Segment
from portal.accounts import roles

pytestmark = pytest.mark.django_db

OTHER_ROLES = [roles.MEMBER, roles.MODERATOR, roles.SUPPORT_AGENT, roles.CASHIER]


@pytest.fixture
def segment(db):
    return Segment.objects.create(name="Everyone")


@pytest.fixture
def campaign(segment):
    return Campaign.objects.create(name="Spring", segment=segment, channels=["portal"], title="Hi")


def screen_urls(segment, campaign):
    return [
        reverse("cockpit:segment-list"),
        reverse("cockpit:segment-create"),
        reverse("cockpit:segment-edit", args=[segment.pk]),
        reverse("cockpit:segment-count"),
        reverse("cockpit:campaign-list"),
        reverse("cockpit:campaign-create"),
        reverse("cockpit:campaign-detail", args=[campaign.pk]),
        reverse("cockpit:campaign-edit", args=[campaign.pk]),
    ]


def test_a_manager_opens_every_screen(manager_client, segment, campaign):
    for url in screen_urls(segment, campaign):
        assert manager_client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_other_role_is_refused_and_changes_nothing(
    client, make_user, role, segment, campaign
):
    client.force_login(make_user(role))
    for url in screen_urls(segment, campaign):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert "login" in response["Location"]
    client.post(reverse("cockpit:segment-create"), {"name": "Sneaky"})
    client.post(reverse("cockpit:campaign-cancel", args=[campaign.pk]))
    client.post(
        reverse("cockpit:campaign-edit", args=[campaign.pk]),
        {"name": "X", "segment": segment.pk, "channels": ["portal"], "title": "X", "schedule": 1},
    )
    assert list(Segment.objects.values_list("name", flat=True)) == ["Everyone"]
    campaign.refresh_from_db()
    assert (campaign.name, campaign.status) == ("Spring", CampaignStatus.DRAFT)


def test_anonymous_users_are_sent_to_log_in(client, segment, campaign):
    for url in screen_urls(segment, campaign):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_the_count_endpoint_counts_matching_members(manager_client, make_user, branch):
    make_user(roles.MEMBER, home_branch=branch)
    make_user(roles.MEMBER)
    url = reverse("cockpit:segment-count")
    assert manager_client.get(url).json()["count"] == 2
    answer = manager_client.get(url, {"home_branches": [branch.pk], "consent": ""}).json()
    assert answer == {"count": 1, "label": "1 member"}


def test_the_count_endpoint_refuses_bad_input(manager_client):
    response = manager_client.get(
        reverse("cockpit:segment-count"), {"points_min": "ten", "visits_min": 5, "visits_max": 1}
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"points_min", "visits_max"}


def test_count_without_javascript_shows_the_count_and_saves_nothing(
    manager_client, make_user, branch
):
    make_user(roles.MEMBER, home_branch=branch)
    response = manager_client.post(
        reverse("cockpit:segment-create"),
        {"name": "North", "home_branches": [branch.pk], "count": "1"},
    )
    assert response.status_code == 200
    assert "1 member" in response.content.decode()
    assert not Segment.objects.exists()


def test_saving_a_segment_keeps_its_filters_and_previews_members(
    manager_client, manager, make_user, branch
):
    north = make_user(roles.MEMBER, home_branch=branch, first_name="Nora")
    response = manager_client.post(
        reverse("cockpit:segment-create"),
        {"name": "North", "home_branches": [branch.pk], "points_max": "100", "save": "1"},
    )
    segment = Segment.objects.get()
    assert response.status_code == 302
    assert list(segment.home_branches.all()) == [branch]
    assert (segment.points_max, segment.created_by) == (100, manager)
    page = manager_client.get(reverse("cockpit:segment-edit", args=[segment.pk]))
    assert north.email in page.content.decode()


def test_a_bad_segment_is_refused_with_a_form_error(manager_client):
    response = manager_client.post(
        reverse("cockpit:segment-create"),
        {"name": "Bad", "period_days": "5", "period_from": "2026-01-01", "save": "1"},
    )
    assert response.status_code == 200
    assert "period_days" in response.context["form"].errors
    assert not Segment.objects.exists()


def test_scheduling_a_campaign_from_the_form(manager_client, segment):
    response = manager_client.post(
        reverse("cockpit:campaign-create"),
        {
            "name": "Gift week",
            "segment": segment.pk,
            "channels": ["portal", "sms"],
            "title": "A gift",
            "body": "For you",
            "gift_kind": "points",
            "gift_amount": "20",
            "schedule": "1",
        },
    )
    campaign = Campaign.objects.get(name="Gift week")
    assert response.status_code == 302
    assert campaign.status == CampaignStatus.SCHEDULED and campaign.scheduled_at
    assert campaign.channels == ["portal", "sms"] and campaign.gift_amount == 20


def test_a_gift_without_amount_is_refused(manager_client, segment):
    response = manager_client.post(
        reverse("cockpit:campaign-create"),
        {
            "name": "Oops",
            "segment": segment.pk,
            "channels": ["portal"],
            "title": "A gift",
            "gift_kind": "credit",
            "draft": "1",
        },
    )
    assert response.status_code == 200
    assert "gift_amount" in response.context["form"].errors
    assert not Campaign.objects.exists()


def test_a_sent_campaign_cannot_be_edited_or_cancelled(manager_client, campaign):
    campaigns.send(campaign=campaign)
    edit = manager_client.get(reverse("cockpit:campaign-edit", args=[campaign.pk]))
    assert edit.status_code == 302
    manager_client.post(reverse("cockpit:campaign-cancel", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_the_delivery_log_keeps_a_constant_query_count(manager_client, make_user, campaign):
    make_user(roles.MEMBER)
    campaigns.send(campaign=campaign)
    for _ in range(20):
        make_user(roles.MEMBER)
    bigger = Campaign.objects.create(
        name="Bigger", segment=campaign.segment, channels=["portal"], title="Hi"
    )
    campaigns.send(campaign=bigger)
    assert Delivery.objects.filter(campaign=bigger).count() == 21

    def queries(target) -> int:
        url = reverse("cockpit:campaign-detail", args=[target.pk])
        manager_client.get(url)  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(url).status_code == 200
        return len(captured)

    assert queries(bigger) == queries(campaign)


def test_the_cockpit_menu_is_shown_to_managers_only(client, manager_client, make_user):
    page = manager_client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("cockpit:segment-list") in page
    assert reverse("cockpit:campaign-list") in page
    client.force_login(make_user(roles.MODERATOR))
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("cockpit:segment-list") not in page
