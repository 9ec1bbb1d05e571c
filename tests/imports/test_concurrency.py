"""Two workers running the same import at once (a task delivered twice), on PostgreSQL with
real threads: each batch is taken once, under the job's row lock, so every row is imported
once and no member or card is duplicated."""

import pytest

from cardgateway.models import Card
from imports import reading, services
from imports.models import ImportJob, ImportRow, JobStatus
from portal.accounts.models import User

from ..gamification.test_ledger_concurrency import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_workers_on_the_same_job_import_each_row_once(monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 3)
    rows = [[n, f"0912{n:07d}"] for n in range(2, 22)]  # 20 members, 7 batches
    job = services.create_job(
        table=reading.Table(["Mobile"], rows), file_name="c.csv", uploaded_by=None
    )
    services.dry_run(job=ImportJob.objects.get(pk=job.pk), mapping={"mobile": 0})
    services.start_import(job=job, issue_cards=True)

    results, errors = run_in_threads([lambda: services.run_import(job_id=job.pk) for _ in range(2)])

    assert errors == []
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.done, job.created, job.bad) == (20, 20, 0)
    assert User.objects.filter(mobile__startswith="+98912").count() == 20
    assert Card.objects.count() == 20
    assert ImportRow.objects.filter(job=job).count() == 20
