"""The club manager's fraud review queue: cases with their evidence and holds, and the
decision (clear or confirm) with its reason."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.accounts.decorators import role_required

from . import selectors, services
from .forms import DecisionForm, QueueFilterForm
from .models import CaseStatus, FraudCase

MANAGE = services.MANAGE
PER_PAGE = 25


@role_required(MANAGE)
def queue(request):
    data = request.GET.copy()
    data.setdefault("status", CaseStatus.OPEN)
    form = QueueFilterForm(data)
    filters = form.cleaned_data if form.is_valid() else {"status": CaseStatus.OPEN}
    cases = selectors.queue(status=filters.get("status", ""), rule=filters.get("rule", ""))
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "fraud/queue.html", {"form": form, "page": page})


@role_required(MANAGE)
@require_http_methods(["GET", "POST"])
def case_detail(request, pk: int):
    case = get_object_or_404(FraudCase.objects.select_related("member", "suspect"), pk=pk)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide(
                case=case,
                confirm=form.cleaned_data["decision"] == "confirm",
                actor=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except services.CodedError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Decision saved; the members concerned were told."))
            return redirect("fraud:case", pk=case.pk)
    return render(
        request,
        "fraud/case.html",
        {"case": case, "holds": selectors.case_holds(case), "form": form},
        status=400 if form.errors else 200,
    )
