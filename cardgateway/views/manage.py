"""The club manager's till screens: terminals (create, rotate the secret, switch on and
off), the review of requests a limit refused, and cards (find, history, block, unblock,
expire). Every state change is a call to cardgateway.services.

A terminal's secret is shown once: create and rotate keep it, encrypted with the vault
key, in the session for the very next view of the terminal's page, which takes it out and
sends the page with `Cache-Control: no-store`. Reloading the page no longer shows it."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import RegexValidator
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.decorators import role_required
from portal.accounts.mobile import normalize_mobile
from portal.audit import services as audit

from .. import cards, services, vault
from ..models import Branch, Card, CardEvent, CardStatus, LimitHit, LimitKind, Terminal

MANAGE = "accounts.manage_club"
SHOWN_ONCE_KEY = "cardgateway_terminal_secret"
LIMIT_HITS_PER_PAGE = 50

# --- Terminals --------------------------------------------------------------------------

TERMINAL_ID_VALIDATOR = RegexValidator(
    r"\A[A-Za-z0-9_-]{1,40}\Z",
    gettext_lazy("Use 1 to 40 letters (A-Z, a-z), digits, “_” or “-”."),
    code="invalid_terminal_id",
)


class TerminalForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=gettext_lazy("Branch"), queryset=Branch.objects.filter(is_active=True)
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    terminal_id = forms.CharField(
        label=gettext_lazy("Terminal id"),
        max_length=40,
        required=False,
        validators=[TERMINAL_ID_VALIDATOR],
        help_text=gettext_lazy(
            "What the reader sends in its X-Terminal-Id header: 1 to 40 letters, digits, "
            "“_” or “-”. Leave it empty for a random id such as T-3F9A1C2B."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
                "dir": "ltr",
            }
        ),
    )

    def clean_terminal_id(self):
        value = self.cleaned_data["terminal_id"]
        # Ids differing only in case would be told apart by the gateway but not by people.
        if value and Terminal.objects.filter(terminal_id__iexact=value).exists():
            raise ValidationError(_("Another terminal has this id."), code="taken")
        return value


class TerminalEnabledForm(forms.Form):
    enabled = forms.TypedChoiceField(
        choices=[("1", gettext_lazy("Switch on")), ("0", gettext_lazy("Switch off"))],
        coerce=lambda value: value == "1",
    )


GRACE_CHOICES = [
    ("0", gettext_lazy("Stops at once (the secret leaked)")),
    ("1", gettext_lazy("Keeps working for 1 hour")),
    ("24", gettext_lazy("Keeps working for 24 hours")),
    ("168", gettext_lazy("Keeps working for 7 days")),
]


class RotateForm(forms.Form):
    grace_hours = forms.TypedChoiceField(
        label=gettext_lazy("The current secret"),
        choices=GRACE_CHOICES,
        coerce=int,
        initial="24",
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "With a grace period the reader keeps working on its old secret until the new "
            "one is entered, then the old one stops by itself."
        ),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand: once the old secret stops, the reader works only with the new one."
        )
    )


def _keep_secret_for_next_view(request, terminal: Terminal, secret: str) -> None:
    # Encrypted like the terminal's own row, so the session table holds no secret in clear.
    request.session[SHOWN_ONCE_KEY] = {"terminal": terminal.pk, "secret": vault.encrypt(secret)}


def _take_secret(request, terminal: Terminal) -> str:
    kept = request.session.pop(SHOWN_ONCE_KEY, None)
    if not kept or kept.get("terminal") != terminal.pk:
        return ""
    return vault.decrypt(kept["secret"])


@role_required(MANAGE)
def terminal_list(request):
    terminals = Terminal.objects.select_related("branch")
    return render(request, "cardgateway/terminal_list.html", {"terminals": terminals})


@role_required(MANAGE)
@require_http_methods(["GET", "POST"])
def terminal_create(request):
    form = TerminalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                terminal, secret = services.create_terminal(
                    branch=data["branch"], name=data["name"], terminal_id=data["terminal_id"]
                )
        except IntegrityError:  # the same id created a moment earlier by someone else
            form.add_error("terminal_id", _("Another terminal has this id."))
        else:
            _keep_secret_for_next_view(request, terminal, secret)
            return redirect("cardgateway:terminal-detail", pk=terminal.pk)
    return render(request, "cardgateway/terminal_form.html", {"form": form})


def _render_terminal(request, terminal, *, secret: str = "", enabled_form=None, status=200):
    return render(
        request,
        "cardgateway/terminal_detail.html",
        {
            "terminal": terminal,
            "secret": secret,
            "enabled_form": enabled_form or TerminalEnabledForm(),
            "old_secret_until": services.old_secret_until(terminal),
        },
        status=status,
    )


@role_required(MANAGE)
@never_cache
def terminal_detail(request, pk: int):
    terminal = get_object_or_404(Terminal.objects.select_related("branch"), pk=pk)
    return _render_terminal(request, terminal, secret=_take_secret(request, terminal))


@role_required(MANAGE)
@require_http_methods(["GET", "POST"])
def terminal_rotate(request, pk: int):
    """Confirm, then give the terminal a new secret; the old one stops at once or after the
    grace period chosen."""
    terminal = get_object_or_404(Terminal.objects.select_related("branch"), pk=pk)
    form = RotateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        grace = timedelta(hours=form.cleaned_data["grace_hours"])
        secret = services.rotate_terminal_secret(terminal=terminal, grace=grace)
        _keep_secret_for_next_view(request, terminal, secret)
        return redirect("cardgateway:terminal-detail", pk=terminal.pk)
    return render(request, "cardgateway/terminal_rotate.html", {"terminal": terminal, "form": form})


@role_required(MANAGE)
@require_POST
@never_cache
def terminal_enabled(request, pk: int):
    terminal = get_object_or_404(Terminal.objects.select_related("branch"), pk=pk)
    form = TerminalEnabledForm(request.POST)
    if not form.is_valid():
        return _render_terminal(request, terminal, enabled_form=form, status=400)
    enabled = form.cleaned_data["enabled"]
    services.set_terminal_enabled(terminal=terminal, enabled=enabled)
    if enabled:
        messages.success(request, _("Terminal %(id)s is on.") % {"id": terminal.terminal_id})
    else:
        messages.success(
            request,
            _("Terminal %(id)s is off: its requests are refused.") % {"id": terminal.terminal_id},
        )
    return redirect("cardgateway:terminal-detail", pk=terminal.pk)


# --- Limit hits -------------------------------------------------------------------------


class LimitHitFilter(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Limit"),
        required=False,
        choices=[("", gettext_lazy("All limits")), *LimitKind.choices],
    )


@role_required(MANAGE)
def limit_hit_list(request):
    """Requests a limit refused, newest first, 50 a page, optionally of one kind."""
    hits = LimitHit.objects.select_related("terminal", "card")
    form = LimitHitFilter(request.GET or None)
    kind = ""
    if form.is_bound and form.is_valid():
        kind = form.cleaned_data["kind"]
        if kind:
            hits = hits.filter(kind=kind)
    page = Paginator(hits, LIMIT_HITS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "cardgateway/limit_hit_list.html", {"form": form, "page": page, "kind": kind}
    )


# --- Cards ------------------------------------------------------------------------------


class CardSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Card number, or the member's e-mail or mobile"),
        max_length=254,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
                "dir": "ltr",
                "type": "search",
            }
        ),
    )

    def clean_q(self):
        """A card number finds that card; an e-mail or mobile finds every card of that
        member. Sets `self.cards` (a queryset) and `self.member` (or None)."""
        value = self.cleaned_data["q"].strip()
        number = cards.normalise(value)
        self.member = None
        if number.isascii() and number.isdigit() and len(number) == 16:
            if not cards.is_card_number(number):
                raise ValidationError(
                    _("This is not a club card number (its check digit is wrong)."),
                    code="bad_number",
                )
            self.cards = Card.objects.filter(number=number)
            return value
        users = get_user_model().objects
        if "@" in value:
            self.member = users.filter(email__iexact=value).first()
        else:
            try:
                self.member = users.filter(mobile=normalize_mobile(value)).first()
            except ValidationError:
                raise ValidationError(
                    _("Enter a 16-digit card number, an e-mail address or a mobile number."),
                    code="unrecognised",
                ) from None
        if self.member is None:
            raise ValidationError(_("No member has this e-mail or mobile."), code="no_member")
        self.cards = Card.objects.filter(member=self.member)
        return value


@role_required(MANAGE)
def card_search(request):
    form = CardSearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        results = list(form.cards.select_related("member__profile"))
    return render(request, "cardgateway/card_search.html", {"form": form, "results": results})


# action: (new status, the statuses it may follow)
CARD_ACTIONS = {
    "block": (CardStatus.BLOCKED, {CardStatus.ACTIVE}),
    "unblock": (CardStatus.ACTIVE, {CardStatus.BLOCKED}),
    "expire": (CardStatus.EXPIRED, {CardStatus.ACTIVE, CardStatus.BLOCKED}),
}
CARD_ACTION_LABELS = {
    "block": gettext_lazy("Block"),
    "unblock": gettext_lazy("Unblock"),
    "expire": gettext_lazy("Mark expired"),
}


class CardStatusForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Change"), choices=[])
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        help_text=gettext_lazy("Kept in the card's history with your name."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, card: Card, **kwargs):
        super().__init__(*args, **kwargs)
        self.card = card
        self.fields["action"].choices = [
            (action, CARD_ACTION_LABELS[action])
            for action, (_status, allowed_from) in CARD_ACTIONS.items()
            if card.status in allowed_from
        ]

    def clean_action(self):
        action = self.cleaned_data["action"]
        if action == "unblock" and (
            Card.objects.filter(member_id=self.card.member_id, status=CardStatus.ACTIVE)
            .exclude(pk=self.card.pk)
            .exists()
        ):
            raise ValidationError(
                _("The member already has another active card; block that one first."),
                code="card_exists",
            )
        return action


@role_required(MANAGE)
@require_http_methods(["GET", "POST"])
def card_detail(request, pk: int):
    """A card, its member's other cards and its history; block, unblock or mark expired
    (services.set_card_status) with a reason."""
    card = get_object_or_404(
        Card.objects.select_related(
            "member__profile", "issued_at_branch", "replaces", "replaced_by"
        ),
        pk=pk,
    )
    form = CardStatusForm(request.POST if request.method == "POST" else None, card=card)
    if request.method == "POST" and form.is_valid():
        status, _allowed_from = CARD_ACTIONS[form.cleaned_data["action"]]
        try:
            with transaction.atomic():
                services.set_card_status(
                    card=card,
                    status=status,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
                audit.record(
                    request=request,
                    action=audit.Action.CARD_STATUS_CHANGED,
                    target=card,
                    status=status,
                    reason=form.cleaned_data["reason"],
                )
        except IntegrityError:  # another card of the member became active meanwhile
            form.add_error("action", _("The member already has another active card."))
        else:
            messages.success(
                request,
                _("Card %(card)s is now %(status)s.")
                % {"card": card.masked, "status": CardStatus(status).label},
            )
            return redirect("cardgateway:card-detail", pk=card.pk)
    events = CardEvent.objects.filter(card=card).select_related("actor__profile")
    other_cards = Card.objects.filter(member_id=card.member_id).exclude(pk=card.pk)
    audit.record(request=request, action=audit.Action.MEMBER_VIEWED, target=card, page="card")
    return render(
        request,
        "cardgateway/card_detail.html",
        {"card": card, "form": form, "events": events, "other_cards": other_cards},
    )
