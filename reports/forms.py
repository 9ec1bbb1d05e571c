from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cardgateway.models import Branch
from portal.shell.periods import check_period
from tickets.views.reports import LocalDigitsDateField

from . import exports
from .kpis import Period
from .models import ExportFormat

DEFAULT_DAYS = exports.DEFAULT_DAYS
MAX_DAYS = 366
# preset -> days ending today
PRESETS = {"month": 30, "quarter": 91, "year": 365}


class PeriodForm(forms.Form):
    """A period of local dates (both included) and a branch; a preset, when chosen, sets the
    dates to that many days ending today."""

    preset = forms.ChoiceField(
        label=_("Quick choice"),
        required=False,
        choices=[
            ("", _("the dates below")),
            ("month", _("last 30 days")),
            ("quarter", _("last quarter (91 days)")),
            ("year", _("last year (365 days)")),
        ],
    )
    start = LocalDigitsDateField(
        label=_("From"), help_text=_("Year-month-day, e.g. 2026-10-24."), required=False
    )
    end = LocalDigitsDateField(label=_("To (included)"), required=False)
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.all(),
        required=False,
        empty_label=_("All branches"),
    )

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        preset = cleaned.get("preset")
        if preset:
            cleaned["end"] = today
            cleaned["start"] = today - timedelta(days=PRESETS[preset] - 1)
        if "start" in cleaned and not cleaned.get("start") and not self.has_error("start"):
            cleaned["start"] = today - timedelta(days=DEFAULT_DAYS - 1)
        if "end" in cleaned and not cleaned.get("end") and not self.has_error("end"):
            cleaned["end"] = today
        check_period(self, max_days=MAX_DAYS)
        return cleaned

    def period(self) -> Period:
        data = self.cleaned_data
        return Period(start=data["start"], end=data["end"], branch=data["branch"])

    def params(self) -> dict:
        """The period as an export's JSON parameters."""
        data = self.cleaned_data
        return {
            "start": data["start"].isoformat(),
            "end": data["end"].isoformat(),
            "branch": data["branch"].pk if data["branch"] else None,
        }


class ExportRequestForm(PeriodForm):
    kind = forms.ChoiceField(label=_("Report"), choices=exports.choices)
    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices)
