"""The club manager's KPI dashboard and exports, in the Wagtail admin (/cms/reports/).
Every view requires accounts.manage_club (and Wagtail's admin access in front of them);
managers share the exports list: any manager may follow and download any manager's export
(they could ask for the same one), members and the other roles never."""

from django.contrib import messages
from django.core.cache import cache
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.accounts.decorators import role_required
from portal.shell.charts import Bar, bar_chart, format_percent, percent
from portal.shell.templatetags.club_format import digits, grouped, jdate, rials

from . import exports, kpis, services
from .forms import ExportRequestForm, PeriodForm
from .models import Export, ExportStatus

MANAGE = "accounts.manage_club"


manager_required = role_required(MANAGE)


LIST_SIZE = 50
DASHBOARD_CACHE_SECONDS = 300
# The dashboard's tables that can be exported (registry keys), with their headings.
TABLE_EXPORTS = ["kpis", "tiers", "churn", "top_members"]


def _percent(ratio) -> str:
    return "—" if ratio is None else format_percent(percent(ratio, 1, places=1))


def _decimal(value, places: int = 2) -> str:
    return "—" if value is None else digits(f"{value:,.{places}f}")


def figures(board: kpis.Dashboard) -> list[dict]:
    """The dashboard's figures as sections of {label, value (text), definition}."""
    d = kpis.DEFINITIONS
    m, r, pu, c = board.membership, board.retention, board.purchasing, board.credit
    ref, com, t = board.referrals, board.community, board.tickets

    def item(label, value, key, note=""):
        return {"label": label, "value": value, "definition": d[key], "note": note}

    return [
        {
            "id": "members",
            "heading": _("Members"),
            "items": [
                item(_("Members"), grouped(m["members_total"]), "members_total"),
                item(_("New members"), grouped(m["new_members"]), "new_members"),
                item(_("Active in the last 30 days"), grouped(m["active_30"]), "active_30"),
                item(
                    _("Retention"),
                    _percent(r["rate"]),
                    "retention",
                    _("%(retained)s of %(previous)s members")
                    % {
                        "retained": grouped(r["retained"]),
                        "previous": grouped(r["previous_active"]),
                    },
                ),
            ],
        },
        {
            "id": "purchases",
            "heading": _("Purchases"),
            "items": [
                item(
                    _("Repeat-purchase rate"),
                    _percent(pu["repeat_rate"]),
                    "repeat_rate",
                    _("%(repeat)s of %(buyers)s buying members")
                    % {"repeat": grouped(pu["repeat_buyers"]), "buyers": grouped(pu["buyers"])},
                ),
                item(_("Purchase frequency"), _decimal(pu["frequency"]), "frequency"),
                item(
                    _("Average transaction value"),
                    "—" if pu["average_value"] is None else rials(round(pu["average_value"])),
                    "average_value",
                ),
                item(
                    _("Revenue from the top 20% of members"),
                    _percent(pu["top_share"]),
                    "top_share",
                    _("%(members)s members spent %(spend)s of %(total)s")
                    % {
                        "members": grouped(pu["top_members"]),
                        "spend": rials(pu["top_spend"]),
                        "total": rials(pu["spend"]),
                    },
                ),
            ],
        },
        {
            "id": "credit",
            "heading": _("Credit"),
            "items": [
                item(
                    _("Redemption rate"),
                    _percent(c["redemption_rate"]),
                    "redemption_rate",
                    _("%(redeemed)s spent of %(issued)s given out")
                    % {"redeemed": rials(c["redeemed"]), "issued": rials(c["issued"])},
                ),
                item(_("Outstanding credit"), rials(c["outstanding"]), "outstanding_credit"),
            ],
        },
        {
            "id": "referrals",
            "heading": _("Referrals"),
            "items": [
                item(_("New referrals"), grouped(ref["new"]), "referrals"),
                item(
                    _("Purchases of referred members"),
                    grouped(ref["purchases"]),
                    "referrals",
                    _("by %(buyers)s members, %(spend)s; referral share paid: %(share)s")
                    % {
                        "buyers": grouped(ref["buyers"]),
                        "spend": rials(ref["spend"]),
                        "share": rials(ref["share_paid"]),
                    },
                ),
            ],
        },
        {
            "id": "community",
            "heading": _("Community"),
            "items": [
                item(_("Topics"), grouped(com["topics"]), "community"),
                item(_("Forum replies"), grouped(com["replies"]), "community"),
                item(_("Comments"), grouped(com["comments"]), "community"),
                item(_("Status updates"), grouped(com["status_updates"]), "community"),
                item(_("Members who wrote"), grouped(com["posters"]), "community"),
                item(_("Survey responses"), grouped(com["survey_responses"]), "community"),
            ],
        },
        {
            "id": "tickets",
            "heading": _("Tickets"),
            "items": [
                item(_("Open now"), grouped(t["open_now"]), "tickets"),
                item(
                    _("SLA breach rate"),
                    _percent(t["breach_rate"]),
                    "tickets",
                    _("%(breached)s of %(with_sla)s tickets with targets")
                    % {
                        "breached": grouped(t["breached"]),
                        "with_sla": grouped(t["filed_with_sla"]),
                    },
                ),
                item(
                    _("Satisfaction (CSAT)"),
                    _decimal(t["csat"]),
                    "tickets",
                    _("%(ratings)s ratings") % {"ratings": grouped(t["ratings"])},
                ),
            ],
        },
    ]


def _charts(board: kpis.Dashboard) -> dict:
    unit, buckets = board.over_time
    return {
        "tiers": bar_chart(
            title=_("Members per tier"),
            bars=[Bar(row["label"], row["members"]) for row in board.tiers],
            label_header=_("Tier"),
            value_header=_("Members"),
        ),
        "purchases": bar_chart(
            title=_("Purchases per week") if unit == "week" else _("Purchases per month"),
            bars=[Bar(jdate(row["start"]), row["purchases"]) for row in buckets],
            label_header=_("Week starting") if unit == "week" else _("Month starting"),
            value_header=_("Purchases"),
        ),
    }


def _admin_page(request, template: str, context: dict, *, status: int = 200):
    return render(request, template, {"header_icon": "table", **context}, status=status)


def _cached_dashboard(form: PeriodForm) -> kpis.Dashboard:
    """The figures, kept DASHBOARD_CACHE_SECONDS per period, branch and language: a year
    over a club of 100,000 members takes seconds to compute (bench/cockpit_bench.py)."""
    params = form.params()
    key = "reports:dashboard:{}:{}:{}:{}".format(
        params["start"], params["end"], params["branch"] or "all", get_language()
    )
    board = cache.get(key)
    if board is None:
        board = kpis.dashboard(form.period())
        cache.set(key, board, DASHBOARD_CACHE_SECONDS)
    return board


@manager_required
@require_GET
def dashboard(request):
    form = PeriodForm(request.GET or None)
    if request.GET and not form.is_valid():
        return _admin_page(
            request,
            "reports/dashboard.html",
            {"form": form, "page_title": _("Key figures")},
            status=400,
        )
    if not request.GET:
        form = PeriodForm({})
        form.is_valid()
    board = _cached_dashboard(form)
    return _admin_page(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "page_title": _("Key figures"),
            "board": board,
            "definitions": kpis.DEFINITIONS,
            "sections": figures(board),
            "charts": _charts(board),
            "params": form.params(),
            "table_exports": [(key, exports.get(key).title) for key in TABLE_EXPORTS],
            "data_exports": [
                (key, report.title)
                for key, report in exports.REGISTRY.items()
                if key not in TABLE_EXPORTS
            ],
        },
    )


@manager_required
@require_http_methods(["GET", "POST"])
def export_list(request):
    form = ExportRequestForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.request_export(
                    kind=form.cleaned_data["kind"],
                    fmt=form.cleaned_data["format"],
                    params=form.params(),
                    requested_by=request.user,
                    language=get_language() or "en",
                    request=request,
                )
            except services.ExportError:
                form.add_error(None, _("This export cannot be made."))
            else:
                messages.success(request, _("Export requested; it is made in the background."))
                return redirect("reports:exports")
    else:
        form = ExportRequestForm(initial={"format": "xlsx"})
    items = list(Export.objects.select_related("requested_by")[:LIST_SIZE])
    titles = {key: report.title for key, report in exports.REGISTRY.items()}
    for item in items:
        item.title = titles.get(item.kind, item.kind)
    return _admin_page(
        request,
        "reports/export_list.html",
        {"form": form, "exports": items, "page_title": _("Exports")},
        status=400 if form.is_bound and form.errors else 200,
    )


@manager_required
@require_GET
def export_status(request, pk: int):
    export = get_object_or_404(Export, pk=pk)
    ready = export.status == ExportStatus.DONE
    return JsonResponse(
        {
            "id": export.pk,
            "status": export.status,
            "status_label": export.get_status_display(),
            "done": export.done,
            "total": export.total,
            "percent": export.percent,
            "download_url": reverse("reports:export-download", args=[export.pk]) if ready else None,
        }
    )


@manager_required
@require_GET
def export_download(request, pk: int):
    export = get_object_or_404(Export, pk=pk, status=ExportStatus.DONE)
    path = services.file_path(export)
    if path is None or not path.is_file():
        raise Http404
    stamp = timezone.localtime(export.created_at).strftime("%Y%m%d-%H%M")
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"{export.kind}-{stamp}.{export.format}"
    )
