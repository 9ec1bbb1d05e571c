"""Wagtail admin: the club manager's privacy numbers (cooling-off before an erasure,
retention periods), one row, edited and never added or deleted. Access goes with the
manager's role permission "accounts.manage_club" rather than model permissions of its own,
so no role migration is needed for it."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.shell.wagtail_policies import SingleRowPolicy

from .models import PrivacySettings
from .roles import permission_holders

MANAGE = "accounts.manage_club"


class ManagerSingleRowPolicy(SingleRowPolicy):
    """Viewing and changing need the club manager's permission; adding and deleting are
    refused to everybody (SingleRowPolicy)."""

    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return False
        return bool(user.is_active and (user.is_superuser or user.has_perm(MANAGE)))

    def users_with_any_permission(self, actions):
        if not set(actions) & {"change", "view"}:
            return get_user_model().objects.none()
        return get_user_model().objects.filter(
            (Q(is_superuser=True) | permission_holders(MANAGE)) & Q(is_active=True)
        )


# Must be registered before the viewset below creates the default policy.
register_permission_policy(PrivacySettings, ManagerSingleRowPolicy(PrivacySettings))


class PrivacySettingsViewSet(SnippetViewSet):
    model = PrivacySettings
    icon = "lock"
    menu_label = _("Privacy settings")
    menu_order = 900
    add_to_admin_menu = True
    list_display = [
        "__str__",
        "erasure_cooling_off_days",
        "erased_purge_days",
        "audit_retention_days",
        "read_notification_retention_days",
        "limit_hit_retention_days",
    ]

    def get_queryset(self, request):
        # The single row exists from the first time anyone looks at it.
        PrivacySettings.load()
        return PrivacySettings.objects.filter(pk=1)


register_snippet(PrivacySettingsViewSet)
