"""Exports: asking for one (recorded in the audit trail), making its file in the background,
and removing old files. Files live under settings.PRIVATE_EXPORT_ROOT, never under
MEDIA_ROOT, and only views.export_download sends them (to club managers)."""

import logging
import os
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from portal.audit import services as audit

from . import exports
from .models import Export, ExportFormat, ExportStatus

log = logging.getLogger(__name__)


class ExportError(ValueError):
    """A request for an unknown report or format, or with bad parameters."""


def export_root() -> Path:
    return Path(settings.PRIVATE_EXPORT_ROOT)


def file_path(export: Export) -> Path | None:
    """Where the export's finished file is, or None."""
    if not export.file_name:
        return None
    return export_root() / export.file_name


def request_export(
    *, kind: str, fmt: str, params: dict, requested_by, language: str, request=None
) -> Export:
    """Create the export and its audit entry (one transaction) and queue its making after
    commit (reports.tasks.run_export; at once when Celery is eager). Raises ExportError for
    an unknown report or format or unreadable parameters; nothing is created then."""
    from .tasks import run_export

    if kind not in exports.REGISTRY or fmt not in ExportFormat.values:
        raise ExportError("unknown report or format")
    try:
        exports.period(params)
    except (TypeError, ValueError) as error:
        raise ExportError("bad parameters") from error
    with transaction.atomic():
        export = Export.objects.create(
            kind=kind, format=fmt, params=params, requested_by=requested_by, language=language
        )
        audit.record(
            request=request,
            actor=requested_by,
            action=audit.Action.REPORT_EXPORTED,
            target=export,
            report=kind,
            format=fmt,
            params=params,
        )
        transaction.on_commit(lambda: run_export.delay(export.pk))
    return export


def _progress(export_id: int):
    def report(done: int) -> None:
        Export.objects.filter(pk=export_id).update(done=done)

    return report


def make_export(*, export_id: int) -> Export:
    """Write the export's file (idempotent: a finished export is left as it is). Counts the
    rows first when the report can, writes to a temporary name and renames when complete,
    so a download never sees half a file; progress is saved every PROGRESS_EVERY rows.
    A failure marks the export failed (logged; the partial file removed) and is not
    raised, so a retry of the task cannot loop."""
    export = Export.objects.get(pk=export_id)
    if export.status == ExportStatus.DONE:
        return export
    report = exports.get(export.kind)
    root = export_root()
    root.mkdir(parents=True, exist_ok=True)
    name = f"{export.pk}-{export.kind}-{timezone.now():%Y%m%d%H%M%S}.{export.format}"
    partial = root / f".{name}.part"
    Export.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING, done=0, error="")
    try:
        with translation.override(export.language):
            total = report.count(export.params) if report.count else None
            if total is not None and export.format == ExportFormat.PDF:
                total = min(total, exports.PDF_MAX_ROWS)
            Export.objects.filter(pk=export.pk).update(total=total)
            writer = exports.WRITERS[export.format]
            written = writer(report, export.params, partial, on_progress=_progress(export.pk))
        os.replace(partial, root / name)
    except Exception as error:
        log.exception("export %s failed", export.pk)
        partial.unlink(missing_ok=True)
        Export.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        export.refresh_from_db()
        return export
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.DONE,
        done=written,
        total=written,
        file_name=name,
        finished_at=timezone.now(),
    )
    export.refresh_from_db()
    return export


def purge_old_exports(*, days: int | None = None, now=None) -> int:
    """Delete exports (rows and files) requested more than `days` ago (default
    settings.REPORT_EXPORT_KEEP_DAYS); return how many. Idempotent."""
    days = settings.REPORT_EXPORT_KEEP_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    old = list(Export.objects.filter(created_at__lt=cutoff))
    for export in old:
        path = file_path(export)
        if path is not None:
            path.unlink(missing_ok=True)
    Export.objects.filter(pk__in=[e.pk for e in old]).delete()
    return len(old)
