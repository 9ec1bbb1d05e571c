from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CaseStatus, Rule


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *CaseStatus.choices],
    )
    rule = forms.ChoiceField(
        label=_("Rule"), required=False, choices=[("", _("All rules")), *Rule.choices]
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            ("clear", _("Clear: nothing wrong, release everything on hold")),
            ("confirm", _("Confirm: forfeit what is on hold")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the decision and shown in the case's history."),
    )
