"""An export the club manager asked for: made in the background (reports/tasks.py), its file
kept outside MEDIA_ROOT (settings.PRIVATE_EXPORT_ROOT) and sent only by the permission-checked
download view."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel (XLSX)")
    PDF = "pdf", _("PDF")


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("in progress")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class Export(models.Model):
    kind = models.CharField(_("report"), max_length=40)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    # The report's parameters as JSON (period as ISO dates, branch id), see exports.Params.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # Headers and labels are written in the language the manager asked in.
    language = models.CharField(max_length=8, default="en")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    done = models.PositiveIntegerField(_("rows written"), default=0)
    total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    # Relative to settings.PRIVATE_EXPORT_ROOT; empty until the file is complete.
    file_name = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.kind}.{self.format} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, 100 * self.done // self.total)
