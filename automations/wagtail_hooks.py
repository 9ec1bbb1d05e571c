"""Wagtail admin: the automation settings (one row, a snippet) and the screen of recent
runs, both for club managers."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cockpit.wagtail_hooks import COCKPIT_MENU_HOOK
from portal.shell.wagtail_menu import ClubManagerMenuItem
from portal.shell.wagtail_policies import SingleRowPolicy

from .models import AutomationSettings
from .views import RunListView

# Must be registered before the viewset below creates the default policy.
register_permission_policy(AutomationSettings, SingleRowPolicy(AutomationSettings))


def _gift_panels(prefix: str) -> list:
    return [
        FieldPanel(f"{prefix}_gift_kind"),
        FieldPanel(f"{prefix}_gift_amount"),
        FieldPanel(f"{prefix}_gift_reward"),
        FieldPanel(f"{prefix}_gift_valid_days"),
    ]


class AutomationSettingsViewSet(SnippetViewSet):
    model = AutomationSettings
    icon = "cogs"
    menu_label = _("Automation settings")
    menu_order = 231
    add_to_admin_menu = True
    list_display = [
        "__str__",
        "birthday_enabled",
        "winback_enabled",
        "welcome_enabled",
        "tier_congrats_enabled",
        "expiry_enabled",
    ]
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("birthday_enabled"),
                FieldPanel("birthday_days_before"),
                *_gift_panels("birthday"),
                FieldPanel("birthday_message"),
            ],
            heading=_("Birthday"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("winback_enabled"),
                FieldPanel("winback_min_visits"),
                FieldPanel("winback_lapse_days"),
                *_gift_panels("winback"),
                FieldPanel("winback_message"),
            ],
            heading=_("Win-back"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("welcome_enabled"),
                FieldPanel("welcome_message"),
                *_gift_panels("welcome"),
            ],
            heading=_("Welcome"),
        ),
        MultiFieldPanel([FieldPanel("tier_congrats_enabled")], heading=_("Tier upgrades")),
        MultiFieldPanel(
            [
                FieldPanel("expiry_enabled"),
                FieldPanel("expiry_days"),
                FieldPanel("expiry_reminder_days"),
            ],
            heading=_("Points expiry"),
        ),
    ]

    def get_queryset(self, request):
        # The single row exists from the first time anyone looks at it.
        AutomationSettings.load()
        return AutomationSettings.objects.filter(pk=1)


register_snippet(AutomationSettingsViewSet)


@hooks.register("register_admin_urls")
def automation_urls():
    return [path("automations/", RunListView.as_view(), name="automations_runs")]


@hooks.register(COCKPIT_MENU_HOOK)
def automation_runs_menu_item():
    return ClubManagerMenuItem(
        _("Automations"), reverse("automations_runs"), icon_name="history", order=50
    )
