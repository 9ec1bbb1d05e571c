"""Mobile numbers: Iranian `09xxxxxxxxx` and international E.164, stored as E.164.

Parsing and validation come from `phonenumbers` (Google's libphonenumber metadata)."""

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PERSIAN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
INVALID_MESSAGE = _(
    "Enter a valid mobile number: 09xxxxxxxxx, or international form such as +447911123456."
)


def normalize_mobile(value: str) -> str:
    """Return the E.164 form of a mobile number or raise ValidationError."""
    raw = (value or "").translate(PERSIAN_DIGITS)
    raw = "".join(ch for ch in raw if ch.isdigit() or ch == "+")
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if not raw.startswith("+") and not (len(raw) == 11 and raw.startswith("09")):
        raise ValidationError(INVALID_MESSAGE, code="invalid_mobile")
    try:
        number = phonenumbers.parse(raw, "IR")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(INVALID_MESSAGE, code="invalid_mobile") from exc
    number_type = phonenumbers.number_type(number)
    mobile_types = {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
    if not phonenumbers.is_valid_number(number) or number_type not in mobile_types:
        raise ValidationError(INVALID_MESSAGE, code="invalid_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_mobile(value: str) -> None:
    if normalize_mobile(value) != value:
        raise ValidationError(_("Mobile numbers are stored in E.164 form."), code="not_e164")


def display_mobile(value: str) -> str:
    """The way a person reads the number: national form for Iran, international otherwise."""
    if not value:
        return ""
    number = phonenumbers.parse(value, None)
    fmt = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(
        number, fmt.NATIONAL if number.country_code == 98 else fmt.INTERNATIONAL
    )


class MobileField(forms.CharField):
    """A form field that accepts either form and cleans to E.164."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("label", _("Mobile"))
        kwargs.setdefault("help_text", _("09xxxxxxxxx, or +country code for other countries."))
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel", "dir": "ltr"})

    def clean(self, value):
        value = super().clean(value)
        return normalize_mobile(value) if value else value
