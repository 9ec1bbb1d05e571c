"""Wagtail admin: the club manager's tills, grouped under "Tills": branches, the till limits
(one row) and where each cashier works. Terminals and cards have their own screens
(views/manage.py), since a terminal's secret is shown once and cards change only with a
recorded reason. Access follows the model permissions of the Club manager role
(portal/accounts/roles.py)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal.accounts import roles
from portal.shell.wagtail_menu import ClubManagerMenuItem
from portal.shell.wagtail_policies import SingleRowPolicy

from .models import Branch, CashierStation, GatewaySettings

# Must be registered before the viewset below creates the default policy.
register_permission_policy(GatewaySettings, SingleRowPolicy(GatewaySettings))


class BranchViewSet(SnippetViewSet):
    model = Branch
    icon = "home"
    menu_label = _("Branches")
    list_display = ["name", "code", "city", "is_active"]
    search_fields = ["name", "code", "city"]


class GatewaySettingsViewSet(SnippetViewSet):
    model = GatewaySettings
    icon = "sliders"
    menu_label = _("Till limits")
    list_display = [
        "__str__",
        "requests_per_minute",
        "purchases_per_hour",
        "max_purchase_amount",
    ]

    def get_queryset(self, request):
        # The single row exists from the first time anyone looks at it.
        GatewaySettings.load()
        return GatewaySettings.objects.filter(pk=1)


class CashierStationForm(WagtailAdminModelForm):
    """Only people holding the cashier permission are offered (plus the one already bound,
    should they have lost it), and the terminal must be one of the chosen branch."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        till = roles.permission_holders("accounts.operate_till")
        if self.instance.cashier_id:
            till |= Q(pk=self.instance.cashier_id)
        self.fields["cashier"].queryset = get_user_model().objects.filter(till).order_by("email")

    def clean(self):
        cleaned = super().clean()
        branch, terminal = cleaned.get("branch"), cleaned.get("terminal")
        if branch and terminal and terminal.branch_id != branch.pk:
            self.add_error(
                "terminal",
                ValidationError(_("This terminal belongs to another branch."), code="other_branch"),
            )
        return cleaned


class CashierStationViewSet(SnippetViewSet):
    model = CashierStation
    icon = "user"
    menu_label = _("Cashier stations")
    list_display = ["cashier", "branch", "terminal"]
    list_filter = ["branch"]
    search_fields = ["cashier__email", "cashier__first_name", "cashier__last_name"]
    edit_handler = ObjectList(
        [FieldPanel("cashier"), FieldPanel("branch"), FieldPanel("terminal")],
        base_form_class=CashierStationForm,
    )

    def get_queryset(self, request):
        return CashierStation.objects.select_related("cashier", "branch", "terminal")


class TillsViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Tills")
    menu_icon = "desktop"
    menu_name = "tills"
    items = (BranchViewSet, GatewaySettingsViewSet, CashierStationViewSet)


register_snippet(TillsViewSetGroup)


@hooks.register("register_admin_menu_item")
def terminals_menu_item():
    return ClubManagerMenuItem(
        _("Terminals"), reverse("cardgateway:terminal-list"), icon_name="mobile-alt", order=210
    )


@hooks.register("register_admin_menu_item")
def limit_hits_menu_item():
    return ClubManagerMenuItem(
        _("Refused by till limits"),
        reverse("cardgateway:limit-hit-list"),
        icon_name="warning",
        order=211,
    )
