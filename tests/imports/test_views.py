import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from imports import reading, services
from imports.models import ImportJob, JobStatus
from portal.accounts import roles
from portal.accounts.models import User
from portal.audit.models import Action, AuditEntry

from .conftest import csv_upload, xlsx_upload

pytestmark = pytest.mark.django_db

REFUSED_ROLES = [roles.MEMBER, roles.MODERATOR, roles.SUPPORT_AGENT, roles.CASHIER]
LINES = [
    ["موبایل", "نام", "نام خانوادگی", "تاریخ تولد", "شعبه", "رضایت پیامک"],
    ["09121111111", "سارا", "احمدی", "1370/05/12", "central", "بله"],
    ["0912", "علی", "رضایی", "", "", ""],
]


def a_job(manager=None, status=None):
    job = services.create_job(
        table=reading.Table(["Mobile"], [[2, "09121111111"]]),
        file_name="c.csv",
        uploaded_by=manager,
    )
    if status:
        ImportJob.objects.filter(pk=job.pk).update(status=status)
    return job


def urls(job):
    return [
        ("get", reverse("imports:job-list")),
        ("get", reverse("imports:job-detail", args=[job.pk])),
        ("get", reverse("imports:job-mapping", args=[job.pk])),
        ("get", reverse("imports:job-status", args=[job.pk])),
        ("get", reverse("imports:job-report-csv", args=[job.pk])),
        ("get", reverse("imports:job-report-xlsx", args=[job.pk])),
        ("post", reverse("imports:job-start", args=[job.pk])),
        ("post", reverse("imports:job-discard", args=[job.pk])),
    ]


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_every_other_role_is_refused_and_nothing_changes(client, make_user, role):
    job = a_job()
    client.force_login(make_user(role))
    for method, url in urls(job):
        response = getattr(client, method)(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            # Wagtail sends staff without admin access to log in, others to its home page.
            location = response["Location"]
            assert "login" in location or location == reverse("wagtailadmin_home"), url
    upload = client.post(reverse("imports:job-list"), {"file": csv_upload(LINES)})
    assert upload.status_code in (302, 403)
    assert ImportJob.objects.count() == 1
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.UPLOADED


def test_anonymous_users_are_sent_to_log_in(client):
    job = a_job()
    for method, url in urls(job):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.UPLOADED


def test_manager_uploads_maps_checks_and_imports(manager_client, branch):
    response = manager_client.post(reverse("imports:job-list"), {"file": csv_upload(LINES)})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job-mapping", args=[job.pk])

    page = manager_client.get(response["Location"])
    assert page.status_code == 200
    form = page.context["form"]
    # Persian headers guessed.
    guessed = {name: form[name].value() for name in ("mobile", "first_name", "last_name",
               "birth_date", "home_branch", "sms_consent")}  # fmt: skip
    assert guessed == {
        "mobile": "0", "first_name": "1", "last_name": "2", "birth_date": "3",
        "home_branch": "4", "sms_consent": "5",
    }  # fmt: skip

    response = manager_client.post(reverse("imports:job-mapping", args=[job.pk]), guessed)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED
    assert not User.objects.filter(mobile="+989121111111").exists()
    detail = manager_client.get(reverse("imports:job-detail", args=[job.pk]))
    body = detail.content.decode()
    assert "Bad mobile number: 0912" in body
    assert 'src="/static/js/imports.js"' in body

    response = manager_client.post(
        reverse("imports:job-start", args=[job.pk]), {"issue_cards": "on"}
    )
    assert response.status_code == 302
    # The task starts once the transaction commits (eager in tests).
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert AuditEntry.objects.filter(target_id=job.pk, target_type="imports.importjob").exists()
    services.run_import(job_id=job.pk)

    status = manager_client.get(reverse("imports:job-status", args=[job.pk])).json()
    assert status["status"] == "done" and status["finished"]
    assert (status["done"], status["total"], status["created"], status["bad"]) == (2, 2, 1, 1)
    member = User.objects.get(mobile="+989121111111")
    assert member.cards.count() == 1 and member.profile.sms_consent


def test_the_start_runs_the_task_on_commit(
    manager_client, branch, django_capture_on_commit_callbacks
):
    job = a_job()
    services.dry_run(job=ImportJob.objects.get(pk=job.pk), mapping={"mobile": 0})
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("imports:job-start", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.created == 1


def test_mapping_needs_a_mobile_column_and_one_field_per_column(manager_client):
    job = a_job()
    url = reverse("imports:job-mapping", args=[job.pk])
    response = manager_client.post(url, {"first_name": "0"})
    assert response.status_code == 200 and "mobile" in response.context["form"].errors
    response = manager_client.post(url, {"mobile": "0", "first_name": "0"})
    assert "first_name" in response.context["form"].errors
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.UPLOADED


def test_a_fake_xlsx_upload_gets_a_clear_error(manager_client):
    fake = csv_upload(LINES, name="customers.xlsx")
    response = manager_client.post(reverse("imports:job-list"), {"file": fake})
    assert response.status_code == 200
    assert "not an Excel .xlsx workbook" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_too_big_an_upload_gets_a_clear_error(manager_client, monkeypatch):
    monkeypatch.setattr(reading, "MAX_UPLOAD_BYTES", 50)
    response = manager_client.post(reverse("imports:job-list"), {"file": csv_upload(LINES)})
    assert "The file is too large" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_xlsx_upload_is_accepted(manager_client):
    response = manager_client.post(reverse("imports:job-list"), {"file": xlsx_upload(LINES)})
    assert response.status_code == 302
    assert ImportJob.objects.get().header == LINES[0]


def test_reports_download_as_csv_and_xlsx_and_are_audited(manager_client, branch):
    job = a_job()
    services.dry_run(job=ImportJob.objects.get(pk=job.pk), mapping={"mobile": 0})
    services.start_import(job=job, issue_cards=False)
    services.run_import(job_id=job.pk)
    response = manager_client.get(reverse("imports:job-report-csv", args=[job.pk]))
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines == [
        ["Line", "Mobile", "Outcome", "Reason"],
        ["2", "'+989121111111", "Created", ""],
    ]
    response = manager_client.get(reverse("imports:job-report-xlsx", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    # Guarded like the CSV (portal/shell/spreadsheets.py), though XLSX text never runs.
    assert [cell.value for cell in sheet[2]] == [2, "'+989121111111", "Created", None]
    downloads = AuditEntry.objects.filter(
        action=Action.REPORT_EXPORTED, target_id=job.pk, detail__report="member import"
    )
    assert sorted(downloads.values_list("detail__format", flat=True)) == ["csv", "xlsx"]


def test_job_list_queries_do_not_grow_with_the_jobs(manager_client, manager):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert manager_client.get(reverse("imports:job-list")).status_code == 200
        return len(ctx)

    a_job(manager)
    one = queries()
    for _n in range(20):
        a_job(manager)
    assert queries() == one


def test_the_admin_menu_shows_the_import_to_managers_only(client, make_user):
    url = reverse("imports:job-list")
    client.force_login(make_user(roles.CLUB_MANAGER))
    assert url in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(make_user(roles.MODERATOR))
    assert url not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_an_import_not_started_can_be_discarded_with_its_file(manager_client):
    job = a_job()
    response = manager_client.post(reverse("imports:job-discard", args=[job.pk]))
    assert response.status_code == 302
    assert not ImportJob.objects.exists()


def test_a_finished_import_cannot_be_discarded(manager_client, branch):
    job = a_job()
    services.dry_run(job=ImportJob.objects.get(pk=job.pk), mapping={"mobile": 0})
    services.start_import(job=job, issue_cards=False)
    services.run_import(job_id=job.pk)
    response = manager_client.post(reverse("imports:job-discard", args=[job.pk]))
    assert response.status_code == 302
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.DONE
