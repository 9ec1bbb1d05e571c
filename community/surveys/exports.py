"""A survey's responses as a table, one row per response, for CSV (stdlib csv) and XLSX
(xlsxwriter). Columns: the response's random id; for a non-anonymous survey the day and
the member's id (an anonymous survey has no such columns: its responses hold neither);
then one column per question: the chosen label (several joined with "; "), the number, or
the text.

A cell a spreadsheet would take for a formula (starting with = + - @, or a tab or carriage
return) gets a leading apostrophe in both formats, so a member's answer can never run in
the reader's spreadsheet."""

import csv
from collections.abc import Iterator

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from portal.shell import spreadsheets
from portal.shell.spreadsheets import XLSX_TYPE, guard  # noqa: F401 - the views use them

from .models import Answer, Question, Response, Survey

CHUNK = 2000


def headers(survey: Survey, questions: list[Question]) -> list[str]:
    columns = [_("Response")]
    if not survey.is_anonymous:
        columns += [_("Date"), _("Member ID")]
    return columns + [question.text for question in questions]


def rows(survey: Survey, questions: list[Question]) -> Iterator[list[str | int | None]]:
    """One list of cells per response: text as str, numbers as int, nothing as None."""
    responses = (
        Response.objects.filter(survey=survey)
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("choice")))
        .order_by("submitted_on", "member_id", "id")
    )
    for response in responses.iterator(chunk_size=CHUNK):
        by_question: dict[int, list] = {}
        for answer in response.answers.all():
            by_question.setdefault(answer.question_id, []).append(answer)
        cells: list[str | int | None] = [str(response.pk)]
        if not survey.is_anonymous:
            cells += [
                response.submitted_on.isoformat() if response.submitted_on else None,
                response.member_id,
            ]
        for question in questions:
            answers = by_question.get(question.pk, [])
            if not answers:
                cells.append(None)
            elif question.has_choices:
                chosen = sorted(
                    (a.choice for a in answers if a.choice), key=lambda c: (c.sort_order, c.pk)
                )
                cells.append("; ".join(choice.label for choice in chosen))
            elif answers[0].number is not None:
                cells.append(answers[0].number)
            else:
                cells.append(answers[0].text)
        yield cells


def _questions(survey: Survey) -> list[Question]:
    return list(survey.questions.all())


class _Echo:
    """A file-like object whose write() returns what it was given (streamed CSV)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(survey: Survey) -> Iterator[str]:
    """The CSV, line by line (UTF-8 with a byte-order mark, so spreadsheet programs read
    Persian text correctly)."""
    questions = _questions(survey)
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([guard(h) for h in headers(survey, questions)])
    for cells in rows(survey, questions):
        yield writer.writerow(
            ["" if c is None else guard(c) if isinstance(c, str) else c for c in cells]
        )


def workbook(survey: Survey) -> bytes:
    """The .xlsx: one sheet, a header row, a response a row."""
    questions = _questions(survey)
    return spreadsheets.workbook(
        sheet_name=_("Responses"),
        headers=headers(survey, questions),
        rows=rows(survey, questions),
        width=lambda col: 38 if col else 24,
    )
