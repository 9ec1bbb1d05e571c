"""An event's attendee list (going, then the waiting list in order) as CSV (stdlib csv)
and XLSX (xlsxwriter), for the organiser. Text a spreadsheet would run as a formula is
guarded the way the survey exports guard it."""

import csv
from collections.abc import Iterator

from django.utils.translation import gettext as _

from portal.shell import spreadsheets
from portal.shell.spreadsheets import XLSX_TYPE, guard

from . import selectors
from .models import EventPage

__all__ = ["XLSX_TYPE", "headers", "rows", "write_csv", "workbook"]


def headers() -> list[str]:
    return [
        _("Status"),
        _("Place on the waiting list"),
        _("Name"),
        _("E-mail"),
        _("Mobile"),
        _("Registered at"),
        _("Invited"),
    ]


def rows(event: EventPage) -> Iterator[list[str | int | None]]:
    for registration in selectors.attendees(event=event):
        member = registration.member
        yield [
            str(registration.get_status_display()),
            registration.position if registration.status == "waiting" else None,
            member.get_full_name(),
            member.email,
            member.mobile or "",
            registration.created_at.isoformat(timespec="seconds"),
            _("yes") if registration.invited else _("no"),
        ]


def write_csv(event: EventPage, out) -> None:
    """Write the CSV to the file-like `out` (UTF-8 with a byte-order mark, so spreadsheet
    programs read Persian text correctly)."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([guard(h) for h in headers()])
    for cells in rows(event):
        writer.writerow(["" if c is None else guard(c) if isinstance(c, str) else c for c in cells])


def workbook(event: EventPage) -> bytes:
    """The .xlsx: one sheet, a header row, an attendee a row."""
    return spreadsheets.workbook(sheet_name=_("Attendees"), headers=headers(), rows=rows(event))
