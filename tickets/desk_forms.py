"""The staff desk's forms: the queue's filters and the actions on a ticket's page. They
check what a person typed; the change itself is a call to tickets/services.py."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cardgateway.models import Branch

from . import codes, selectors
from .models import CannedReply, Category, Kind, Priority, Status, Ticket
from .services import TRANSITIONS

CODE_WIDGET_ATTRS = {
    "autocomplete": "off",
    "autocapitalize": "characters",
    "spellcheck": "false",
    "dir": "ltr",
}


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Not closed")), ("all", _("All statuses")), *Status.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices]
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=Category.objects.all(),
        empty_label=_("All categories"),
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        required=False,
        queryset=Branch.objects.all(),
        empty_label=_("All branches"),
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=[("", _("All priorities")), *Priority.choices],
    )
    assigned = forms.ChoiceField(
        label=_("Assigned"),
        required=False,
        choices=[("", _("Anyone")), ("me", _("To me")), ("unassigned", _("Unassigned"))],
    )
    sla = forms.ChoiceField(
        label=_("SLA"),
        required=False,
        choices=[
            ("", _("Any")),
            (selectors.BREACHED, _("Breached")),
            (selectors.NEAR, _("Near breach")),
        ],
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("A tracking code, or words of the subject."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("priority", _("Priority (urgent first)")),
            ("sla", _("SLA due soonest")),
        ],
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Please write a message.")},
    )
    internal = forms.BooleanField(
        label=_("Internal note (not shown to the customer)"), required=False
    )
    file = forms.FileField(
        label=_("Attach a file"),
        required=False,
        help_text=_("Optional: a picture or a PDF."),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=[])

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS.get(ticket.status, frozenset())
        self.fields["status"].choices = [
            (value, label) for value, label in Status.choices if value in allowed
        ]


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        required=False,
        queryset=selectors.active_agents(),
        empty_label=_("Nobody"),
    )
    to_me = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, ticket: Ticket | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # `label_from_instance` names agents the way the rest of the desk does.
        self.fields["assignee"].label_from_instance = lambda user: (
            f"{user.get_full_name()} ({user.email})"
        )
        if ticket is not None and not self.is_bound:
            self.fields["assignee"].initial = ticket.assignee_id


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)

    def __init__(self, *args, ticket: Ticket | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if ticket is not None and not self.is_bound:
            self.fields["priority"].initial = ticket.priority


class MergeForm(forms.Form):
    code = forms.CharField(
        label=_("Merge this ticket into (tracking code)"),
        max_length=40,
        help_text=_("This ticket is closed and its conversation continues on the other one."),
        widget=forms.TextInput(attrs=CODE_WIDGET_ATTRS),
    )

    def clean_code(self):
        """The ticket the code names (cleaned_data["code"] is that Ticket)."""
        canonical = codes.canonical(self.cleaned_data["code"])
        if canonical is None:
            raise ValidationError(
                _("This is not a valid tracking code; please check it for typos."),
                code="invalid_code",
            )
        target = Ticket.objects.filter(tracking_code=canonical).first()
        if target is None:
            raise ValidationError(_("No ticket has this tracking code."), code="unknown_code")
        return target


class CannedPickForm(forms.Form):
    """A GET form: the chosen canned reply fills the reply box when the page reloads."""

    canned = forms.ModelChoiceField(
        label=_("Canned reply"),
        queryset=CannedReply.objects.all(),
        empty_label=None,
    )
