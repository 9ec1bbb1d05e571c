"""The automations in the Wagtail admin: the runs screen and the settings, managers only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from automations.models import AutomationRun, AutomationSettings, RunKind
from portal.accounts import roles

pytestmark = pytest.mark.django_db
RUNS_URL = "/cms/automations/"
REFUSED_ROLES = [roles.MEMBER, roles.MODERATOR, roles.SUPPORT_AGENT, roles.CASHIER]


def settings_url(view: str, *args) -> str:
    return reverse(f"wagtailsnippets_automations_automationsettings:{view}", args=args)


@pytest.fixture
def manager_client(client, make_user):
    client.force_login(make_user(roles.CLUB_MANAGER, email="manager@example.com"))
    return client


def test_runs_url():
    assert reverse("automations_runs") == RUNS_URL


def test_a_manager_sees_recent_runs_and_counts(manager_client, make_user):
    member = make_user(first_name="Sara", last_name="Karimi")
    AutomationRun.objects.create(member=member, kind=RunKind.BIRTHDAY, key="birthday:2027")
    AutomationRun.objects.create(member=member, kind=RunKind.WELCOME, key="welcome")
    response = manager_client.get(RUNS_URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sara Karimi" in body and "birthday:2027" in body
    counts = dict(response.context["counts"])
    assert counts["Birthday greeting"] == 1
    assert counts["Welcome"] == 1
    assert counts["Win-back offer"] == 0


def test_the_runs_screen_keeps_its_queries_constant(manager_client, make_user):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert manager_client.get(RUNS_URL).status_code == 200
        return len(ctx.captured_queries)

    first = make_user()
    AutomationRun.objects.create(member=first, kind=RunKind.WELCOME, key="welcome")
    queries()  # the first admin page of a session also fills caches
    one = queries()
    for _ in range(5):
        AutomationRun.objects.create(member=make_user(), kind=RunKind.WELCOME, key="welcome")
    assert queries() == one


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_other_roles_are_refused(client, make_user, role):
    client.force_login(make_user(role))
    response = client.get(RUNS_URL)
    assert response.status_code in (302, 403)
    if response.status_code == 302:  # Wagtail sends those without admin access to log in
        assert "login" in response["Location"]


def test_anonymous_goes_to_log_in(client):
    response = client.get(RUNS_URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_menu_links_the_screens_for_managers_only(manager_client, client, make_user):
    body = manager_client.get(reverse("wagtailadmin_home")).content.decode()
    assert RUNS_URL in body
    assert settings_url("list") in body
    client.force_login(make_user(roles.MODERATOR))
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    assert RUNS_URL not in body
    assert settings_url("list") not in body


def test_a_manager_edits_the_settings(manager_client):
    AutomationSettings.load()
    response = manager_client.get(settings_url("edit", 1))
    assert response.status_code == 200
    data = {
        "birthday_enabled": "on",
        "birthday_days_before": "5",
        "birthday_gift_kind": "points",
        "birthday_gift_amount": "300",
        "birthday_gift_valid_days": "30",
        "birthday_message": "",
        "winback_enabled": "on",
        "winback_min_visits": "4",
        "winback_lapse_days": "60",
        "winback_gift_kind": "",
        "winback_gift_amount": "0",
        "winback_gift_valid_days": "30",
        "winback_message": "",
        "welcome_enabled": "on",
        "welcome_message": "",
        "welcome_gift_kind": "",
        "welcome_gift_amount": "0",
        "welcome_gift_valid_days": "30",
        "expiry_days": "365",
        "expiry_reminder_days": "30",
    }
    assert manager_client.post(settings_url("edit", 1), data).status_code == 302
    settings = AutomationSettings.load()
    assert (settings.birthday_days_before, settings.birthday_gift_amount) == (5, 300)
    assert (settings.winback_min_visits, settings.winback_lapse_days) == (4, 60)
    assert settings.tier_congrats_enabled is False and settings.expiry_enabled is False

    # A voucher gift without a reward is refused and changes nothing.
    response = manager_client.post(
        settings_url("edit", 1), {**data, "birthday_gift_kind": "voucher"}
    )
    assert response.status_code == 200
    assert AutomationSettings.load().birthday_gift_kind == "points"


def test_settings_are_never_added_or_deleted(manager_client):
    AutomationSettings.load()
    assert manager_client.get(settings_url("add")).status_code in (302, 403)
    manager_client.post(settings_url("delete", 1))
    assert AutomationSettings.objects.filter(pk=1).exists()


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_other_roles_cannot_open_the_settings(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(settings_url("list")).status_code in (302, 403)
