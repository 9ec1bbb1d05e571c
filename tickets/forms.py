"""The customer's forms: filing a ticket, finding it with its tracking code, replying and
rating. (The desk's forms are in desk_forms.py.) Business rules stay in services.py; these
forms check shape only, and the views put a service's ValidationError on them."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from cardgateway.models import Branch
from portal.accounts.mobile import normalize_mobile
from portal.shell.templatetags.club_format import digits

from . import codes
from .models import Category, Kind

LTR_INPUT = {"dir": "ltr", "autocapitalize": "none", "spellcheck": "false"}


def add_service_errors(form: forms.Form, error: Exception) -> None:
    """Put a service's ValidationError on `form`: errors keyed by a field the form has go
    to that field, the rest to the top of the form. Any other refusal (a TicketError) goes
    to the top as its message."""
    if not isinstance(error, ValidationError):
        form.add_error(None, str(error))
    elif hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class NewTicketForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        initial=Kind.COMPLAINT,
    )
    category = forms.ModelChoiceField(
        label=_("About"), queryset=Category.objects.filter(is_active=True), empty_label=None
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.filter(is_active=True),
        required=False,
        empty_label=_("No branch in particular"),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What happened, when and where. Please do not write card numbers or passwords."
        ),
    )
    file = forms.FileField(
        label=_("Attach a file (optional)"),
        required=False,
        help_text=_("A JPEG, PNG or WebP picture, or a PDF document."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
    )
    guest_name = forms.CharField(
        label=_("Your name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    guest_mobile = forms.CharField(
        label=_("Mobile"),
        max_length=20,
        required=False,
        help_text=_("09xxxxxxxxx, or +country code. We send the tracking code to it."),
        widget=forms.TextInput(attrs={**LTR_INPUT, "inputmode": "tel", "autocomplete": "tel"}),
    )
    guest_email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        help_text=_("A mobile number or an e-mail address is needed; both are fine."),
        widget=forms.EmailInput(attrs={**LTR_INPUT, "autocomplete": "email"}),
    )

    GUEST_FIELDS = ("guest_name", "guest_mobile", "guest_email")

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        if member is not None:
            for name in self.GUEST_FIELDS:
                del self.fields[name]


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=40,
        help_text=_("Like K7Q2-9MXD-4T. Small letters, spaces and missing dashes are fine."),
        widget=forms.TextInput(
            attrs={
                **LTR_INPUT,
                "autocapitalize": "characters",
                "autocomplete": "off",
                "class": "ticket-code-input",
            }
        ),
    )
    contact = forms.CharField(
        label=_("Mobile or e-mail used on the ticket"),
        max_length=254,
        widget=forms.TextInput(attrs={**LTR_INPUT, "autocomplete": "off"}),
    )

    def clean_code(self):
        value = self.cleaned_data["code"]
        compact = codes.normalise(value)
        well_formed = len(compact) == codes.LENGTH and all(ch in codes.ALPHABET for ch in compact)
        if not well_formed:
            raise ValidationError(
                _(
                    "This is not a tracking code: a code has 10 letters and digits, "
                    "like K7Q2-9MXD-4T."
                ),
                code="malformed",
            )
        canonical = codes.canonical(value)
        if canonical is None:
            raise ValidationError(
                _(
                    "This code has a typo: its last character does not match the others. "
                    "Please check each character again."
                ),
                code="typo",
            )
        return canonical

    def clean_contact(self):
        """("email", address) or ("mobile", E.164); the shape only, never the ticket."""
        value = self.cleaned_data["contact"].strip()
        if "@" in value:
            try:
                validate_email(value)
            except ValidationError:
                pass
            else:
                return ("email", value.lower())
        else:
            try:
                return ("mobile", normalize_mobile(value))
            except ValidationError:
                pass
        raise ValidationError(
            _("Enter the mobile number or the e-mail address you gave on the ticket."),
            code="invalid_contact",
        )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    file = forms.FileField(
        label=_("Attach a file (optional)"),
        required=False,
        help_text=_("A JPEG, PNG or WebP picture, or a PDF document."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("body") or "").strip() and not data.get("file"):
            raise ValidationError(_("Please write a message or attach a file."), code="empty")
        return data


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How happy are you with how we handled it?"),
        # Digits in the page's language ("۱" ... "۵" on Persian pages).
        choices=[(n, lazy(digits, str)(str(n))) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 is very unhappy, 5 is very happy."),
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
