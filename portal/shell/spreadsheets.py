"""Spreadsheet exports shared by the apps (surveys, event attendees, import reports): a
header row and a row per record; text written as text, which a spreadsheet never runs
as a formula, numbers as numbers, nothing as a blank cell; right to left in a
right-to-left language."""

import io
from collections.abc import Callable, Iterable

import xlsxwriter
from django.utils import translation

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def guard(value: str) -> str:
    """Text as a spreadsheet will not run it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def workbook(
    *,
    sheet_name: str,
    headers: Iterable[str],
    rows: Iterable[Iterable],
    width: Callable[[int], int] = lambda col: 24,
) -> bytes:
    """The .xlsx bytes of one sheet; `width(col)` gives a column's width."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(str(sheet_name)[:31])
    if translation.get_language_bidi():
        sheet.right_to_left()
    for col, header in enumerate(headers):
        sheet.write_string(0, col, guard(str(header)), bold)
        sheet.set_column(col, col, width(col))
    for row, cells in enumerate(rows, start=1):
        for col, value in enumerate(cells):
            if value is None or value == "":
                sheet.write_blank(row, col, None)
            elif isinstance(value, int):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, guard(str(value)))
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
