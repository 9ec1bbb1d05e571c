"""Work in progress (being written now)."""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from portal.accounts.decorators import role_required
from portal.accounts.mobile import normalize_mobile
from portal.audit import services as audit
from portal.shell.templatetags.club_format import grouped, rials

from .. import ledger, rewards, services
from ..models import Currency


class VoucherCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Voucher code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "enterkeyhint": "go",
                "dir": "ltr",
                "class": "voucher-code-input",
                "placeholder": "XXXXX-XXXXX",
            }
        ),
    )


@role_required("accounts.operate_till", "accounts.manage_club")
@require_http_methods(["GET", "POST"])
def voucher_check(request):
    """The till's voucher screen: "Check" only reads; "Use it" consumes the voucher once.
    Either way the voucher (reward, member, status, expiry) or the refusal is shown."""
    form = VoucherCodeForm(request.POST or None)
    voucher = refusal = None
    used_now = False
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if request.POST.get("action") == "use":
                voucher = rewards.consume_voucher(code=code, staff_user=request.user)
                used_now = True
                form = VoucherCodeForm()  # ready for the next customer
            else:
                voucher = rewards.check_voucher(code=code)
        except rewards.VoucherError as error:
            refusal, voucher = error, error.voucher
    return render(
        request,
        "gamification/voucher_check.html",
        {"form": form, "voucher": voucher, "refusal": refusal, "used_now": used_now},
    )


# Far above any real adjustment, far below the database's 64-bit limit.
MAX_ADJUSTMENT = 10**12


class AdjustForm(forms.Form):
    """A club manager's adjustment. `key` is made when the form is shown, so submitting the
    same form twice posts once."""

    member = forms.CharField(
        label=_("Member's e-mail or mobile"),
        max_length=254,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "none",
                "autocorrect": "off",
                "spellcheck": "false",
                "dir": "ltr",
            }
        ),
    )
    currency = forms.ChoiceField(label=_("Balance"), choices=Currency.choices)
    amount = forms.IntegerField(
        label=_("Amount"),
        help_text=_("Positive adds, negative takes away. Credit is in rials."),
        min_value=-MAX_ADJUSTMENT,
        max_value=MAX_ADJUSTMENT,
        widget=forms.NumberInput(attrs={"step": 1, "dir": "ltr"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        help_text=_("Kept in the member's history with your name."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    key = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_member(self):
        value = self.cleaned_data["member"].strip()
        users = get_user_model().objects
        if "@" in value:
            user = users.filter(email__iexact=value).first()
        else:
            try:
                user = users.filter(mobile=normalize_mobile(value)).first()
            except ValidationError:
                user = None
        if user is None:
            raise ValidationError(_("No member has this e-mail or mobile."), code="unknown_member")
        return user

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise ValidationError(_("Enter an amount other than zero."), code="zero")
        return amount

    def clean_key(self):
        # A hidden field's own errors are not shown: a missing or forged key is reported
        # for the whole form, with a fresh key to submit again.
        try:
            return uuid.UUID(self.cleaned_data["key"]).hex
        except ValueError:
            self.renew_key()
            self.add_error(None, _("This form has expired. Check it and submit it again."))
            return None

    def renew_key(self) -> None:
        """Give the re-rendered form a fresh key (the old one must not be reused)."""
        self.data = self.data.copy()
        self.data["key"] = uuid.uuid4().hex


@role_required("accounts.manage_club")
@require_http_methods(["GET", "POST"])
def adjust(request):
    """Add to or take from a member's points or credit (services.adjust_balance). A refusal
    re-renders the form with the reason and changes nothing."""
    form = AdjustForm(request.POST or None, initial={"key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.adjust_balance(
                member=data["member"],
                currency=data["currency"],
                amount=data["amount"],
                reason=data["reason"],
                staff_user=request.user,
                idempotency_key=f"adjust:{data['key']}",
            )
        except ledger.IdempotencyConflict:
            form.add_error(
                None,
                _("This form was already sent with other values. Check them and send it again."),
            )
            form.renew_key()
        except ledger.InsufficientBalance as error:
            form.add_error("amount", str(error))
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            audit.record(
                request=request,
                action=audit.Action.BALANCE_ADJUSTED,
                target=data["member"],
                currency=data["currency"],
                amount=entry.amount,
                ledger_entry=entry.pk,
            )
            amount_format = rials if data["currency"] == Currency.CREDIT else grouped
            messages.success(
                request,
                _("%(member)s: %(currency)s adjusted by %(amount)s. New balance: %(balance)s.")
                % {
                    "member": data["member"].email,
                    "currency": Currency(data["currency"]).label,
                    "amount": f"{'+' if entry.amount > 0 else '-'}"
                    f"{amount_format(abs(entry.amount))}",
                    "balance": amount_format(entry.balance_after),
                },
            )
            return redirect("gamification:adjust")
    return render(request, "gamification/adjust.html", {"form": form})
