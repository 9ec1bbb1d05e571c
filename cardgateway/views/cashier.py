"""The cashier screen (/till/): find a member by card or mobile, register a member with a
card, credit a purchase, reverse or return one by its receipt, issue or replace a card.

Thin views over cardgateway.services, the same functions the reader API calls. Every
posting is recorded under the cashier's station (CashierStation): its branch, its terminal
(or none) and the cashier. A cashier without a usable station sees whom to ask, and can
post nothing."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gamification import selectors as club_selectors
from gamification.models import ClubSettings, Tier
from portal.accounts.decorators import role_required
from portal.audit import services as audit
from portal.shell.templatetags.club_format import grouped, rials

from .. import services
from ..forms import (
    FindMemberForm,
    PurchaseForm,
    RegisterMemberForm,
    ReplaceCardForm,
    ReturnForm,
    ReverseForm,
    find_purchase,
)
from ..models import Card, CardStatus, CashierStation, Transaction, TxnKind

PERMISSION = "accounts.operate_till"
RECENT_TRANSACTIONS = 20
RECENT_AT_STATION = 10


# --- The station ------------------------------------------------------------------------


def station_problem(station: CashierStation | None) -> str:
    """Why this station cannot post ("" when it can)."""
    if station is None:
        return "no_station"
    if not station.branch.is_active:
        return "branch_closed"
    if station.terminal is not None and not station.terminal.is_enabled:
        return "terminal_disabled"
    return ""


def cashier_view(view):
    """The cashier role (anonymous users to log-in, other roles 403), then a usable
    station, passed to the view as its second argument."""

    @role_required(PERMISSION)
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        station = (
            CashierStation.objects.select_related("branch", "terminal")
            .filter(cashier=request.user)
            .first()
        )
        problem = station_problem(station)
        if problem:
            return render(
                request,
                "cardgateway/cashier_no_station.html",
                {"problem": problem, "station": station},
                status=200 if request.method in ("GET", "HEAD") else 403,
            )
        return view(request, station, *args, **kwargs)

    return wrapped


def posting_place(station: CashierStation, request) -> dict:
    return {"terminal": station.terminal, "branch": station.branch, "cashier": request.user}


# --- Refusals ---------------------------------------------------------------------------

# services.Refused codes, as the cashier reads them: (form field or None, message).
REFUSALS = {
    "unknown_card": (None, _("No card has this number.")),
    "card_blocked": (None, _("This card cannot be used: it is %(status)s.")),
    "insufficient_credit": (
        "redeem",
        _("The member does not have that much credit: the balance is %(credit)s."),
    ),
    "below_redeem_threshold": (
        "redeem",
        _("Credit can be spent once the balance reaches %(minimum)s. It is %(credit)s now."),
    ),
    "limit_exceeded": (
        None,
        _(
            "A limit of the tills refused this purchase (the largest single purchase, or "
            "purchases per hour on one card). Ask the club manager."
        ),
    ),
    "unknown_transaction": ("receipt", _("No purchase has this receipt number.")),
    "already_reversed": ("receipt", _("This purchase was already reversed.")),
    "return_exceeds_purchase": (
        "amount",
        _("Returns would total more than the purchase: at most %(left)s can still be returned."),
    ),
    "txn_conflict": (
        None,
        _("This form was already sent with other values. Check them and send it again."),
    ),
    "card_exists": (None, _("The member already has an active card.")),
    "mobile_taken": ("mobile", _("This mobile number belongs to a member already.")),
    "email_taken": ("email", _("This e-mail address belongs to another member.")),
    "invalid_request": (None, _("The request was not valid. Check the values and try again.")),
}


class _Figures(dict):
    """A refusal message's figures; one that was not at hand reads as a dash."""

    def __missing__(self, key):
        return "—"


def add_refusal(form, refusal: services.Refused, **values) -> None:
    """Put a refusal on the form, where the cashier will look for it."""
    field, message = REFUSALS.get(
        refusal.code, (None, _("Refused (%(code)s). Nothing was posted."))
    )
    if field not in form.fields:
        field = None
    form.add_error(field, message % _Figures(values, code=refusal.code))
    if refusal.code == "txn_conflict":
        form.renew_token()


def posted_redirect(posted: services.Posted):
    url = reverse("cardgateway:cashier-receipt", args=[posted.txn.receipt])
    return redirect(f"{url}?replay=1" if posted.replay else url)


# --- Reads ------------------------------------------------------------------------------


def with_followups(transactions):
    """Each purchase with whether it was reversed and how much of it was returned (two
    subqueries, so a list stays one query)."""
    followups = Transaction.objects.filter(original=OuterRef("pk"))
    returned = (
        followups.filter(kind=TxnKind.RETURN)
        .values("original")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return transactions.annotate(
        is_reversed=Exists(followups.filter(kind=TxnKind.REVERSAL)),
        returned=-Coalesce(Subquery(returned, output_field=IntegerField()), 0),
    )


def member_transactions(member, limit: int = RECENT_TRANSACTIONS) -> list[Transaction]:
    """The member's latest postings, on all their cards. One query."""
    return list(
        with_followups(Transaction.objects.filter(member=member).select_related("card", "branch"))[
            :limit
        ]
    )


def tier_or_lowest(tier):
    return tier or Tier.objects.order_by("threshold").first()


def member_page(request, station, member_id: int, **forms):
    """The member's page: who, tier, balances, cards, recent postings and the actions,
    with the given (bound) forms in place of fresh ones. A fixed number of queries."""
    member = get_object_or_404(
        get_user_model().objects.select_related("profile__home_branch"), pk=member_id
    )
    member_cards = list(Card.objects.filter(member=member).order_by("-issued_at", "-pk"))
    active = next((card for card in member_cards if card.status == CardStatus.ACTIVE), None)
    current = active or (member_cards[0] if member_cards else None)
    scanned_id = request.GET.get("card", "")
    scanned = next((card for card in member_cards if str(card.pk) == scanned_id), None)
    if scanned is not None and scanned.is_usable:
        scanned = None  # only an unusable scanned card needs a word
    club_status = club_selectors.member_status(member=member)
    can_post = member.is_active and active is not None and scanned is None
    context = {
        "station": station,
        "member": member,
        "profile": getattr(member, "profile", None),
        "cards": member_cards,
        "card": current,
        "scanned": scanned,
        "tier": tier_or_lowest(club_status.tier),
        "points": club_status.points,
        "credit": club_status.credit,
        "transactions": member_transactions(member),
        "can_post": can_post,
        "can_replace": member.is_active
        and current is not None
        and current.status != CardStatus.BLOCKED
        and scanned is None,
        "can_issue": member.is_active and not member_cards,
        "purchase_form": forms.get("purchase_form") or (PurchaseForm() if can_post else None),
        "replace_form": forms.get("replace_form")
        or (ReplaceCardForm(member=member, initial={"card": current.pk}) if current else None),
    }
    audit.record(request=request, action=audit.Action.MEMBER_VIEWED, target=member, page="till")
    return render(request, "cardgateway/cashier_member.html", context)


# --- Pages ------------------------------------------------------------------------------


@cashier_view
@require_GET
def home(request, station):
    """Find a member: a scanned or typed card number, or a mobile, straight to their page."""
    form = FindMemberForm(request.GET if "q" in request.GET else None)
    if form.is_valid():
        member, card = form.cleaned_data["q"]
        url = reverse("cardgateway:cashier-member", args=[member.pk])
        return redirect(f"{url}?card={card.pk}" if card else url)
    recent = list(
        with_followups(
            Transaction.objects.filter(cashier=request.user).select_related(
                "member__profile", "card", "branch"
            )
        )[:RECENT_AT_STATION]
    )
    return render(
        request,
        "cardgateway/cashier_home.html",
        {"station": station, "form": form, "recent": recent},
    )


@cashier_view
@require_GET
def member(request, station, member_id: int):
    return member_page(request, station, member_id)


@cashier_view
@require_POST
def purchase(request, station, member_id: int):
    """Credit a purchase to the member's active card, spending credit if asked. The form's
    token is the txn_id, so a second submit shows the first result and posts nothing."""
    form = PurchaseForm(request.POST)
    if form.is_valid():
        card = Card.objects.filter(
            member_id=member_id, member__is_active=True, status=CardStatus.ACTIVE
        ).first()
        if card is None:
            form.add_error(None, _("The member has no usable card. Issue or replace it first."))
        else:
            data = form.cleaned_data
            try:
                posted = services.post_purchase(
                    txn_id=form.txn_id,
                    card_number=card.number,
                    amount=data["amount"],
                    redeem=data["redeem"],
                    **posting_place(station, request),
                )
            except services.Refused as refusal:
                balances = club_selectors.member_status(member=card.member)
                add_refusal(
                    form,
                    refusal,
                    status=card.get_status_display(),
                    credit=rials(balances.credit),
                    minimum=rials(ClubSettings.load().min_redeemable_credit),
                )
            else:
                return posted_redirect(posted)
    return member_page(request, station, member_id, purchase_form=form)


def _followup(request, station, *, form_class, template: str, post):
    """Reverse or return: GET shows the form (and the purchase, when a receipt is given);
    POST finds the purchase by its receipt and posts through `post`."""
    purchase = None
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            purchase = form.cleaned_data["receipt"]
            try:
                posted = post(purchase=purchase, data=form.cleaned_data, txn_id=form.txn_id)
            except services.Refused as refusal:
                add_refusal(form, refusal, left=rials(returnable(purchase)))
            else:
                return posted_redirect(posted)
    else:
        receipt = request.GET.get("receipt", "")
        form = form_class(initial={"receipt": receipt})
        if receipt:
            try:
                purchase = find_purchase(receipt)
            except ValidationError:
                purchase = None  # the form says why once it is submitted
    return render(
        request,
        template,
        {
            "station": station,
            "form": form,
            "purchase": purchase,
            "returnable": returnable(purchase) if purchase is not None else None,
        },
    )


def returnable(purchase: Transaction) -> int:
    """What is left of a purchase to return (nothing once it is reversed)."""
    followups = list(purchase.followups.all())
    if any(txn.kind == TxnKind.REVERSAL for txn in followups):
        return 0
    return purchase.amount + sum(txn.amount for txn in followups if txn.kind == TxnKind.RETURN)


@cashier_view
@require_http_methods(["GET", "POST"])
def reverse_purchase(request, station):
    """Undo a whole purchase, found by its receipt number."""

    def post(*, purchase, data, txn_id):
        return services.reverse_purchase(
            txn_id=txn_id,
            original_txn_id=purchase.txn_id,
            terminal=purchase.terminal,
            branch=station.branch,
            cashier=request.user,
        )

    return _followup(
        request,
        station,
        form_class=ReverseForm,
        template="cardgateway/cashier_reverse.html",
        post=post,
    )


@cashier_view
@require_http_methods(["GET", "POST"])
def return_purchase(request, station):
    """A partial return of a purchase, found by its receipt number."""

    def post(*, purchase, data, txn_id):
        return services.return_purchase(
            txn_id=txn_id,
            original_txn_id=purchase.txn_id,
            amount=data["amount"],
            terminal=purchase.terminal,
            branch=station.branch,
            cashier=request.user,
        )

    return _followup(
        request,
        station,
        form_class=ReturnForm,
        template="cardgateway/cashier_return.html",
        post=post,
    )


@cashier_view
@require_GET
def receipt(request, station, receipt: str):
    """The result of a posting, in big figures: what was credited or taken back, the new
    balances and tier (as the posting answered them)."""
    txn = get_object_or_404(
        Transaction.objects.select_related("card", "member__profile", "branch", "original"),
        receipt=receipt,
    )
    answer = txn.response
    tier = Tier.objects.filter(slug=answer.get("tier", "")).first()
    if txn.kind == TxnKind.PURCHASE:
        figures = [
            (_("Amount"), rials(txn.amount), False),
            (_("Credit spent"), rials(txn.redeemed), False) if txn.redeemed else None,
            (_("Cashback credited"), rials(txn.cashback), True),
            (_("Points earned"), grouped(txn.points), True),
        ]
    else:
        figures = [
            (
                _("Amount reversed") if txn.kind == TxnKind.REVERSAL else _("Amount returned"),
                rials(-txn.amount),
                False,
            ),
            (_("Credit given back"), rials(-txn.redeemed), True) if txn.redeemed else None,
            (_("Cashback taken back"), rials(-txn.cashback), True),
            (_("Points taken back"), grouped(-txn.points), True),
        ]
    return render(
        request,
        "cardgateway/cashier_receipt.html",
        {
            "station": station,
            "txn": txn,
            "answer": answer,
            "figures": [
                {"label": label, "value": value, "strong": strong}
                for label, value, strong in filter(None, figures)
            ],
            "balance": answer.get("balance", {}),
            "tier": tier,
            "to_pay": txn.amount - txn.redeemed,
            "replay": request.GET.get("replay") == "1",
        },
    )


@cashier_view
@require_POST
def replace(request, station, member_id: int):
    """Replace the member's card (lost, stolen or damaged) for free; balances stay with the
    member. A second submit of the same form shows the card that replaced it."""
    member = get_object_or_404(get_user_model(), pk=member_id)
    form = ReplaceCardForm(request.POST, member=member)
    if not form.is_valid():
        return member_page(request, station, member_id, replace_form=form)
    card = form.cleaned_data["card"]
    successor = Card.objects.filter(replaces=card).first()
    if successor is not None:
        return redirect("cardgateway:cashier-card", successor.pk)
    try:
        new_card = services.replace_card(
            card=card,
            actor=request.user,
            branch=station.branch,
            lost=form.cleaned_data["reason"] == "lost",
        )
    except services.Refused as refusal:
        active = Card.objects.filter(member=member, status=CardStatus.ACTIVE).first()
        if refusal.code == "card_exists" and active is not None:
            return redirect("cardgateway:cashier-card", active.pk)
        add_refusal(form, refusal)
        return member_page(request, station, member_id, replace_form=form)
    return redirect(reverse("cardgateway:cashier-card", args=[new_card.pk]) + "?new=1")


@cashier_view
@require_POST
def issue(request, station, member_id: int):
    """The first card of a member who joined online. A member who has (or had) a card gets
    a replacement instead, so a blocked card is never worked around here."""
    member = get_object_or_404(get_user_model(), pk=member_id, is_active=True)
    existing = Card.objects.filter(member=member).order_by("-issued_at", "-pk").first()
    if existing is not None:
        messages.info(request, _("The member already has a card."))
        return redirect("cardgateway:cashier-card", existing.pk)
    try:
        card = services.issue_card(member=member, actor=request.user, branch=station.branch)
    except services.Refused:
        card = Card.objects.filter(member=member, status=CardStatus.ACTIVE).first()
        if card is None:  # pragma: no cover - card_exists means there is one
            raise
    return redirect(reverse("cardgateway:cashier-card", args=[card.pk]) + "?new=1")


@cashier_view
@require_GET
def card(request, station, card_id: int):
    """A card with its full number, to hand over or write down: shown after it is issued."""
    card = get_object_or_404(
        Card.objects.select_related("member__profile", "replaces", "issued_at_branch"),
        pk=card_id,
    )
    return render(
        request,
        "cardgateway/cashier_card.html",
        {
            "station": station,
            "card": card,
            "number_groups": [card.number[i : i + 4] for i in range(0, len(card.number), 4)],
            "new": request.GET.get("new") == "1",
        },
    )


@cashier_view
@require_http_methods(["GET", "POST"])
def register(request, station):
    """Register a new member and issue their card, in one form and one transaction."""
    form = RegisterMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        language = get_language() or ""
        try:
            card = services.register_member_with_card(
                first_name=data["first_name"],
                last_name=data["last_name"],
                mobile=data["mobile"],
                email=data["email"],
                birth_date=data["birth_date"],
                address=data["address"],
                city=data["city"],
                sms_consent=data["sms_consent"],
                email_consent=data["email_consent"],
                preferred_language=language if language in dict(settings.LANGUAGES) else "",
                branch=station.branch,
                actor=request.user,
            )
        except services.Refused as refusal:
            add_refusal(form, refusal)
        else:
            return redirect(reverse("cardgateway:cashier-card", args=[card.pk]) + "?new=1")
    return render(
        request,
        "cardgateway/cashier_register.html",
        {
            "station": station,
            "form": form,
            "existing_member": getattr(form, "existing_member", None),
        },
    )
