from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Branch


class BranchViewSet(SnippetViewSet):
    model = Branch
    icon = "home"
    menu_label = _("Branches")
    add_to_admin_menu = True
    list_display = ["name", "code", "city", "is_active"]
    search_fields = ["name", "code", "city"]


register_snippet(BranchViewSet)
