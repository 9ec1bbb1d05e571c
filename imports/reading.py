"""Reading an uploaded customer list: a CSV (UTF-8, with or without a byte-order mark,
comma, semicolon or tab) or an XLSX workbook (its first sheet, read with openpyxl in
read-only mode). The kind is decided from the bytes as well as the name: an .xlsx must be
a real Office Open XML zip, a .csv must be text. Every cell comes back as text; the first
non-empty row is the header."""

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = getattr(settings, "IMPORTS_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
MAX_ROWS = getattr(settings, "IMPORTS_MAX_ROWS", 50_000)
MAX_COLUMNS = 50
# A workbook that unpacks to more than this is refused before it is read (zip bomb).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list]  # [line number, cell, cell, ...]


def _refuse(message, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def _too_big() -> ValidationError:
    return _refuse(
        _("The file is too large: at most %(size)d MB."),
        "too_big",
        size=MAX_UPLOAD_BYTES // (1024 * 1024),
    )


def _too_many_rows() -> ValidationError:
    return _refuse(
        _("The file has too many rows: at most %(rows)d at a time. Split it."),
        "too_many_rows",
        rows=MAX_ROWS,
    )


def read_upload(upload) -> Table:
    """Check and read an uploaded file (a Django UploadedFile). Raises ValidationError with
    a clear message for a file too large, of another kind, not what its name says, not
    decodable, empty, or with too many rows."""
    name = (upload.name or "").lower()
    if upload.size > MAX_UPLOAD_BYTES:
        raise _too_big()
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _too_big()
    if name.endswith(".xlsx"):
        table = read_xlsx(data)
    elif name.endswith(".csv"):
        table = read_csv(data)
    else:
        raise _refuse(_("Upload a .csv or .xlsx file."), "extension")
    if not table.header:
        raise _refuse(_("The file has no rows."), "empty")
    if not table.rows:
        raise _refuse(_("The file has a header row but no customers under it."), "no_rows")
    if len(table.rows) > MAX_ROWS:
        raise _too_many_rows()
    return table


def read_csv(data: bytes) -> Table:
    if data.startswith(ZIP_MAGIC) or b"\x00" in data[:4096]:
        raise _refuse(
            _("This is not a CSV text file. Save it from the spreadsheet as CSV UTF-8."), "not_text"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(
            _("The file is not UTF-8 text. In the spreadsheet, save it as CSV UTF-8."),
            "not_utf8",
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise _refuse(_("The CSV file could not be read."), "bad_csv") from None
    return _table(lines)


def read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    not_xlsx = _refuse(
        _("This is not an Excel .xlsx workbook (an old .xls or another file renamed?)."),
        "not_xlsx",
    )
    if not data.startswith(ZIP_MAGIC):
        raise not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise not_xlsx from None
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise not_xlsx
    if unpacked > MAX_UNPACKED_BYTES:
        raise _refuse(_("The workbook is too large once unpacked."), "too_big")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise not_xlsx from None
    try:
        sheet = book.worksheets[0]
        lines: list[list[str]] = []
        filled = 0
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            cells = [_cell_text(value) for value in values]
            filled += any(cells)
            if filled > MAX_ROWS + 1:
                raise _too_many_rows()
            lines.append(cells if any(cells) else [])
    finally:
        book.close()
    return _table(lines)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(lines: list[list[str]]) -> Table:
    """Blank lines dropped, the first other line is the header; each row is
    [line number as a spreadsheet shows it, cell, cell, ...], as wide as the header."""
    numbered = [
        (number, [cell.strip() for cell in line[:MAX_COLUMNS]])
        for number, line in enumerate(lines, start=1)
    ]
    numbered = [(number, line) for number, line in numbered if any(line)]
    if not numbered:
        return Table([], [])
    header = numbered[0][1]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    rows = [[number, *(line + [""] * width)[:width]] for number, line in numbered[1:]]
    return Table(header, rows)
