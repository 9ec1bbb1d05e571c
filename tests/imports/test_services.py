import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cardgateway import cards
from cardgateway.models import Card, CardStatus
from cardgateway.services import issue_card
from imports import reading, services
from imports.models import ImportJob, ImportRow, JobStatus, Outcome
from portal.accounts.models import ConsentChange, MemberProfile, User
from portal.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

HEADER = [
    "Mobile", "First name", "Last name", "E-mail", "Birth date", "Branch", "Joined",
    "SMS consent", "Email consent", "Card number",
]  # fmt: skip
MAPPING = {name: index for index, name in enumerate(
    ["mobile", "first_name", "last_name", "email", "birth_date", "home_branch", "joined",
     "sms_consent", "email_consent", "card_number"]
)}  # fmt: skip


def row(line, mobile, first="Sara", last="Ahmadi", email="", birth="", branch="", joined="",
        sms="", mail="", card=""):  # fmt: skip
    return [line, mobile, first, last, email, birth, branch, joined, sms, mail, card]


def make_job(rows, *, name="customers.csv", manager=None):
    table = reading.Table(HEADER, rows)
    return services.create_job(table=table, file_name=name, uploaded_by=manager)


def checked(rows, **kwargs):
    job = make_job(rows, **kwargs)
    return services.dry_run(job=ImportJob.objects.get(pk=job.pk), mapping=MAPPING)


def run(job, *, issue_cards=False):
    services.start_import(job=job, issue_cards=issue_cards)
    # The task is queued on commit; tests run inside a transaction, so run it here.
    return services.run_import(job_id=job.pk)


def counts():
    return (
        User.objects.count(),
        MemberProfile.objects.count(),
        ConsentChange.objects.count(),
        Card.objects.count(),
    )


def test_dry_run_reports_every_bad_row_with_its_reason_and_imports_nothing(branch, make_user):
    make_user(mobile="+989120000001", email="taken@example.com")
    before = counts()
    job = checked(
        [
            row(2, "09121111111", birth="1370/05/12", branch="central"),
            row(3, "0912"),  # bad mobile
            row(4, "09121111111"),  # same mobile as line 2
            row(5, "09122222222", birth="1991-02-30"),  # no such day
            row(6, "09123333333", branch="Nowhere"),
            row(7, "09124444444", email="not-an-address"),
            row(8, "09125555555", email="taken@example.com"),
            row(9, "09120000001"),  # already a member
            row(10, "09126666666", sms="maybe"),
            row(11, "09127777777", card="1234"),
            row(12, ""),
            row(13, "09128888888", birth="1399/01/01"),  # too young
        ]
    )
    assert counts() == before
    assert job.status == JobStatus.CHECKED
    assert (job.findings["new"], job.findings["existing"], job.findings["bad"]) == (1, 1, 10)
    reasons = {line: code for line, _mobile, code, _detail in job.findings["problems"]}
    assert reasons == {
        3: "bad_mobile",
        4: "duplicate_mobile",
        5: "bad_birth_date",
        6: "unknown_branch",
        7: "bad_email",
        8: "email_taken",
        10: "bad_consent",
        11: "bad_card",
        12: "no_mobile",
        13: "bad_birth_date",
    }
    duplicate = next(p for p in job.findings["problems"] if p[0] == 4)
    assert duplicate[3] == "2"


def test_real_run_creates_members_with_profile_consent_and_cards(branch, manager):
    number = cards.random_card_number()
    job = checked(
        [
            row(2, "۰۹۱۲۱۱۱۱۱۱۱", "سارا", "احمدی", birth="۱۳۷۰/۰۵/۱۲", branch="CENTRAL",
                joined="2020-01-15", sms="بله", mail="no", card=number),
            row(3, "+989122222222", email="Reza@Example.com", branch="Central", sms="0", mail="1"),
            row(4, "0912"),
        ],
        name="club-list.xlsx",
        manager=manager,
    )  # fmt: skip
    job = run(job, issue_cards=True)
    assert job.status == JobStatus.DONE
    assert (job.created, job.updated, job.skipped, job.bad, job.done) == (2, 0, 0, 1, 3)
    assert job.rows == [] and ImportJob.objects.get(pk=job.pk).rows == []

    sara = User.objects.get(mobile="+989121111111")
    assert sara.email == "m989121111111@members.invalid"
    assert not sara.has_usable_password()
    assert sara.date_joined.date() == datetime.date(2020, 1, 15)
    profile = sara.profile
    assert (profile.first_name, profile.last_name) == ("سارا", "احمدی")
    assert profile.birth_date == datetime.date(1991, 8, 3)
    assert profile.home_branch == branch
    assert (profile.sms_consent, profile.email_consent) == (True, False)
    assert profile.sms_consent_at is not None
    consent = ConsentChange.objects.get(member=sara)
    assert (consent.channel, consent.granted, consent.source) == (
        "sms",
        True,
        "import club-list.xlsx",
    )
    assert list(sara.cards.values_list("number", flat=True)) == [number]

    reza = User.objects.get(mobile="+989122222222")
    assert reza.email == "reza@example.com"
    assert list(ConsentChange.objects.filter(member=reza).values_list("channel", flat=True)) == [
        "email"
    ]
    assert reza.cards.filter(status=CardStatus.ACTIVE).count() == 1  # issued: the box was ticked

    results = {r.line: (r.outcome, r.reason) for r in ImportRow.objects.filter(job=job)}
    assert results == {2: ("created", ""), 3: ("created", ""), 4: ("bad", "bad_mobile")}
    assert AuditEntry.objects.filter(target_type="imports.importjob", target_id=job.pk).exists()


def test_no_card_is_issued_without_the_box_or_a_number(branch):
    job = run(checked([row(2, "09121111111")]), issue_cards=False)
    assert job.created == 1
    assert not Card.objects.exists()


def test_importing_the_same_file_again_creates_no_duplicates(branch):
    rows = [row(2, "09121111111", sms="yes"), row(3, "09122222222", branch="central")]
    run(checked(rows), issue_cards=True)
    before = counts()
    second = run(checked(rows), issue_cards=True)
    assert counts() == before
    assert (second.created, second.updated, second.skipped, second.bad) == (0, 0, 2, 0)
    assert Card.objects.filter(status=CardStatus.ACTIVE).count() == 2


def test_an_existing_member_gets_empty_fields_filled_but_nothing_overwritten(branch, make_user):
    member = make_user(mobile="+989121111111", first_name="Old", last_name="")
    job = run(
        checked([row(2, "09121111111", "New", "Name", birth="1991-08-03", sms="yes")]),
        issue_cards=True,
    )
    assert (job.created, job.updated) == (0, 1)
    profile = MemberProfile.objects.get(user=member)
    assert (profile.first_name, profile.last_name) == ("Old", "Name")
    assert profile.birth_date == datetime.date(1991, 8, 3)
    # Consent is the member's own choice: an old list does not grant it.
    assert not profile.sms_consent and not ConsentChange.objects.filter(member=member).exists()
    assert member.cards.count() == 1


def test_an_existing_member_with_a_card_is_not_given_another(branch, make_user):
    member = make_user(mobile="+989121111111")
    issue_card(member=member)
    job = run(
        checked([row(2, "09121111111", first="Test", last=member.profile.last_name)]),
        issue_cards=True,
    )
    assert (job.updated, job.skipped) == (0, 1)
    assert member.cards.count() == 1


def test_a_crash_mid_way_keeps_finished_batches_and_a_rerun_completes_the_rest(branch, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    rows = [row(n, f"0912{n:07d}") for n in range(2, 8)]  # six rows: three batches
    job = checked(rows)
    real_create = services._create_member
    calls = {"n": 0}

    def crash_on_fourth(**kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("worker lost")
        return real_create(**kwargs)

    monkeypatch.setattr(services, "_create_member", crash_on_fourth)
    job = run(job)
    assert job.status == JobStatus.FAILED and "worker lost" in job.error
    # The first batch is in; the second rolled back whole, its first member too.
    assert job.done == 2 and job.created == 2
    assert User.objects.filter(mobile__startswith="+98912").count() == 2
    assert ImportRow.objects.filter(job=job).count() == 2

    monkeypatch.setattr(services, "_create_member", real_create)
    job = run(job)  # "Resume the import"
    assert job.status == JobStatus.DONE
    assert (job.done, job.created, job.bad) == (6, 6, 0)
    assert User.objects.filter(mobile__startswith="+98912").count() == 6
    assert ImportRow.objects.filter(job=job, outcome=Outcome.CREATED).count() == 6


def test_a_finished_job_cannot_be_started_or_checked_again(branch):
    job = run(checked([row(2, "09121111111")]))
    with pytest.raises(services.ImportRefused):
        services.start_import(job=job, issue_cards=False)
    with pytest.raises(services.ImportRefused):
        services.dry_run(job=job, mapping=MAPPING)


def test_the_dry_run_uses_a_fixed_number_of_queries_per_chunk(branch):
    def queries(n):
        job = make_job([row(i + 2, f"0912{i:07d}", email=f"a{i}@example.com") for i in range(n)])
        job = ImportJob.objects.get(pk=job.pk)
        with CaptureQueriesContext(connection) as ctx:
            services.dry_run(job=job, mapping=MAPPING)
        return len(ctx)

    assert queries(1) == queries(50)


def test_erasure_removes_the_mobile_from_import_reports(branch):
    job = run(checked([row(2, "09121111111")]))
    member = User.objects.get(mobile="+989121111111")
    services.erase_member_rows(member, keep_posts=True)
    result = ImportRow.objects.get(job=job)
    assert result.mobile == "" and result.outcome == Outcome.CREATED


def test_a_job_whose_worker_vanished_can_be_resumed_after_a_while(branch):
    job = checked([row(2, "09121111111")])
    services.start_import(job=job, issue_cards=False)  # queued; its worker never comes
    with pytest.raises(services.ImportRefused):
        services.start_import(job=job, issue_cards=False)
    ImportJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - services.STALE_AFTER - datetime.timedelta(seconds=1)
    )
    services.start_import(job=ImportJob.objects.get(pk=job.pk), issue_cards=False)
    assert services.run_import(job_id=job.pk).created == 1
