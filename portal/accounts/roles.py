"""The staff roles: each is a group (created by migration 0002) holding exactly the
permissions below. Views check permissions, never group names or hidden links."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MEMBER = "Member"
MODERATOR = "Moderator"
SUPPORT_AGENT = "Support agent"
CASHIER = "Cashier"
CLUB_MANAGER = "Club manager"

ROLE_LABELS = {
    MEMBER: _("Member"),
    MODERATOR: _("Moderator"),
    SUPPORT_AGENT: _("Support agent"),
    CASHIER: _("Cashier"),
    CLUB_MANAGER: _("Club manager"),
}

# app_label.codename of every permission a role holds. Later apps add theirs here and
# ship a migration that calls sync_role_permissions().
ROLE_PERMISSIONS: dict[str, set[str]] = {
    MEMBER: set(),
    MODERATOR: {
        "accounts.moderate_community",
        "wagtailadmin.access_admin",
        "wagtailimages.choose_image",
        "wagtaildocs.choose_document",
    },
    SUPPORT_AGENT: {
        "accounts.answer_tickets",
    },
    CASHIER: {
        "accounts.operate_till",
    },
    CLUB_MANAGER: {
        "accounts.manage_club",
        "accounts.answer_tickets",
        "wagtailadmin.access_admin",
        "wagtailimages.choose_image",
        "wagtaildocs.choose_document",
        "cardgateway.add_branch",
        "cardgateway.change_branch",
        "cardgateway.view_branch",
        # Tills: terminals (own screens: the secret is shown once), limits, stations, cards.
        "cardgateway.view_terminal",
        "cardgateway.view_card",
        "cardgateway.view_limithit",
        "cardgateway.change_gatewaysettings",
        "cardgateway.view_gatewaysettings",
        "cardgateway.add_cashierstation",
        "cardgateway.change_cashierstation",
        "cardgateway.delete_cashierstation",
        "cardgateway.view_cashierstation",
        # The club's numbers, rules and catalogue (Wagtail snippets), and the ledger to read.
        "gamification.add_clubsettings",
        "gamification.change_clubsettings",
        "gamification.view_clubsettings",
        "gamification.add_earningrule",
        "gamification.change_earningrule",
        "gamification.view_earningrule",
        "gamification.add_tier",
        "gamification.change_tier",
        "gamification.view_tier",
        "gamification.add_badge",
        "gamification.change_badge",
        "gamification.view_badge",
        "gamification.add_challenge",
        "gamification.change_challenge",
        "gamification.view_challenge",
        "gamification.add_reward",
        "gamification.change_reward",
        "gamification.view_reward",
        "gamification.view_ledgerentry",
        # The desk's lists and numbers (Wagtail snippets); tickets change only on the desk.
        "tickets.add_category",
        "tickets.change_category",
        "tickets.view_category",
        "tickets.add_cannedreply",
        "tickets.change_cannedreply",
        "tickets.delete_cannedreply",
        "tickets.view_cannedreply",
        "tickets.add_slatarget",
        "tickets.change_slatarget",
        "tickets.delete_slatarget",
        "tickets.view_slatarget",
        "tickets.add_businesshours",
        "tickets.change_businesshours",
        "tickets.delete_businesshours",
        "tickets.view_businesshours",
        "tickets.add_holiday",
        "tickets.change_holiday",
        "tickets.delete_holiday",
        "tickets.view_holiday",
        "tickets.change_desksettings",
        "tickets.view_desksettings",
        # The fraud rules' thresholds (Wagtail); cases are decided on the review screen.
        "fraud.add_fraudsettings",
        "fraud.change_fraudsettings",
        "fraud.view_fraudsettings",
        # Contests (Wagtail snippets with their questions); closed by the close_contests job.
        "contests.add_contest",
        "contests.change_contest",
        "contests.view_contest",
        # Surveys (Wagtail snippets with their questions); results and exports on their pages.
        "surveys.add_survey",
        "surveys.change_survey",
        "surveys.delete_survey",
        "surveys.view_survey",
        # Forum categories (Wagtail snippets); topics and posts are moderated on the site.
        "forums.add_forumcategory",
        "forums.change_forumcategory",
        "forums.view_forumcategory",
        # Interest groups and the community settings (spam brakes, flag threshold) in
        # Wagtail; moderating is the Moderator role's (accounts.moderate_community).
        "community.add_interestgroup",
        "community.change_interestgroup",
        "community.view_interestgroup",
        "community.add_communitysettings",
        "community.change_communitysettings",
        "community.view_communitysettings",
        # Article categories and who may submit articles (Wagtail snippets, content app).
        "content.add_articlecategory",
        "content.change_articlecategory",
        "content.view_articlecategory",
        "content.change_contentsettings",
        "content.view_contentsettings",
        # The representatives and dealers directory (Wagtail snippet, showcase app).
        "showcase.add_dealer",
        "showcase.change_dealer",
        "showcase.delete_dealer",
        "showcase.view_dealer",
        # The automations' settings (Wagtail snippet, one row); runs on their own screen.
        "automations.change_automationsettings",
        "automations.view_automationsettings",
    },
}
STAFF_ROLES = [MODERATOR, SUPPORT_AGENT, CASHIER, CLUB_MANAGER]
STAFF_PERMISSIONS = {perm for role in STAFF_ROLES for perm in ROLE_PERMISSIONS[role]}


def sync_role_permissions(apps, schema_editor=None) -> None:
    """Create every role group and give it exactly ROLE_PERMISSIONS that exist so far
    (migration-safe: the last migration to run it leaves the full set)."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; roles need them now.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    existing = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        # A permission of an app whose models are not migrated yet is skipped here: that
        # app's own migration calls this again once they are (tests check the end result).
        group.permissions.set([existing[perm] for perm in sorted(perms) if perm in existing])


def is_staff_member(user) -> bool:
    """Whether the user holds any staff role's permission (superusers included)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(user.get_all_permissions() & STAFF_PERMISSIONS)


def permission_holders(perm: str) -> Q:
    """A filter on the user model for holders of `perm` ("app_label.codename") through a
    group or directly: two small subqueries rather than a join over every member's groups
    (and DISTINCT), since the club has few staff and many members."""
    from django.contrib.auth import get_user_model

    app_label, codename = perm.split(".")
    user_model = get_user_model()
    via_group = user_model.groups.through.objects.filter(
        group__permissions__content_type__app_label=app_label,
        group__permissions__codename=codename,
    )
    direct = user_model.user_permissions.through.objects.filter(
        permission__content_type__app_label=app_label, permission__codename=codename
    )
    return Q(pk__in=via_group.values("user_id")) | Q(pk__in=direct.values("user_id"))


def active_holders(perm: str):
    """Active users holding `perm`, with their profiles (to write to them in their language)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(permission_holders(perm))
        .select_related("profile")
    )
