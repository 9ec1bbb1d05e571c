"""A member import: the uploaded customer list (its rows, until the import is done), the
manager's column mapping, the dry run's findings and the real run's progress; and one
result row per line of the file once it has been imported."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded: map the columns")
    CHECKED = "checked", _("Checked: ready to import")
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Stopped by an error")


class Outcome(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Existing member, empty fields filled")
    SKIPPED = "skipped", _("Existing member, left unchanged")
    BAD = "bad", _("Not imported")


class ImportJob(models.Model):
    file_name = models.CharField(_("file"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)
    header = models.JSONField(_("header row"), default=list)
    # The data rows as text, dropped once the import is done (the report keeps outcomes).
    rows = models.JSONField(default=list)
    # Field name -> column index (see mapping.FIELDS).
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    # The dry run: {"new": n, "existing": n, "bad": n, "problems": [[row, mobile, code, detail]]}
    findings = models.JSONField(default=dict, blank=True)
    issue_cards = models.BooleanField(_("issue a card to each imported member"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.UPLOADED
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows processed"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    bad = models.PositiveIntegerField(_("bad rows"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="import_done_le_total"
            )
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 100


class ImportRow(models.Model):
    """What became of one line of the file in the real run (line numbers as a spreadsheet
    shows them: the header is line 1)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="results")
    line = models.PositiveIntegerField(_("line"))
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        ordering = ["job", "line"]
        constraints = [models.UniqueConstraint(fields=["job", "line"], name="one_result_per_line")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line} {self.outcome}"
