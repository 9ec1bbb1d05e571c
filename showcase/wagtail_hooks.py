"""Wagtail admin: the dealers directory's entries (a snippet the club manager keeps, by the
Dealer model permissions of the Club manager role in portal/accounts/roles.py) and the
member chooser of the hall of fame."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .choosers import member_chooser_viewset
from .models import Dealer


class DealerViewSet(SnippetViewSet):
    model = Dealer
    icon = "site"
    menu_label = _("Dealers")
    menu_name = "dealers"
    menu_order = 260
    add_to_admin_menu = True
    list_display = [
        "name",
        Column("kind", label=_("Kind"), accessor="get_kind_display"),
        "city",
        "phone",
        "is_active",
    ]
    list_filter = ["kind", "city", "is_active"]
    search_fields = ["name", "city", "address"]
    ordering = ["city", "name"]


register_snippet(DealerViewSet)


@hooks.register("register_admin_viewset")
def register_member_chooser():
    return member_chooser_viewset
