"""The member's digital club card: the card page, a printable card, the barcode and QR code
images, and reporting the card lost.

The images are separate endpoints used in <img>, so the page carries no inline SVG, script
or style, and each image answers only to the card's owner (404 for anyone else)."""

import io

import barcode
import segno
from barcode.writer import SVGWriter
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import services
from ..models import Card, CardStatus

# Code 128 as printed and shown on a phone: 0.33 mm bars (the common X-dimension, easy for
# a till scanner), 10 mm tall, and the symbology's minimum quiet zone of ten modules.
BARCODE_OPTIONS = {
    "module_width": 0.33,
    "module_height": 10.0,
    "quiet_zone": 3.3,
    "margin_top": 1.0,
    "margin_bottom": 1.0,
    "write_text": False,  # the page prints the number itself, grouped in fours
    "with_doctype": False,
    "background": "white",
    "foreground": "black",
}
PX_PER_MM = 96 / 25.4


class ScalableSVGWriter(SVGWriter):
    """python-barcode sizes its SVG in millimetres without a viewBox, so an <img> could
    only show it at print size; the viewBox lets the stylesheet scale it to the screen
    or the printed card while it keeps its millimetre size as the intrinsic one."""

    def _init(self, code):
        super()._init(code)
        width = float(self._root.getAttribute("width").removesuffix("mm"))
        height = float(self._root.getAttribute("height").removesuffix("mm"))
        self._root.setAttribute("viewBox", f"0 0 {width * PX_PER_MM:.3f} {height * PX_PER_MM:.3f}")


def barcode_svg(number: str) -> bytes:
    """The card number as a Code 128 barcode (all digits, so code set C: two per symbol)."""
    code = barcode.get("code128", number, writer=ScalableSVGWriter())
    return code.render(BARCODE_OPTIONS)


def qr_svg(number: str) -> bytes:
    """The card number as a QR code. Micro QR would be smaller, but phone cameras and
    many till scanners do not read it, so a full QR code (version 1 for 16 digits)."""
    out = io.BytesIO()
    segno.make(number, error="m", micro=False).save(
        out, kind="svg", border=4, omitsize=True, xmldecl=False, dark="#000", light="#fff"
    )
    return out.getvalue()


def grouped_number(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def _svg_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="image/svg+xml")
    # Opened on its own the image may run and fetch nothing; its bars use style="fill".
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _own_active_card(request, card_id: int) -> Card:
    return get_object_or_404(Card, pk=card_id, member=request.user, status=CardStatus.ACTIVE)


@login_required
def my_card(request):
    """Every card of the member: the active one with its codes, older ones with their
    status. The tier comes from the header's `member_status` (one query set per page)."""
    cards = list(Card.objects.filter(member=request.user).select_related("replaced_by"))
    card = next((each for each in cards if each.is_usable), None)
    return render(
        request,
        "cardgateway/my_card.html",
        {
            "card": card,
            "grouped": grouped_number(card.number) if card else "",
            "older_cards": [each for each in cards if each is not card],
        },
    )


@login_required
def my_card_print(request):
    card = Card.objects.filter(member=request.user, status=CardStatus.ACTIVE).first()
    if card is None:
        return redirect("cardgateway:my-card")
    return render(
        request,
        "cardgateway/my_card_print.html",
        {"card": card, "grouped": grouped_number(card.number)},
    )


@login_required
@never_cache
def my_card_barcode(request, card_id: int):
    card = _own_active_card(request, card_id)
    return _svg_response(barcode_svg(card.number), "club-card-barcode.svg")


@login_required
@never_cache
def my_card_qr(request, card_id: int):
    card = _own_active_card(request, card_id)
    return _svg_response(qr_svg(card.number), "club-card-qr.svg")


class ReportLostForm(forms.Form):
    """The card the member saw on the confirmation page: a second submit (or a second tab)
    finds it already replaced and replaces nothing more."""

    card = forms.IntegerField(widget=forms.HiddenInput)


@login_required
@require_http_methods(["GET", "POST"])
def my_card_report_lost(request):
    """Confirm, then block the active card as lost and issue its replacement
    (services.replace_card); balances belong to the member and stay as they are."""
    card = Card.objects.filter(member=request.user, status=CardStatus.ACTIVE).first()
    if card is None:
        messages.info(request, _("You have no active card to report."))
        return redirect("cardgateway:my-card")
    form = ReportLostForm(
        request.POST if request.method == "POST" else None, initial={"card": card.pk}
    )
    if request.method == "POST":
        if not form.is_valid() or form.cleaned_data["card"] != card.pk:
            messages.info(request, _("That card was already reported. This is your card now."))
            return redirect("cardgateway:my-card")
        try:
            new_card = services.replace_card(card=card, actor=request.user, lost=True)
        except services.Refused:
            # A twin request replaced it a moment earlier.
            messages.info(request, _("That card was already reported. This is your card now."))
            return redirect("cardgateway:my-card")
        messages.success(
            request,
            _(
                "Card %(old)s is blocked. Your new card is %(new)s: your points and credit "
                "are all on it."
            )
            % {"old": card.masked, "new": new_card.masked},
        )
        return redirect("cardgateway:my-card")
    return render(
        request,
        "cardgateway/my_card_report_lost.html",
        {"card": card, "form": form},
    )
