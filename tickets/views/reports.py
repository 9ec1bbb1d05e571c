"""The club manager's desk reports (tickets/reports.py) as a page and as an XLSX file.

Both take the same GET form: a period of local dates (the last 30 days unless given, at
most 366 days, end not before start) and an optional branch and category. Bad input shows
the form's errors with status 400 and no report (and no file)."""

import io
from datetime import timedelta
from urllib.parse import urlencode

import xlsxwriter
from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cardgateway.models import Branch
from portal.accounts.decorators import role_required
from portal.audit import services as audit
from portal.shell.periods import check_period

from .. import reports
from ..models import Category

MANAGE = "accounts.manage_club"
DEFAULT_DAYS = 30
MAX_DAYS = 366
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Persian and Arabic-Indic digits typed into a date field count as their ASCII digits.
_ASCII_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


class LocalDigitsDateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date", "dir": "ltr"}, format="%Y-%m-%d")

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().translate(_ASCII_DIGITS)
        return super().to_python(value)


class ReportForm(forms.Form):
    start = LocalDigitsDateField(
        label=gettext_lazy("From"), help_text=gettext_lazy("Year-month-day, e.g. 2026-10-24.")
    )
    end = LocalDigitsDateField(label=gettext_lazy("To (included)"))
    branch = forms.ModelChoiceField(
        label=gettext_lazy("Branch"),
        queryset=Branch.objects.all(),
        required=False,
        empty_label=gettext_lazy("All branches"),
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=gettext_lazy("All categories"),
    )

    def clean(self):
        cleaned = super().clean()
        check_period(self, max_days=MAX_DAYS)
        return cleaned

    def period(self) -> reports.Period:
        data = self.cleaned_data
        return reports.Period(
            start=data["start"], end=data["end"], branch=data["branch"], category=data["category"]
        )

    def query(self) -> str:
        """The cleaned parameters as a query string (for the export link)."""
        data = self.cleaned_data
        params = {"start": data["start"].isoformat(), "end": data["end"].isoformat()}
        for name in ("branch", "category"):
            if data[name] is not None:
                params[name] = data[name].pk
        return urlencode(params)


def _bound_form(request) -> ReportForm:
    """The form with the GET parameters, the last DEFAULT_DAYS days filling in missing dates."""
    today = timezone.localdate()
    data = {"start": (today - timedelta(days=DEFAULT_DAYS)).isoformat(), "end": today.isoformat()}
    data.update({name: request.GET[name] for name in ReportForm.base_fields if name in request.GET})
    return ReportForm(data)


def time_tables(report: reports.Report) -> list[dict]:
    """The first-response and resolution tables: caption, counted (the header of the
    count column) and rows of label, priority, tickets, count, medians and percentiles."""
    return [
        {
            "caption": caption,
            "counted": counted,
            "rows": [
                {"label": row["label"], "priority": row["priority"], "tickets": row["tickets"]}
                | row[key]
                for row in report.times
            ],
        }
        for caption, counted, key in (
            (_("First response"), _("Answered"), "first_response"),
            (_("Resolution"), _("Resolved"), "resolution"),
        )
    ]


@role_required(MANAGE)
def report_page(request):
    form = _bound_form(request)
    if not form.is_valid():
        return render(request, "tickets/reports/report.html", {"form": form}, status=400)
    report = reports.build(form.period())
    return render(
        request,
        "tickets/reports/report.html",
        {
            "form": form,
            "report": report,
            "age_buckets": reports.AGE_BUCKETS,
            "time_tables": time_tables(report),
            "export_query": form.query(),
        },
    )


@role_required(MANAGE)
def report_xlsx(request):
    form = _bound_form(request)
    if not form.is_valid():
        return render(request, "tickets/reports/report.html", {"form": form}, status=400)
    period = form.period()
    report = reports.build(period)
    response = HttpResponse(workbook(report), content_type=XLSX_TYPE)
    audit.record(
        request=request, action=audit.Action.REPORT_EXPORTED, report="tickets", query=form.query()
    )
    filename = f"tickets-report-{period.start.isoformat()}-to-{period.end.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The workbook --------------------------------------------------------------------------


def _sheet_name(title: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ , unique ignoring case.
    name = "".join(" " if c in "[]:*?/\\" else c for c in str(title))[:31].strip() or "Sheet"
    base, n = name, 2
    while name.lower() in used:
        suffix = f" {n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _hours(value):
    return None if value is None else round(value, 2)


def workbook(report: reports.Report) -> bytes:
    """The report as an .xlsx: a first sheet with the period and filters, then one sheet per
    table. Headers in the active language; text written as text (never as a formula, so a
    name starting with "=" stays a name), numbers as numbers, dates in ISO 8601."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    decimal = book.add_format({"num_format": "0.00"})
    used: set[str] = set()
    rtl = translation.get_language_bidi()

    def sheet(title, headers, rows):
        ws = book.add_worksheet(_sheet_name(title, used))
        if rtl:
            ws.right_to_left()
        for col, header in enumerate(headers):
            ws.write_string(0, col, str(header), bold)
            ws.set_column(col, col, 14 if col else 24)
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if value is None:
                    ws.write_blank(r, col, None)
                elif isinstance(value, bool) or not isinstance(value, int | float):
                    ws.write_string(r, col, str(value))
                elif isinstance(value, float):
                    ws.write_number(r, col, value, decimal)
                else:
                    ws.write_number(r, col, value)
        ws.freeze_panes(1, 0)

    period = report.period
    sheet(
        _("Report"),
        [_("Item"), _("Value")],
        [
            [_("From"), period.start.isoformat()],
            [_("To (included)"), period.end.isoformat()],
            [_("Branch"), str(period.branch) if period.branch else _("All branches")],
            [_("Category"), str(period.category) if period.category else _("All categories")],
            [
                _("Made at"),
                timezone.localtime(report.now).replace(microsecond=0).isoformat(),
            ],
        ],
    )
    csat_headers = [_("Ratings"), _("Average (1–5)"), _("Satisfied (4–5)"), _("Satisfied (%)")]
    for title, first, rows in (
        (_("CSAT by agent"), _("Agent"), report.csat_agents),
        (_("CSAT by category"), _("Category"), report.csat_categories),
        (_("CSAT by branch"), _("Branch"), report.csat_branches),
    ):
        sheet(
            title,
            [first, *csat_headers],
            [
                [
                    row["label"],
                    row["ratings"],
                    round(row["average"], 2),
                    row["satisfied"],
                    round(row["satisfied_pct"], 2),
                ]
                for row in rows
            ],
        )
    time_headers = [
        _("Median (business hours)"),
        _("90th percentile (business hours)"),
        _("Median (calendar hours)"),
        _("90th percentile (calendar hours)"),
    ]
    for table in time_tables(report):
        sheet(
            table["caption"],
            [_("Priority"), _("Tickets filed"), table["counted"], *time_headers],
            [
                [
                    str(row["label"]),
                    row["tickets"],
                    row["count"],
                    _hours(row["business_median"]),
                    _hours(row["business_p90"]),
                    _hours(row["calendar_median"]),
                    _hours(row["calendar_p90"]),
                ]
                for row in table["rows"]
            ],
        )
    sheet(
        _("SLA breaches"),
        [
            _("Priority"),
            _("Tickets filed"),
            _("With SLA targets"),
            _("First response breached"),
            _("Resolution breached"),
        ],
        [
            [
                str(row["label"]),
                row["tickets"],
                row["with_sla"],
                row["first_response"],
                row["resolution"],
            ]
            for row in report.breaches
        ],
    )
    sheet(
        _("Open backlog by age"),
        [_("Priority"), *(label for _key, label, *_rest in reports.AGE_BUCKETS), _("Total")],
        [
            [str(row["label"]), *(row[key] for key, *_rest in reports.AGE_BUCKETS), row["total"]]
            for row in report.backlog
        ],
    )
    book.close()
    return buffer.getvalue()


urlpatterns = [
    path("desk/reports/", report_page, name="reports"),
    path("desk/reports/export.xlsx", report_xlsx, name="reports-xlsx"),
]
