"""Wagtail admin for the club manager, under "Community": the interest groups (created and
closed here; members join on the site) and the community settings (spam brakes, the flag
threshold, picture size), one row. Moderation itself happens on the moderators' screens
(/community/moderation/)."""

from django.utils.translation import gettext_lazy as _
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal.shell.wagtail_policies import NoDeletePolicy, SingleRowPolicy

from .models import CommunitySettings, InterestGroup

# Registered before the viewsets below create the default policies.
register_permission_policy(CommunitySettings, SingleRowPolicy(CommunitySettings))
# Groups own memberships and maybe forum categories: closed (inactive), never deleted.
register_permission_policy(InterestGroup, NoDeletePolicy(InterestGroup))


class InterestGroupViewSet(SnippetViewSet):
    model = InterestGroup
    icon = "group"
    menu_label = _("Interest groups")
    list_display = ["name", "slug", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]


class CommunitySettingsViewSet(SnippetViewSet):
    model = CommunitySettings
    icon = "cogs"
    menu_label = _("Community settings")
    list_display = [
        "__str__",
        "seconds_between_posts",
        "daily_posts",
        "daily_likes",
        "flag_hide_threshold",
    ]

    def get_queryset(self, request):
        CommunitySettings.load()
        return CommunitySettings.objects.filter(pk=1)


class CommunityViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Community")
    menu_icon = "group"
    menu_name = "community"
    items = (InterestGroupViewSet, CommunitySettingsViewSet)


register_snippet(CommunityViewSetGroup)
