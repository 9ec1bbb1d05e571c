"""Wagtail admin: the club manager's forum categories (kind, order, the tier or interest
group a category is limited to, open or closed). Topics and posts are moderated on the
site itself, not here. Access follows the Club manager role's model permissions
(portal/accounts/roles.py)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import ForumCategory


class ForumCategoryViewSet(SnippetViewSet):
    model = ForumCategory
    icon = "list-ul"
    menu_label = _("Forum categories")
    menu_name = "forum-categories"
    add_to_admin_menu = True
    menu_order = 820
    list_display = ["name", "kind", "position", "min_tier", "group", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug"]
    ordering = ["kind", "position", "name"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("kind"),
        FieldPanel("description"),
        FieldPanel("position"),
        FieldPanel("min_tier"),
        FieldPanel("group"),
        FieldPanel("is_active"),
    ]


register_snippet(ForumCategoryViewSet)
