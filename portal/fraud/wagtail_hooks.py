"""Wagtail admin: the fraud rules' thresholds, one row, under "Club". The review queue
itself is a staff screen (/staff/fraud/)."""

from django.utils.translation import gettext_lazy as _
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.shell.wagtail_policies import SingleRowPolicy

from .models import FraudSettings

register_permission_policy(FraudSettings, SingleRowPolicy(FraudSettings))


class FraudSettingsViewSet(SnippetViewSet):
    model = FraudSettings
    icon = "warning"
    menu_label = _("Fraud rules")
    add_to_admin_menu = True
    menu_order = 910
    list_display = ["__str__", "scan_days", "travel_max_kmh", "near_limit_percent"]

    def get_queryset(self, request):
        FraudSettings.load()
        return FraudSettings.objects.filter(pk=1)


register_snippet(FraudSettingsViewSet)
