"""The club manager's audit screen: the trail under filters, newest first, 50 a page, and
the same list as an XLSX file (itself recorded as an export)."""

import io
import json
from datetime import datetime, time, timedelta

import xlsxwriter
from django import forms
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.accounts.decorators import role_required
from portal.accounts.mobile import PERSIAN_DIGITS

from . import services
from .models import Action, AuditEntry

MANAGE = "accounts.manage_club"
PER_PAGE = 50
# An export is one sheet; far more rows than a manager reads, far fewer than Excel allows.
MAX_EXPORT_ROWS = 100_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LocalDigitsDateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date", "dir": "ltr"}, format="%Y-%m-%d")

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().translate(PERSIAN_DIGITS)
        return super().to_python(value)


def _text(label, **attrs):
    return forms.CharField(
        label=label,
        required=False,
        max_length=254,
        widget=forms.TextInput(
            attrs={"type": "search", "dir": "ltr", "autocomplete": "off", "spellcheck": "false"}
            | attrs
        ),
    )


class AuditFilterForm(forms.Form):
    actor = _text(gettext_lazy("Staff e-mail contains"))
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        required=False,
        choices=[("", gettext_lazy("All actions")), *Action.choices],
    )
    member = _text(gettext_lazy("Member's e-mail or mobile contains"))
    start = LocalDigitsDateField(label=gettext_lazy("From"), required=False)
    end = LocalDigitsDateField(label=gettext_lazy("To (included)"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date is before the start date."))
        return data


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered(data: dict):
    """Entries under the cleaned filters, newest first, with the people they name."""
    entries = AuditEntry.objects.select_related("actor", "target_user")
    if actor := (data.get("actor") or "").strip():
        entries = entries.filter(actor__email__icontains=actor)
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    if member := (data.get("member") or "").strip().translate(PERSIAN_DIGITS):
        match = Q(target_user__email__icontains=member)
        digits = "".join(ch for ch in member if ch.isdigit())
        if digits and len(digits) >= 3 and "@" not in member:
            # Stored as E.164: "0912…" is found as "+98912…".
            match |= Q(target_user__mobile__contains=digits.lstrip("0") or digits)
        entries = entries.filter(match)
    if data.get("start"):
        entries = entries.filter(created_at__gte=_day_start(data["start"]))
    if data.get("end"):
        entries = entries.filter(created_at__lt=_day_start(data["end"] + timedelta(days=1)))
    return entries.order_by("-created_at", "-pk")


def _bound(request):
    form = AuditFilterForm(request.GET or None)
    if not form.is_bound:
        return form, {}
    return form, (form.cleaned_data if form.is_valid() else None)


@role_required(MANAGE)
def entry_list(request):
    form, data = _bound(request)
    if data is None:
        return render(request, "audit/list.html", {"form": form}, status=400)
    page = Paginator(filtered(data), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {"form": form, "page": page, "export_query": query.urlencode()},
    )


@role_required(MANAGE)
def export_xlsx(request):
    form, data = _bound(request)
    if data is None:
        return render(request, "audit/list.html", {"form": form}, status=400)
    entries = filtered(data)[:MAX_EXPORT_ROWS]
    content = workbook(entries)
    filters = {
        key: masked(value) if key in PERSON_FILTERS else value
        for key, value in data.items()
        if value
    }
    services.record(request=request, action=Action.REPORT_EXPORTED, report="audit", filters=filters)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
    return response


# The filter that holds what the manager typed to find a member: an e-mail address or a
# mobile number. The trail is append-only and outlives the member's erasure, so it keeps
# only a hint. (Staff are not erased while they hold a role: their filter is kept.)
PERSON_FILTERS = {"member"}


def masked(term: str) -> str:
    """The first two characters of a search term, the rest as asterisks (at most eight)."""
    term = str(term).strip()
    return term[:2] + "*" * min(max(len(term) - 2, 1), 8)


def workbook(entries) -> bytes:
    """One sheet: a header row, then an entry a row. Text is written as text (never a
    formula), times in ISO 8601 local time, the detail as JSON."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    ws = book.add_worksheet(_("Audit trail")[:31])
    if translation.get_language_bidi():
        ws.right_to_left()
    headers = [
        _("Time"),
        _("Staff user"),
        _("Action"),
        _("Member"),
        _("Member's mobile"),
        _("Object"),
        _("Detail"),
        _("IP address"),
        _("Browser"),
    ]
    for col, header in enumerate(headers):
        ws.write_string(0, col, header, bold)
        ws.set_column(col, col, 24)
    for row, entry in enumerate(entries.iterator(chunk_size=2000), start=1):
        values = [
            timezone.localtime(entry.created_at).replace(microsecond=0).isoformat(),
            entry.actor.email if entry.actor else _("system"),
            entry.get_action_display(),
            entry.target_user.email if entry.target_user else "",
            entry.target_user.mobile or "" if entry.target_user else "",
            entry.target_repr,
            json.dumps(entry.detail, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True),
            entry.ip or "",
            entry.user_agent,
        ]
        for col, value in enumerate(values):
            ws.write_string(row, col, str(value))
    ws.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
