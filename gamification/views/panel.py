"""Member pages of the panel: history and points-to-credit conversion."""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .. import ledger, selectors, services
from ..models import ClubSettings


@login_required
def history(request):
    page = Paginator(selectors.history(member=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "gamification/history.html", {"page": page})


class ConvertForm(forms.Form):
    points = forms.IntegerField(label=gettext_lazy("Points to convert"), min_value=1)
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)


@login_required
@require_http_methods(["GET", "POST"])
def convert(request):
    club = ClubSettings.load()
    form = ConvertForm(request.POST or None, initial={"key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        try:
            services.convert_points(
                member=request.user,
                points=form.cleaned_data["points"],
                idempotency_key=f"convert:{request.user.pk}:{form.cleaned_data['key']}",
            )
        except (ledger.LedgerError, ValueError) as error:
            form.add_error("points", str(error))
        else:
            messages.success(request, _("Your points were converted to credit."))
            return redirect("accounts:panel")
    return render(
        request,
        "gamification/convert.html",
        {"form": form, "club": club, "balances": ledger.balances(request.user)},
    )
