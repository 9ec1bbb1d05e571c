"""Wagtail admin: the club manager's numbers, rules, tiers, badges, challenges and rewards,
grouped under "Club". Access follows the model permissions the Club manager role holds
(portal/accounts/roles.py); the ledger itself is never edited here."""

from django.utils.translation import gettext_lazy as _
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal.shell.wagtail_policies import SingleRowPolicy

from .models import Badge, Challenge, ClubSettings, EarningRule, Reward, Tier

# Must be registered before the viewset below creates the default policy.
register_permission_policy(ClubSettings, SingleRowPolicy(ClubSettings))


class ClubSettingsViewSet(SnippetViewSet):
    model = ClubSettings
    icon = "cogs"
    menu_label = _("Club settings")
    list_display = [
        "__str__",
        "rials_per_point",
        "min_points_to_convert",
        "min_redeemable_credit",
        "tier_window_days",
        "referral_share_days",
    ]

    def get_queryset(self, request):
        # The single row exists from the first time anyone looks at it.
        ClubSettings.load()
        return ClubSettings.objects.filter(pk=1)


class EarningRuleViewSet(SnippetViewSet):
    model = EarningRule
    icon = "pick"
    menu_label = _("Earning rules")
    list_display = ["__str__", "points", "daily_cap", "min_account_age_days", "is_active"]
    list_filter = ["is_active", "revoke_on_removal"]


class TierViewSet(SnippetViewSet):
    model = Tier
    icon = "order-up"
    menu_label = _("Tiers")
    list_display = ["name", "threshold", "cashback_bp", "referral_bp", "points_per_million"]


class BadgeViewSet(SnippetViewSet):
    model = Badge
    icon = "tick-inverse"
    menu_label = _("Badges")
    list_display = ["name", "slug", "rule", "threshold"]
    search_fields = ["name", "slug"]


class ChallengeViewSet(SnippetViewSet):
    model = Challenge
    icon = "date"
    menu_label = _("Challenges")
    list_display = ["name", "action", "target", "starts_at", "ends_at", "reward_points"]
    search_fields = ["name"]


class RewardViewSet(SnippetViewSet):
    model = Reward
    icon = "tag"
    menu_label = _("Rewards")
    list_display = ["name", "points_cost", "stock", "valid_until", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


class ClubViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Club")
    menu_icon = "group"
    menu_name = "club"
    items = (
        ClubSettingsViewSet,
        EarningRuleViewSet,
        TierViewSet,
        BadgeViewSet,
        ChallengeViewSet,
        RewardViewSet,
    )


register_snippet(ClubViewSetGroup)
