"""Wagtail admin: the club manager builds contests here (a "Contests" menu item): the
times, the prize, and for a quiz its questions with their choices (nested inline panels).
Photos are moderated on the site (the gallery), by moderators."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin_forms import ContestAdminForm
from .models import Contest


class ContestViewSet(SnippetViewSet):
    model = Contest
    icon = "form"
    menu_label = _("Contests")
    menu_name = "contests"
    add_to_admin_menu = True
    menu_order = 320
    list_display = ["title", "kind", "opens_at", "closes_at", "is_published", "closed_at"]
    list_filter = ["kind", "is_published"]
    search_fields = ["title", "description"]
    ordering = ["-opens_at"]


Contest.base_form_class = ContestAdminForm
register_snippet(ContestViewSet)
