"""The automations screen in the Wagtail admin: recent runs and counts per kind. Club
managers only (accounts.manage_club), checked on the server."""

from datetime import timedelta
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.accounts.decorators import role_required

from .models import AutomationSettings, RunKind
from .selectors import recent_runs, run_counts

COUNT_DAYS = 30


def manager_only(view):
    """role_required("accounts.manage_club"), answering a refusal with a 403 page here:
    Wagtail would turn a PermissionDenied raised in its admin URLs into a redirect."""
    checked = role_required("accounts.manage_club")(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return checked(request, *args, **kwargs)
        except PermissionDenied as refusal:
            return permission_denied(request, refusal)

    return wrapped


@method_decorator(manager_only, name="dispatch")
class RunListView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "automations/admin/runs.html"
    page_title = _("Automations")
    header_icon = "history"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = run_counts(since=timezone.now() - timedelta(days=COUNT_DAYS))
        context.update(
            counts=[(label, counts.get(kind, 0)) for kind, label in RunKind.choices],
            count_days=COUNT_DAYS,
            runs=recent_runs(),
            settings=AutomationSettings.load(),
        )
        return context
