"""The club manager's cockpit screens in the Wagtail admin (/cms/cockpit/): segments with a
live member count, campaigns, and each campaign's delivery log. Managers only
(accounts.manage_club); every change is a call to services.py or campaigns.py."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.accounts.decorators import role_required

from . import campaigns, segments, selectors, services
from .forms import CampaignForm, SegmentFiltersForm, SegmentForm
from .models import Campaign, Segment

MANAGE = "accounts.manage_club"
PREVIEW_SIZE = 20
DELIVERIES_PER_PAGE = 50


manager_required = role_required(MANAGE)


def _count_label(count: int) -> str:
    return ngettext("%(count)s member", "%(count)s members", count) % {"count": f"{count:,}"}


# --- Segments -----------------------------------------------------------------------------


@manager_required
@require_GET
def segment_list(request):
    return render(
        request,
        "cockpit/segment_list.html",
        {"page_title": _("Segments"), "segments": selectors.segment_list()},
    )


@manager_required
@require_http_methods(["GET", "POST"])
def segment_form(request, pk: int | None = None):
    """Create or edit a segment. "Count" (the button the live count stands in for when
    JavaScript is off) shows the count without saving; "Save" saves."""
    segment = get_object_or_404(Segment, pk=pk) if pk else None
    form = SegmentForm(request.POST or None, instance=segment)
    count = None
    if request.method == "POST" and form.is_valid():
        if "count" in request.POST:
            count = segments.count(form.filters())
        else:
            segment = services.save_segment(form=form, actor=request.user)
            messages.success(request, _("Segment “%(name)s” saved.") % {"name": segment.name})
            return redirect("cockpit:segment-edit", pk=segment.pk)
    preview = None
    if request.method == "GET" and segment is not None:
        filters = segments.as_filters(segment)
        count = segments.count(filters)
        preview = segments.members(filters).select_related("profile")[:PREVIEW_SIZE]
    return render(
        request,
        "cockpit/segment_form.html",
        {
            "page_title": segment.name if segment else _("New segment"),
            "form": form,
            "segment": segment,
            "count": count,
            "count_label": _count_label(count) if count is not None else "",
            "preview": preview,
        },
    )


@manager_required
@require_GET
def segment_count(request):
    """JSON for the live count: the filters as query parameters (the form's field
    names). 200 {"count", "label"}; 400 {"errors"} on bad input."""
    form = SegmentFiltersForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    count = segments.count(form.filters())
    return JsonResponse({"count": count, "label": _count_label(count)})


# --- Campaigns ----------------------------------------------------------------------------


@manager_required
@require_GET
def campaign_list(request):
    page = Paginator(selectors.campaign_list(), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "cockpit/campaign_list.html", {"page_title": _("Campaigns"), "page": page}
    )


@manager_required
@require_http_methods(["GET", "POST"])
def campaign_form(request, pk: int | None = None):
    """Create or edit a campaign that is not yet sent. "Save draft" keeps it a draft;
    "Schedule" also schedules it (at "send at", or now)."""
    campaign = get_object_or_404(Campaign, pk=pk) if pk else None
    if campaign is not None and not campaign.is_editable:
        return redirect("cockpit:campaign-detail", pk=campaign.pk)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.save_campaign(form=form, actor=request.user)
            if "schedule" in request.POST:
                campaigns.schedule_campaign(
                    campaign=campaign, send_at=form.cleaned_data["send_at"], actor=request.user
                )
                messages.success(request, _("Campaign scheduled."))
            else:
                messages.success(request, _("Campaign saved as a draft."))
        except campaigns.CampaignError as error:
            messages.error(request, str(error))
        return redirect("cockpit:campaign-detail", pk=campaign.pk)
    return render(
        request,
        "cockpit/campaign_form.html",
        {
            "page_title": campaign.name if campaign else _("New campaign"),
            "form": form,
            "campaign": campaign,
        },
    )


@manager_required
@require_POST
def campaign_cancel(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        campaigns.cancel_campaign(campaign=campaign, actor=request.user)
        messages.success(request, _("Campaign cancelled."))
    except campaigns.CampaignError as error:
        messages.error(request, str(error))
    return redirect("cockpit:campaign-detail", pk=campaign.pk)


@manager_required
@require_GET
def campaign_detail(request, pk: int):
    """The campaign and its delivery log: counts, then the deliveries a page at a time
    (a constant number of queries whatever the page's length)."""
    campaign = get_object_or_404(
        Campaign.objects.select_related("segment", "gift_reward", "created_by"), pk=pk
    )
    page = Paginator(selectors.deliveries(campaign), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cockpit/campaign_detail.html",
        {
            "page_title": campaign.name,
            "campaign": campaign,
            "counts": selectors.delivery_counts(campaign),
            "page": page,
            "gift": campaigns.gift_text(campaign),
            "edit_url": reverse("cockpit:campaign-edit", args=[campaign.pk])
            if campaign.is_editable
            else "",
        },
    )
