"""The leaderboard page: /club/leaderboard/?period=week|month|all&branch=<id>."""

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .. import leaderboards

PERIOD_LABELS = {
    leaderboards.WEEK: _("This week"),
    leaderboards.MONTH: _("This month"),
    leaderboards.ALL_TIME: _("All time"),
}


@require_GET
@login_required
def leaderboard(request):
    # Branches belong to the card gateway; looked up by name so gamification imports no
    # other app.
    branch_model = apps.get_model("cardgateway", "Branch")
    branches = list(branch_model.objects.filter(is_active=True).order_by("name", "pk"))
    period = request.GET.get("period")
    if period not in leaderboards.PERIODS:
        period = leaderboards.WEEK
    branch = _chosen_branch(request.GET.get("branch"), branches)
    branch_id = branch.pk if branch else None
    rows = leaderboards.top(period=period, branch_id=branch_id)
    my_rank, my_points = leaderboards.rank_of(
        member=request.user, period=period, branch_id=branch_id
    )
    return render(
        request,
        "gamification/leaderboard.html",
        {
            "rows": rows,
            "my_rank": my_rank,
            "my_points": my_points,
            "period": period,
            "period_label": PERIOD_LABELS[period],
            "tabs": [
                {"period": key, "label": label, "current": key == period}
                for key, label in PERIOD_LABELS.items()
            ],
            "branches": branches,
            "branch": branch,
        },
    )


def _chosen_branch(value: str | None, branches: list):
    """The active branch whose id is `value`; anything else means all branches."""
    if not value or not value.isdigit():
        return None
    return next((b for b in branches if b.pk == int(value)), None)
