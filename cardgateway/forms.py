"""The cashier screen's forms. Each posting form carries a one-time token, made when the
form is shown and sent back hidden, that becomes the posting's `txn_id`: submitting the
same form twice (a double tap, a browser retry) asks the service for the same posting,
which it answers from the stored result instead of posting again."""

import re
import uuid
from datetime import date

import jdatetime
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.accounts.mobile import PERSIAN_DIGITS, MobileField, normalize_mobile
from portal.accounts.models import validate_birth_date

from . import cards
from .models import Card, CardStatus, Transaction, TxnKind

TXN_ID_PREFIX = "till-"
# Far above any real bill, far below the database's 64-bit limit.
MAX_AMOUNT = 10**13
# Gregorian years are four digits from 1800 on; a Persian (solar hijri) year of birth of
# a living member is 1280-1400-something.
JALALI_YEARS_BELOW = 1700


def new_token() -> str:
    return uuid.uuid4().hex


class TokenForm(forms.Form):
    """A form whose hidden `token` is its posting's idempotency key."""

    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["token"] = new_token()

    def clean_token(self):
        # A hidden field's own errors are not shown: a missing or forged token is reported
        # for the whole form, with a fresh token to submit again.
        try:
            return uuid.UUID(self.cleaned_data["token"]).hex
        except ValueError:
            self.renew_token()
            self.add_error(None, _("This form has expired. Check it and submit it again."))
            return None

    def renew_token(self) -> None:
        """Give the re-rendered form a fresh token (for a request the old one cannot repeat)."""
        self.data = self.data.copy()
        self.data["token"] = new_token()

    @property
    def txn_id(self) -> str:
        return TXN_ID_PREFIX + self.cleaned_data["token"]


def numeric_text_input(**attrs) -> forms.TextInput:
    """A text input that brings up the numeric keyboard and stays left-to-right."""
    return forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "off", "dir": "ltr", **attrs}
    )


class AmountField(forms.IntegerField):
    """Whole rials as a cashier types them: Persian digits, thousands separators (",", "٬",
    "،", spaces) allowed. A text input with a numeric keyboard, since a number input
    rejects both."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", MAX_AMOUNT)
        kwargs.setdefault("widget", numeric_text_input(**{"class": "till-amount-input"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s,٬،']", "", value.translate(PERSIAN_DIGITS))
            if value and not value.isascii():
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


# --- Find a member ----------------------------------------------------------------------


class FindMemberForm(forms.Form):
    """One field for what the cashier has: a scanned or typed card number, or a mobile."""

    q = forms.CharField(
        label=_("Card number or mobile"),
        max_length=40,
        help_text=_("Scan the card, or type its 16 digits or the member's mobile number."),
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocorrect": "off",
                "spellcheck": "false",
                "inputmode": "numeric",
                "enterkeyhint": "search",
                "dir": "ltr",
                "class": "till-search-input",
            }
        ),
    )

    def clean_q(self):
        """Cleans to (member, card): the card when one was scanned, else None."""
        value = self.cleaned_data["q"].strip()
        number = cards.normalise(value)
        if number.isascii() and number.isdigit() and len(number) == 16:
            if not cards.is_card_number(number):
                raise ValidationError(
                    _("This is not a valid club card number. Scan it or type it again."),
                    code="bad_card_number",
                )
            card = Card.objects.select_related("member").filter(number=number).first()
            if card is None:
                raise ValidationError(_("No card has this number."), code="unknown_card")
            return card.member, card
        try:
            mobile = normalize_mobile(value)
        except ValidationError:
            raise ValidationError(
                _("Enter a 16-digit card number or a mobile number such as 09121234567."),
                code="not_card_or_mobile",
            ) from None
        member = get_user_model().objects.filter(mobile=mobile).first()
        if member is None:
            raise ValidationError(_("No member has this mobile number."), code="unknown_mobile")
        return member, None


# --- Purchases, reversals, returns ------------------------------------------------------


class PurchaseForm(TokenForm):
    amount = AmountField(label=_("Amount of the bill (rials)"), min_value=1)
    redeem = AmountField(
        label=_("Credit to spend (rials)"),
        min_value=0,
        required=False,
        help_text=_("Leave empty unless the member wants to pay part of the bill with credit."),
    )

    def clean_redeem(self):
        return self.cleaned_data.get("redeem") or 0

    def clean(self):
        cleaned = super().clean()
        amount, redeem = cleaned.get("amount"), cleaned.get("redeem")
        if amount is not None and redeem and redeem > amount:
            self.add_error(
                "redeem",
                ValidationError(
                    _("The credit spent cannot be more than the bill."), code="redeem_above_amount"
                ),
            )
        return cleaned


class ReceiptField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Receipt number"))
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault(
            "help_text", _("As printed on the purchase receipt, e.g. R-1A2B3C4D5E6F7A8B.")
        )
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "autocomplete": "off",
                    "autocapitalize": "characters",
                    "autocorrect": "off",
                    "spellcheck": "false",
                    "dir": "ltr",
                    "class": "till-receipt-input",
                }
            ),
        )
        super().__init__(**kwargs)


def find_purchase(receipt: str) -> Transaction:
    """The purchase with this receipt number, or a ValidationError for the form."""
    receipt = "".join(receipt.translate(PERSIAN_DIGITS).split()).upper()
    txn = (
        Transaction.objects.select_related("card", "member__profile", "terminal", "branch")
        .filter(receipt=receipt)
        .first()
    )
    if txn is None:
        raise ValidationError(_("No purchase has this receipt number."), code="unknown_receipt")
    if txn.kind != TxnKind.PURCHASE:
        raise ValidationError(
            _("This receipt is a reversal or a return, not a purchase."), code="not_a_purchase"
        )
    return txn


class ReverseForm(TokenForm):
    receipt = ReceiptField()

    def clean_receipt(self):
        return find_purchase(self.cleaned_data["receipt"])


class ReturnForm(ReverseForm):
    amount = AmountField(label=_("Amount returned (rials)"), min_value=1)


# --- Cards ------------------------------------------------------------------------------


class ReplaceCardForm(forms.Form):
    """Replace the member's card that is shown (its id is sent back, so a second submit
    finds it already replaced instead of replacing the new card too)."""

    card = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(
        label=_("Why"),
        choices=[("lost", _("Lost or stolen")), ("damaged", _("Damaged"))],
        initial="lost",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean(self):
        # The card is a hidden field, whose own errors are not shown: say it for the form.
        cleaned = super().clean()
        card_id = cleaned.get("card")
        card = (
            Card.objects.filter(pk=card_id, member=self.member).first()
            if card_id is not None
            else None
        )
        if card is None:
            self.add_error(
                None,
                ValidationError(
                    _("This card does not belong to the member. Open the member's page again."),
                    code="not_theirs",
                ),
            )
        elif card.status == CardStatus.BLOCKED:
            self.add_error(
                None,
                ValidationError(
                    _("This card is blocked. Only the club manager can unblock or replace it."),
                    code="blocked",
                ),
            )
        cleaned["card"] = card
        return cleaned


# --- Register a member ------------------------------------------------------------------


class BirthDateField(forms.DateField):
    """A birth date in either calendar: 1370/05/12 (Persian) or 1991-08-03 (Gregorian),
    any of "/", "-", "." between, Persian digits allowed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", numeric_text_input(placeholder="1370/05/12"))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        text = str(value).strip().translate(PERSIAN_DIGITS)
        match = re.fullmatch(r"(\d{4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})", text)
        if not match:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        year, month, day = (int(part) for part in match.groups())
        try:
            if year < JALALI_YEARS_BELOW:
                return jdatetime.date(year, month, day).togregorian()
            return date(year, month, day)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class RegisterMemberForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    mobile = MobileField()
    birth_date = BirthDateField(
        label=_("Birth date"),
        required=False,
        validators=[validate_birth_date],
        help_text=_("Year/month/day, Persian (1370/05/12) or Gregorian (1991-08-03) calendar."),
        error_messages={
            "invalid": _("Enter the date as year/month/day, e.g. 1370/05/12 or 1991-08-03.")
        },
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        help_text=_("Without one, the member logs in with their mobile number."),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "dir": "ltr"}),
    )
    sms_consent = forms.BooleanField(label=_("Send offers by SMS"), required=False)
    email_consent = forms.BooleanField(label=_("Send offers by e-mail"), required=False)

    def clean_mobile(self):
        mobile = self.cleaned_data["mobile"]
        existing = get_user_model().objects.filter(mobile=mobile).first()
        if existing is not None:
            # The view links to that member's page (a returning member, or a second tap
            # of the register button).
            self.existing_member = existing
            raise ValidationError(
                _("This mobile number belongs to a member already."), code="duplicate_mobile"
            )
        return mobile

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email and get_user_model().objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _("This e-mail address belongs to another member."), code="duplicate_email"
            )
        return email

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("email_consent") and not cleaned.get("email") and "email" not in self.errors:
            self.add_error(
                "email",
                ValidationError(
                    _("Give an e-mail address to send offers by e-mail."), code="consent_no_email"
                ),
            )
        return cleaned
