"""A job's report as a table: after the real run, one line per row of the file (created,
updated, skipped or not imported, with the reason); before it, the dry run's bad lines.
CSV (UTF-8 with a byte-order mark; a cell a spreadsheet would take for a formula, such as
"+98...", gets a leading apostrophe as in the survey exports) or XLSX (the same cells,
through portal/shell/spreadsheets.py)."""

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from portal.shell import spreadsheets
from portal.shell.spreadsheets import guard

from .checking import reason_text
from .models import ImportJob, ImportRow, JobStatus, Outcome


def headers() -> list[str]:
    return [_("Line"), _("Mobile"), _("Outcome"), _("Reason")]


def rows(job: ImportJob) -> Iterator[list]:
    if job.status == JobStatus.DONE or job.done:
        labels = dict(Outcome.choices)
        results = ImportRow.objects.filter(job=job).order_by("line")
        for line, mobile, outcome, reason, detail in results.values_list(
            "line", "mobile", "outcome", "reason", "detail"
        ).iterator(chunk_size=2000):
            yield [
                line,
                mobile,
                str(labels[outcome]),
                reason_text(reason, detail) if reason else "",
            ]
    else:
        bad = str(Outcome.BAD.label)
        for line, mobile, code, detail in job.findings.get("problems", []):
            yield [line, mobile, bad, reason_text(code, detail)]


def csv_text(job: ImportJob) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    for cells in rows(job):
        writer.writerow([guard(c) if isinstance(c, str) else c for c in cells])
    return "\ufeff" + buffer.getvalue()


def workbook(job: ImportJob) -> bytes:
    return spreadsheets.workbook(
        sheet_name=_("Import"),
        headers=headers(),
        rows=rows(job),
        width=lambda col: 50 if col == 3 else 18,
    )
