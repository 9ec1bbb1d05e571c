"""Wagtail admin: article categories and the submission rule (snippets, under "Articles"),
and the moderation workflow set up on a contributions section made in the admin."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal.shell.wagtail_policies import SingleRowPolicy

from . import services
from .models import ArticleCategory, ContentSettings, MemberContributionsPage

# Must be registered before the viewset below creates the default policy.
register_permission_policy(ContentSettings, SingleRowPolicy(ContentSettings))


class ArticleCategoryViewSet(SnippetViewSet):
    model = ArticleCategory
    icon = "folder-open-inverse"
    menu_label = _("Article categories")
    list_display = ["name", "name_fa", "slug"]
    search_fields = ["name", "name_fa"]


class ContentSettingsViewSet(SnippetViewSet):
    model = ContentSettings
    icon = "cogs"
    menu_label = _("Article settings")
    list_display = ["__str__", "submissions_open", "min_tier", "min_points"]

    def get_queryset(self, request):
        ContentSettings.load()
        return ContentSettings.objects.filter(pk=1)


class ArticlesViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Articles")
    menu_icon = "doc-full"
    menu_name = "articles"
    items = (ArticleCategoryViewSet, ContentSettingsViewSet)


register_snippet(ArticlesViewSetGroup)


@hooks.register("after_create_page")
def set_up_contributions_section(request, page):
    if isinstance(page.specific, MemberContributionsPage):
        services.setup_contributions_section(section=page)
