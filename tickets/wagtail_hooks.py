"""Wagtail admin: the club manager's lists and numbers for the support desk, grouped under
"Support desk": ticket categories (switched off, never deleted, since tickets point at
them), canned replies, SLA targets, business hours and the desk settings (one row).
Access follows the model permissions the Club manager role holds
(portal/accounts/roles.py). Tickets themselves change only on the desk (views/desk.py),
which the admin menu links to, with the reports."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal.shell.wagtail_policies import NoDeletePolicy, SingleRowPolicy

from .models import BusinessHours, CannedReply, Category, DeskSettings, Holiday, SLATarget

# Must be registered before the viewsets below create the default policies.
register_permission_policy(DeskSettings, SingleRowPolicy(DeskSettings))
register_permission_policy(Category, NoDeletePolicy(Category))

PLACEHOLDER_HELP = _(
    "You may use {customer_name} (the customer's name) and {tracking_code} (the ticket's "
    "tracking code); they are filled in for the ticket at hand. Any other {name} in braces "
    "is refused."
)


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    menu_label = _("Ticket categories")
    list_display = ["name", "name_fa", "is_active", "order"]
    list_filter = ["is_active"]
    search_fields = ["name", "name_fa", "slug"]
    panels = [
        FieldPanel("name"),
        FieldPanel("name_fa"),
        FieldPanel("slug"),
        FieldPanel(
            "is_active",
            help_text=_(
                "A category in use is switched off rather than deleted: customers no longer "
                "choose it, its tickets keep it."
            ),
        ),
        FieldPanel("order"),
    ]


class CannedReplyViewSet(SnippetViewSet):
    model = CannedReply
    icon = "doc-full"
    menu_label = _("Canned replies")
    list_display = ["title"]
    search_fields = ["title", "body"]
    panels = [FieldPanel("title"), FieldPanel("body", help_text=PLACEHOLDER_HELP)]


class SLATargetViewSet(SnippetViewSet):
    model = SLATarget
    icon = "time"
    menu_label = _("SLA targets")
    list_display = ["priority", "category", "first_response_minutes", "resolution_minutes"]
    list_filter = ["priority"]

    def get_queryset(self, request):
        return SLATarget.objects.select_related("category")


class BusinessHoursViewSet(SnippetViewSet):
    model = BusinessHours
    icon = "calendar"
    menu_label = _("Business hours")
    list_display = ["__str__", "weekday", "opens", "closes"]
    list_filter = ["weekday"]


class HolidayViewSet(SnippetViewSet):
    model = Holiday
    icon = "date"
    menu_label = _("Holidays")
    list_display = ["date", "name"]


class DeskSettingsViewSet(SnippetViewSet):
    model = DeskSettings
    icon = "cogs"
    menu_label = _("Desk settings")
    list_display = [
        "__str__",
        "waiting_auto_close_hours",
        "near_breach_minutes",
        "max_attachment_kb",
        "max_attachments_per_ticket",
    ]

    def get_queryset(self, request):
        # The single row exists from the first time anyone looks at it.
        DeskSettings.load()
        return DeskSettings.objects.filter(pk=1)


class SupportDeskViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Support desk")
    menu_icon = "help"
    menu_name = "support-desk"
    items = (
        CategoryViewSet,
        CannedReplyViewSet,
        SLATargetViewSet,
        BusinessHoursViewSet,
        HolidayViewSet,
        DeskSettingsViewSet,
    )


register_snippet(SupportDeskViewSetGroup)


class DeskMenuItem(MenuItem):
    """A link from the Wagtail admin to a page of the desk, shown only to whoever holds
    `permission` (the page checks it again). The URL is looked up when the menu is shown."""

    def __init__(self, label, url_name: str, permission: str, **kwargs):
        self.url_name, self.permission = url_name, permission
        super().__init__(label, "", **kwargs)

    def is_shown(self, request):
        if not request.user.has_perm(self.permission):
            return False
        try:
            self.url = reverse(self.url_name)
        except NoReverseMatch:  # the desk's pages are not mounted (a partial deployment)
            return False
        return True


@hooks.register("register_admin_menu_item")
def desk_queue_menu_item():
    return DeskMenuItem(
        _("Ticket queue"),
        "tickets:desk-queue",
        "accounts.answer_tickets",
        icon_name="help",
        order=220,
    )


@hooks.register("register_admin_menu_item")
def desk_reports_menu_item():
    return DeskMenuItem(
        _("Desk reports"),
        "tickets:reports",
        "accounts.manage_club",
        icon_name="table",
        order=221,
    )
