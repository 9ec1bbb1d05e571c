"""Every change an import makes. The real run goes in batches of BATCH_SIZE rows, each
batch one transaction together with the job's progress, so a crash leaves the members of
the finished batches and a job that resumes after them; and since the mobile number is
the key (an existing member is matched, never created twice, and a card is issued only to
a member without an active one), importing the same file again duplicates nothing."""

import logging
import secrets
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from cardgateway.models import Branch, Card, CardStatus
from cardgateway.services import Refused, issue_card, placeholder_email
from portal.accounts.models import MemberProfile, User
from portal.accounts.services import register_member, set_consents
from portal.audit.services import Action, record

from .checking import RowCheck, branch_index, read_rows, resolve
from .models import ImportJob, ImportRow, JobStatus, Outcome
from .reading import Table

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# A queued or running job without progress for this long has lost its worker.
STALE_AFTER = timedelta(minutes=15)
# Rows the dry run looks up in the database at a time.
CHECK_CHUNK = 1000
AUDIT_ACTION = Action.MEMBERS_IMPORTED
FILLABLE = ("first_name", "last_name", "birth_date", "home_branch_id")


class ImportRefused(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def create_job(*, table: Table, file_name: str, uploaded_by: User | None) -> ImportJob:
    """Store a read upload as a new job, waiting for its column mapping."""
    return ImportJob.objects.create(
        file_name=file_name[:255],
        uploaded_by=uploaded_by,
        header=table.header,
        rows=table.rows,
        total=len(table.rows),
    )


def dry_run(*, job: ImportJob, mapping: dict[str, int]) -> ImportJob:
    """Save the column mapping and check every row against it and the database, storing
    the totals (new, existing, bad) and every bad line with its reason. Writes nothing
    but the job. Refused once the import has started."""
    checks = read_rows(job.rows, mapping)
    branches = branch_index()
    for start in range(0, len(checks), CHECK_CHUNK):
        resolve(checks[start : start + CHECK_CHUNK], branches=branches)
    totals = {"new": 0, "existing": 0, "bad": 0}
    problems = []
    for check in checks:
        totals[check.outcome] += 1
        if check.problem:
            problems.append([check.line, check.mobile_text, *check.problem])
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().defer("rows").get(pk=job.pk)
        if locked.status not in (JobStatus.UPLOADED, JobStatus.CHECKED):
            raise ImportRefused("started", "This import has started already.")
        locked.mapping = mapping
        locked.findings = {**totals, "problems": problems}
        locked.status = JobStatus.CHECKED
        locked.updated_at = timezone.now()
        locked.save(update_fields=["mapping", "findings", "status", "updated_at"])
    job.refresh_from_db()
    return job


def can_start(job: ImportJob) -> bool:
    """A checked job, one that stopped with an error, or one whose worker vanished (no
    progress for STALE_AFTER) can be started or resumed."""
    if job.status in (JobStatus.CHECKED, JobStatus.FAILED):
        return True
    return (
        job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
        and job.updated_at < timezone.now() - STALE_AFTER
    )


def start_import(*, job: ImportJob, issue_cards: bool) -> ImportJob:
    """Queue the real run of a checked job, or resume one that stopped (its finished
    batches stay; the rest is done). The task starts once this transaction commits.
    Raises ImportRefused("not_ready") for a job that is not waiting to start."""
    from .tasks import run_import_task

    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().defer("rows").get(pk=job.pk)
        if not can_start(locked):
            raise ImportRefused("not_ready", "This import is not waiting to start.")
        if locked.status == JobStatus.CHECKED:
            locked.issue_cards = issue_cards
        locked.status = JobStatus.QUEUED
        locked.error = ""
        locked.updated_at = timezone.now()
        locked.save(update_fields=["issue_cards", "status", "error", "updated_at"])
        transaction.on_commit(lambda: run_import_task.delay(locked.pk))
    return locked


def run_import(*, job_id: int) -> ImportJob:
    """The real run: batch after batch from where the job stands. A failure marks the job
    failed with its error (the finished batches stay) and is logged."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        return job
    ImportJob.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, updated_at=timezone.now())
    checks = read_rows(job.rows, job.mapping)
    branches = branch_index()
    branch_objects = Branch.objects.in_bulk()
    try:
        while import_batch(
            job_id=job_id, checks=checks, branches=branches, branch_objects=branch_objects
        ):
            pass
    except Exception as error:
        logger.exception("member import %s stopped", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=repr(error)[:300], updated_at=timezone.now()
        )
    return ImportJob.objects.defer("rows").get(pk=job_id)


def import_batch(
    *, job_id: int, checks: list[RowCheck], branches: dict, branch_objects: dict
) -> bool:
    """Import the next BATCH_SIZE rows of the job in one transaction, under the job's row
    lock (so two workers never take the same batch), with their results and the job's
    counts. Returns whether rows remain."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().defer("rows", "findings").get(pk=job_id)
        if job.status != JobStatus.RUNNING or job.done >= job.total:
            return False
        batch = checks[job.done : job.done + BATCH_SIZE]
        resolve(batch, branches=branches)
        results = [
            _import_row(job=job, check=check, branch_objects=branch_objects) for check in batch
        ]
        ImportRow.objects.bulk_create(results)
        for result in results:
            field = "bad" if result.outcome == Outcome.BAD else result.outcome
            setattr(job, field, getattr(job, field) + 1)
        job.done += len(batch)
        job.updated_at = timezone.now()
        if job.done >= job.total:
            job.status = JobStatus.DONE
            # The customer list itself is not kept once imported; the report is.
            ImportJob.objects.filter(pk=job.pk).update(rows=[])
            record(
                actor=job.uploaded_by,
                action=AUDIT_ACTION,
                target=job,
                what="member import",
                file=job.file_name,
                created=job.created,
                updated=job.updated,
                skipped=job.skipped,
                bad=job.bad,
            )
        job.save(
            update_fields=[
                "done", "created", "updated", "skipped", "bad", "status", "updated_at",
            ]
        )  # fmt: skip
        return job.status == JobStatus.RUNNING


def _import_row(*, job: ImportJob, check: RowCheck, branch_objects: dict) -> ImportRow:
    result = ImportRow(job=job, line=check.line, mobile=check.mobile or check.mobile_text[:40])
    if check.problem:
        result.outcome = Outcome.BAD
        result.reason, result.detail = check.problem
        return result
    try:
        with transaction.atomic():
            if check.member_id:
                changed = _update_member(job=job, check=check, branch_objects=branch_objects)
                result.member_id = check.member_id
                result.outcome = Outcome.UPDATED if changed else Outcome.SKIPPED
            else:
                result.member_id = _create_member(
                    job=job, check=check, branch_objects=branch_objects
                ).pk
                result.outcome = Outcome.CREATED
    except (IntegrityError, Refused):
        # Someone registered this mobile, e-mail or card number since the batch was read.
        result.member_id = None
        result.outcome, result.reason = Outcome.BAD, "conflict"
    return result


def _create_member(*, job: ImportJob, check: RowCheck, branch_objects: dict) -> User:
    values = check.values
    email = values.get("email", "")
    if not email:
        email = placeholder_email(check.mobile)
        # Its former holder changed their mobile number and kept the address.
        if User.objects.filter(email__iexact=email).exists():
            email = email.replace("@", f".{secrets.token_hex(3)}@")
    branch = branch_objects.get(values.get("home_branch_id"))
    member = register_member(
        email=email,
        password=None,
        mobile=check.mobile,
        first_name=values.get("first_name", ""),
        last_name=values.get("last_name", ""),
        birth_date=values.get("birth_date"),
        home_branch=branch,
    )
    if values.get("joined"):
        joined = timezone.make_aware(datetime.combine(values["joined"], time(12)))
        User.objects.filter(pk=member.pk).update(date_joined=joined)
    if values.get("sms_consent") or values.get("email_consent"):
        profile = member.profile
        set_consents(
            profile=profile,
            sms=True if values.get("sms_consent") else None,
            email=True if values.get("email_consent") else None,
            source=f"import {job.file_name}",
        )
        profile.save(
            update_fields=["sms_consent", "sms_consent_at", "email_consent", "email_consent_at"]
        )
    if values.get("card_number") or job.issue_cards:
        issue_card(
            member=member,
            actor=job.uploaded_by,
            branch=branch,
            number=values.get("card_number", ""),
        )
    return member


def _update_member(*, job: ImportJob, check: RowCheck, branch_objects: dict) -> bool:
    """An existing member: fill the profile's empty fields from the file, never overwrite
    one, never touch consent (the member's own choice, a withdrawal too, outranks an old
    list); issue a card only when they have no active one. Returns whether anything
    changed."""
    profile = MemberProfile.objects.select_for_update().get(user_id=check.member_id)
    changed = []
    for name in FILLABLE:
        value = check.values.get(name)
        if value and not getattr(profile, name):
            setattr(profile, name, value)
            changed.append(name)
    if changed:
        profile.save(update_fields=changed)
    number = check.values.get("card_number", "")
    if number and Card.objects.filter(number=number).exists():
        number = ""  # already theirs (resolve() refused anybody else's)
    if (number or job.issue_cards) and not Card.objects.filter(
        member_id=check.member_id, status=CardStatus.ACTIVE
    ).exists():
        issue_card(
            member=profile.user,
            actor=job.uploaded_by,
            branch=branch_objects.get(profile.home_branch_id),
            number=number,
        )
        changed.append("card")
    return bool(changed)


def discard_job(*, job: ImportJob) -> None:
    """Delete an import that has not started, with the customer list it holds. Raises
    ImportRefused("started") once it has: its report is the record of what happened."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().defer("rows").get(pk=job.pk)
        if locked.status not in (JobStatus.UPLOADED, JobStatus.CHECKED):
            raise ImportRefused("started", "This import has started already.")
        locked.delete()


def erase_member_rows(member, keep_posts: bool) -> None:
    """Registered with portal.accounts.erasure: an erased member's mobile number leaves the
    import reports (the line and its outcome stay). Idempotent."""
    ImportRow.objects.filter(member=member).update(mobile="")
