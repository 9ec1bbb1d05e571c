"""The dashboard and export screens: managers only, every other role refused (and nothing
changed); the dashboard's figures and charts; exports asked for, followed and downloaded."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.accounts import roles
from reports.models import Export, ExportStatus

from .conftest import at

pytestmark = pytest.mark.django_db

OTHER_ROLES = [roles.MEMBER, roles.MODERATOR, roles.SUPPORT_AGENT, roles.CASHIER]
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def made_export(manager, django_capture_on_commit_callbacks):
    from reports import services

    with django_capture_on_commit_callbacks(execute=True):
        export = services.request_export(
            kind="tiers", fmt="xlsx", params=MARCH | {"branch": None}, requested_by=manager,
            language="en",
        )  # fmt: skip
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    return export


def _urls(export):
    return [
        reverse("reports:dashboard"),
        reverse("reports:exports"),
        reverse("reports:export-status", args=[export.pk]),
        reverse("reports:export-download", args=[export.pk]),
    ]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_other_role_is_refused_everywhere(client, make_user, made_export, role):
    client.force_login(make_user(role))
    for url in _urls(made_export):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert "login" in response["Location"]
        assert not response.get("Content-Disposition")
    response = client.post(
        reverse("reports:exports"), MARCH | {"kind": "members", "format": "xlsx"}
    )
    assert response.status_code in (302, 403)
    assert Export.objects.count() == 1


def test_moderators_reach_the_admin_but_get_403(client, make_user, made_export):
    client.force_login(make_user(roles.MODERATOR))
    for url in _urls(made_export):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_log_in(client, made_export):
    for url in _urls(made_export):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_the_dashboard_shows_figures_definitions_and_charts(
    manager_client, make_member, buy, north
):
    reza = make_member("reza@example.com", joined=at(2026, 1, 10), branch=north)
    buy(reza, 250_000, at(2026, 3, 5), north)
    with time_machine.travel(at(2026, 4, 10), tick=False):
        response = manager_client.get(reverse("reports:dashboard"), MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Average transaction value" in html
    assert "250,000" in html
    assert "divided by the number of purchases" in html  # a definition next to its figure
    assert html.count("<svg") >= 2  # tiers and purchases over time
    assert 'name="kind" value="churn"' in html


def test_the_dashboard_defaults_to_the_last_30_days(manager_client):
    response = manager_client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    period = response.context["board"].period
    assert (period.end - period.start).days == 29


def test_a_preset_sets_the_period(manager_client):
    response = manager_client.get(reverse("reports:dashboard"), {"preset": "year"})
    period = response.context["board"].period
    assert (period.end - period.start).days == 364


def test_bad_dates_show_the_form_errors(manager_client):
    response = manager_client.get(
        reverse("reports:dashboard"), {"start": "2026-03-31", "end": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()
    assert "board" not in response.context


def test_the_dashboard_is_rendered_in_persian(manager_client):
    manager_client.cookies["club_language"] = "fa"
    response = manager_client.get(reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="fa")
    assert response.status_code == 200
    html = response.content.decode()
    # The charts are drawn right to left, numbers in Persian digits.
    assert 'direction="rtl"' in html and 'direction="ltr"' not in html


def test_a_manager_asks_for_an_export_and_downloads_it(
    manager_client, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("reports:exports"), MARCH | {"kind": "tiers", "format": "pdf"}
        )
    assert response.status_code == 302
    export = Export.objects.get()
    assert (export.kind, export.format, export.requested_by) == ("tiers", "pdf", manager)
    assert export.params == {"start": "2026-03-01", "end": "2026-03-31", "branch": None}
    status = manager_client.get(reverse("reports:export-status", args=[export.pk])).json()
    assert status["status"] == "done" and status["percent"] == 100
    download = manager_client.get(status["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "attachment" in download["Content-Disposition"]


def test_a_bad_export_request_changes_nothing(manager_client):
    response = manager_client.post(
        reverse("reports:exports"), MARCH | {"kind": "passwords", "format": "xlsx"}
    )
    assert response.status_code == 400
    assert not Export.objects.exists()


def test_managers_share_exports(client, make_user, made_export):
    other = make_user(roles.CLUB_MANAGER, email="other-manager@example.com")
    client.force_login(other)
    response = client.get(reverse("reports:export-download", args=[made_export.pk]))
    assert response.status_code == 200


def test_an_unfinished_export_cannot_be_downloaded(manager_client, manager):
    pending = Export.objects.create(kind="tiers", format="xlsx", requested_by=manager)
    response = manager_client.get(reverse("reports:export-download", args=[pending.pk]))
    assert response.status_code == 404
    status = manager_client.get(reverse("reports:export-status", args=[pending.pk])).json()
    assert status["download_url"] is None and status["status"] == "pending"


def test_the_exports_list_shows_progress_and_a_refresh_link(manager_client, manager):
    Export.objects.create(
        kind="members", format="xlsx", requested_by=manager, status="running", done=40, total=80
    )
    html = manager_client.get(reverse("reports:exports")).content.decode()
    assert 'value="50"' in html  # <progress>
    assert "reports-exports.js" in html
    assert "Refresh" in html


def test_the_exports_list_runs_a_fixed_number_of_queries(manager_client, manager):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(reverse("reports:exports")).status_code == 200
        return len(captured.captured_queries)

    Export.objects.create(kind="members", format="xlsx", requested_by=manager)
    one = queries()
    for _ in range(20):
        Export.objects.create(kind="ledger", format="pdf", requested_by=manager)
    assert queries() == one


def test_the_dashboard_keeps_its_figures_for_a_few_minutes(manager_client, north):
    url = reverse("reports:dashboard")
    with time_machine.travel(at(2026, 4, 10), tick=False):
        first = manager_client.get(url, MARCH).context["board"]
    with time_machine.travel(at(2026, 4, 10, 13) - timedelta(minutes=58), tick=False):
        again = manager_client.get(url, MARCH).context["board"]
        other = manager_client.get(url, MARCH | {"branch": north.pk}).context["board"]
    assert again.computed_at == first.computed_at  # two minutes later: kept
    assert other.computed_at != first.computed_at  # another branch: computed
